import { lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './hash.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/** The tree hash: over the sorted entries' names and ids, so a directory's id depends only on its content. */
export function treeId(sorted: readonly TreeEntry[]): SnapshotId {
  return `tree:${sha256(sorted.map((e) => `${e.name}\0${e.id}\n`).join(''))}`;
}

export function sortEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The content id of a host file or directory, without storing it: what a
 * store's `ingest` will return for it. `hashFile` goes through the stat cache.
 */
export function contentId(path: string, hashFile: (path: string, st: BigIntStats) => string): { id: SnapshotId; entries?: TreeEntry[] } {
  const st = lstatSync(path, { bigint: true });
  if (st.isSymbolicLink()) return { id: `link:${readlinkSync(path)}` };
  if (st.isDirectory()) {
    const entries = sortEntries(readdirSync(path).map((name) => ({ name, id: contentId(join(path, name), hashFile).id })));
    return { id: treeId(entries), entries };
  }
  return { id: `${(st.mode & 0o111n) !== 0n ? 'sha256x' : 'sha256'}:${hashFile(path, st)}` };
}
