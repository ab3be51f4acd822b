import { createHash } from 'node:crypto';
import { lstatSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { TreeMemo } from './dir-fingerprint.js';
import { walkKnown, type FileBatch } from './dir-walk.js';
import { sha256 } from './hash.js';
import { objectId } from './object-file.js';
import type { HostFile, HostStat } from './hash-files.js';
import { refuseSpecial } from './special-file.js';
import { textLink, textNames } from './storable.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/** The tree hash: over the sorted entries' names and ids, so a directory's id depends only on its content. */
export function treeId(sorted: readonly TreeEntry[]): SnapshotId {
  if (sorted.length < 256) return `tree:${sha256(sorted.map((e) => `${e.name}\0${e.id}\n`).join(''))}`;
  // A large directory's text is hashed a piece at a time, not made whole (a million entries: 90 MB of string).
  const hash = createHash('sha256');
  let piece = '';
  for (const e of sorted) {
    piece += `${e.name}\0${e.id}\n`;
    if (piece.length >= 1 << 16) (hash.update(piece), (piece = ''));
  }
  return `tree:${hash.update(piece).digest('hex')}`;
}

export function sortEntries(entries: readonly TreeEntry[]): TreeEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The content id of a host file or directory, without storing it: what a
 * store's `ingest` will return for it. `hashFile` goes through the stat cache.
 * With `links`, a link it follows below `path` is the data it leads to.
 */
export function contentId(path: string, hashFile: (path: string, st: BigIntStats) => string, links?: LinkFollower): { id: SnapshotId; entries?: TreeEntry[] } {
  const st = lstatSync(path, { bigint: true });
  if (st.isSymbolicLink()) return { id: `link:${textLink(path)}` };
  if (st.isDirectory()) {
    const entries = sortEntries(textNames(path).map((name) => ({ name, id: entryId(join(path, name), hashFile, links) })));
    return { id: treeId(entries), entries };
  }
  refuseSpecial(path, st);
  return { id: objectId(hashFile(path, st), (st.mode & 0o111n) !== 0n) };
}

/** `contentId` of a directory's entry: a link `links` follows is what it leads to. */
function entryId(full: string, hashFile: (path: string, st: BigIntStats) => string, links: LinkFollower | undefined): SnapshotId {
  const on = entryOn(full, links);
  return contentId(on.path, hashFile, on.links).id;
}

/** What a followed symbolic link leads to: the real path of its data and that path's `stat`. */
export interface FollowedLink {
  readonly path: string;
  readonly st: BigIntStats;
}

/**
 * How a walk takes the symbolic links it meets, when not all as written
 * (a local import follows those that lead out of it: `local-links.ts`).
 */
export interface LinkFollower {
  /** The data the link at `full` stands for, or undefined to take it as written. Throws when it can be neither. */
  follow(full: string): FollowedLink | undefined;
  /** How the walk goes on inside the directory a followed link leads to. */
  below(full: string, to: FollowedLink): LinkFollower;
}

/**
 * Where a walk under `links` goes on from the entry at `full` (`isLink`: it
 * is a symbolic link): the entry itself, or the data a link `links` follows
 * leads to, with the view to walk it by. What hashing and storing a
 * directory share, so that a store's copy is what its id says.
 */
export function walkOn(full: string, isLink: boolean, links: LinkFollower | undefined): { readonly path: string; readonly links: LinkFollower | undefined } {
  const to = isLink ? links?.follow(full) : undefined;
  if (to === undefined) return { path: full, links };
  return { path: to.path, links: to.st.isDirectory() ? links!.below(full, to) : undefined };
}

/** `walkOn` for an entry not stat'ed yet (stat'ed only when there are links to follow). */
export function entryOn(full: string, links: LinkFollower | undefined): { readonly path: string; readonly links: LinkFollower | undefined } {
  return links === undefined ? { path: full, links } : walkOn(full, lstatSync(full).isSymbolicLink(), links);
}

/**
 * `contentId`, its files hashed many at a time (`hash-files.ts`: the stat
 * cache read in batches, misses hashed on every core). `onTree` sees every
 * directory's sorted entries, the top one last. With a `memo`, a directory
 * is fingerprinted first (one beyond DEFER_MAX files only when the memo
 * has a fingerprint for it): when the memo knows the fingerprint, its
 * files are not hashed nor its tree (`dir-fingerprint.ts`).
 * With `links`, a link it follows is hashed as the data it leads to.
 */
export async function contentIdOfTree(
  path: string,
  hashFiles: (files: readonly HostFile[]) => Promise<string[]>,
  onTree: (id: SnapshotId, entries: readonly TreeEntry[]) => void = () => {},
  memo?: TreeMemo,
  links?: LinkFollower,
): Promise<SnapshotId> {
  const st = lstatSync(path, { bigint: true });
  if (st.isSymbolicLink()) return `link:${textLink(path)}`;
  refuseSpecial(path, st);
  if (!st.isDirectory()) return fileId(st, (await hashFiles([{ path, st }]))[0]!);
  const entries: TreeEntry[] = [];
  // A subdirectory, or a link: as written, or (followed) the data it leads to.
  const otherId = async (full: string, s: BigIntStats): Promise<SnapshotId> => {
    if (s.isSymbolicLink() && links === undefined) return `link:${textLink(full)}`;
    const on = walkOn(full, s.isSymbolicLink(), links);
    return contentIdOfTree(on.path, hashFiles, onTree, memo, on.links);
  };
  const hashed = async (batch: FileBatch): Promise<void> => {
    const hashes = await hashFiles(batch.map((b) => b.file));
    batch.forEach(({ name, file }, n) => entries.push({ name, id: fileId(file.st, hashes[n]!) }));
  };
  const walked = await walkKnown(path, memo, entries, otherId, hashed);
  if (walked.known !== undefined) {
    onTree(walked.known.id, walked.known.entries);
    return walked.known.id;
  }
  const sorted = sortEntries(entries);
  const id = treeId(sorted);
  onTree(id, sorted);
  if (walked.fingerprint !== undefined) memo!.record(path, walked.fingerprint, id);
  return id;
}

function fileId(st: HostStat, hex: string): SnapshotId {
  return objectId(hex, (st.mode & 0o111n) !== 0n);
}
