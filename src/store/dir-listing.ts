import { lstatSync, type BigIntStats } from 'node:fs';
import type { PlainListings } from './listing-rows.js';
import { settled } from './stat-cache.js';

/** Directories smaller than this are read again: their listing costs less than keeping it. */
const KEEP_MIN = 4096;
/** Names kept at most, over all directories: a walk that reads without the next one taking bounds nothing else. */
const KEEP_MAX = 4_000_000;

interface Kept {
  readonly names: string[];
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

const kept = new Map<string, Kept>();
let keptNames = 0;

/**
 * A large directory's names as a walk read them, handed to the next walk of
 * the same directory in this process: a plan walks a map's input for links
 * into the store, then for its files' hashes, and reading a million names
 * took 1.3 s each time. Taken only while the directory shows the same inode
 * and times as when it was read, and kept only if it had not changed within
 * a tick of the clock before (`settled`): an entry added, removed or renamed
 * since moves its times on. `st` is the directory's lstat from before it was read.
 * With `listings` (given when every entry is a file), the names are kept
 * there too, for the next process (`recalledListing`).
 */
export function keepListing(dir: string, st: BigIntStats, names: string[], listings?: PlainListings): void {
  if (names.length < KEEP_MIN || !settled(st.ctimeNs)) return;
  listings?.record(dir, st, names);
  if (keptNames + names.length > KEEP_MAX) return;
  drop(dir);
  kept.set(dir, { names, ino: st.ino, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs });
  keptNames += names.length;
}

/**
 * The names of `dir`, a directory of files only, as a walk in an earlier
 * process kept them in `listings` while it showed `st` (its lstat, taken
 * before), also kept for this process's next walk; undefined when they are
 * not known, or it has changed since.
 */
export function recalledListing(dir: string, st: BigIntStats, listings: PlainListings | undefined): string[] | undefined {
  const names = listings?.recall(dir, st);
  if (names !== undefined) keepListing(dir, st, names);
  return names;
}

/** The names `keepListing` kept of `dir`, once (the caller may sort them), if it has not changed since. */
export function takeListing(dir: string): string[] | undefined {
  const k = kept.get(dir);
  if (k === undefined) return undefined;
  drop(dir);
  let st: BigIntStats | undefined;
  try {
    st = lstatSync(dir, { bigint: true });
  } catch {
    return undefined;
  }
  return st.isDirectory() && st.ino === k.ino && st.mtimeNs === k.mtimeNs && st.ctimeNs === k.ctimeNs ? k.names : undefined;
}

function drop(dir: string): void {
  const k = kept.get(dir);
  if (k === undefined) return;
  kept.delete(dir);
  keptNames -= k.names.length;
}
