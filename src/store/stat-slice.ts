import { lstatAt } from './native-stat.js';
import { storedMs, type UnsureObject } from './object-file.js';
import { recordAt } from './object-records.js';
import { KIND, type StatSlice } from './stat-ahead.js';

/** A slice's answer with room for `n` names, every kind unknown until stat'ed. */
export function emptySlice(id: number, n: number): StatSlice {
  return {
    id, kind: new Uint8Array(n), size: new BigInt64Array(n), mtime: new BigInt64Array(n), ctime: new BigInt64Array(n),
    ino: new BigInt64Array(n), mode: new BigInt64Array(n), mtimeMs: new Float64Array(n),
  };
}

/**
 * Fills `slice` with the stats of `names` in `dir` through the native module
 * (`native-stat.ts`): a walk's every field to the nanosecond, or, for store
 * objects, the size, inode and `mtimeMs`. False where it is not built or the
 * directory does not open: the caller stats them through Node.
 */
export function statNatively(dir: string, names: readonly string[], slice: StatSlice, objects: boolean): boolean {
  if (lstatAt === undefined) return false;
  try {
    lstatAt(dir, names, slice.kind, objects ? [null, slice.size, slice.ino, slice.mtimeMs, null] : [slice.mode, slice.size, slice.ino, slice.mtime, slice.ctime]);
    return true;
  } catch {
    return false;
  }
}

/** `names` of `dir` stat'ed natively on this thread (a directory too small for the stat workers), or undefined. */
export function statHere(dir: string, names: readonly string[]): StatSlice | undefined {
  if (lstatAt === undefined) return undefined;
  const slice = emptySlice(0, names.length);
  return statNatively(dir, names, slice, false) ? slice : undefined;
}

/**
 * What the `i`th object of a slice showed: sound (a plain file showing the
 * stored time of its size), or what is unsure of it — what its record must
 * show, that it is no plain file, or that it was not stat'ed (looked at
 * again on the asking thread, which says why).
 */
export function seenAt(s: StatSlice, i: number): 'ok' | UnsureObject['seen'] {
  const kind = s.kind[i];
  if (kind === KIND.file) return s.mtimeMs[i] === storedMs(Number(s.size[i])) ? 'ok' : recordAt(s, i);
  return kind === KIND.unknown ? 'again' : 'changed';
}
