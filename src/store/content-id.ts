import { lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './hash.js';
import type { HostFile } from './hash-files.js';
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

/** Entries of a directory taken at a time: bounds the stats held while a million-item directory is hashed. */
const SLICE = 4096;

/**
 * `contentId`, its files hashed many at a time (`hash-files.ts`: the stat
 * cache read in batches, misses hashed on every core). `onTree` sees every
 * directory's sorted entries, the top one last.
 */
export async function contentIdOfTree(
  path: string,
  hashFiles: (files: readonly HostFile[]) => Promise<string[]>,
  onTree: (id: SnapshotId, entries: TreeEntry[]) => void = () => {},
): Promise<SnapshotId> {
  const st = lstatSync(path, { bigint: true });
  if (st.isSymbolicLink()) return `link:${readlinkSync(path)}`;
  if (!st.isDirectory()) return fileId(st, (await hashFiles([{ path, st }]))[0]!);
  const names = readdirSync(path);
  const entries: TreeEntry[] = [];
  for (let i = 0; i < names.length; i += SLICE) {
    const files: HostFile[] = [];
    const fileNames: string[] = [];
    for (const name of names.slice(i, i + SLICE)) {
      const full = join(path, name);
      const s = lstatSync(full, { bigint: true });
      if (s.isDirectory()) entries.push({ name, id: await contentIdOfTree(full, hashFiles, onTree) });
      else if (s.isSymbolicLink()) entries.push({ name, id: `link:${readlinkSync(full)}` });
      else files.push({ path: full, st: s }), fileNames.push(name);
    }
    const hashes = await hashFiles(files);
    files.forEach((f, n) => entries.push({ name: fileNames[n]!, id: fileId(f.st, hashes[n]!) }));
  }
  const sorted = sortEntries(entries);
  const id = treeId(sorted);
  onTree(id, sorted);
  return id;
}

function fileId(st: BigIntStats, hex: string): SnapshotId {
  return `${(st.mode & 0o111n) !== 0n ? 'sha256x' : 'sha256'}:${hex}`;
}
