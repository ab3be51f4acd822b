import { chmodSync, lstatSync, utimesSync, type Stats } from 'node:fs';
import { storedMode } from './file-modes.js';
import { recordOf, type Recorded } from './object-records.js';
import type { SnapshotId } from './snapshot-store.js';

/**
 * Every object's modification time, much as Nix gives its store's files:
 * 1 s after the epoch, and as many microseconds more as the object has
 * bytes (`ls -l` shows a day in 1970 up to ~86 GB). Writing to an object in
 * place (a host job through a hard link, a careless tool) moves it, so an
 * object that still shows its stored time is the one that was stored and is
 * trusted without reading its record: a fully cached plan of 100,000 items
 * read 100,000 records for nothing (~0.35 s). The size in the time makes a
 * change that puts the time back (`touch -d @1`, `touch -r`) show unless it
 * keeps the size too. An object that shows another time (stored by an
 * earlier Shark at 1 s, or touched) is judged against its record as before.
 * A change that keeps both is for `fsck`, which re-hashes.
 */
export function storedMs(size: number): number {
  // As Node makes `Stats.mtimeMs` of the seconds and nanoseconds: the same operations, so the same double.
  return (1 + Math.floor(size / 1e6)) * 1000 + ((size % 1e6) * 1000) / 1e6;
}

/** The stored time in seconds, as `utimes` takes it: half a microsecond more, which the microseconds it keeps drop. */
export function storedSeconds(size: number): number {
  return 1 + Math.floor(size / 1e6) + ((size % 1e6) + 0.5) / 1e6;
}

/** Whether a file shows the time an object of its size is stored with. */
export function showsStoredTime(st: { readonly mtimeMs: number; readonly size: number }): boolean {
  return st.mtimeMs === storedMs(st.size);
}

/** Gives a file of `size` bytes its stored time (`storedSeconds`), its access time now. */
export function markStored(path: string, size: number): void {
  utimesSync(path, Date.now() / 1000, storedSeconds(size));
}

/**
 * An object a `stat` could not vouch for: what it showed (its record must
 * show the same), that it is missing or not a plain file, or that it could
 * not be stat'ed there and is looked at again (`again`).
 */
export interface UnsureObject {
  readonly id: SnapshotId;
  readonly seen: 'again' | 'missing' | 'changed' | Recorded;
}

/** The mode every object is stored with: read-only, executable by its `.x` (`sha256x:`) name. */
export function objectMode(id: SnapshotId): number {
  return storedMode(id.startsWith('sha256x:'));
}

/** Whether a file's permission bits (setuid and the like included) are the ones object `id` is stored with. */
export function hasStoredMode(id: SnapshotId, st: Stats): boolean {
  return (st.mode & 0o7777) === objectMode(id);
}

/** Whether the file at `path` is a plain file whose mode is not object `id`'s (a `chmod`: its bytes unchanged). */
export function modeChangedAt(path: string, id: SnapshotId): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st?.isFile() === true && !hasStoredMode(id, st);
}

/**
 * Gives the plain-file object `id` at `path` its stored mode back (0444,
 * 0555 for `.x`), setuid and write bits gone; the change time moves, which
 * no check looks at. Whether it was changed.
 */
export function restoreModeAt(path: string, id: SnapshotId): boolean {
  if (!modeChangedAt(path, id)) return false;
  try {
    chmodSync(path, objectMode(id));
    return true;
  } catch {
    // Not the store's to change (another user's object): fsck reports it.
    return false;
  }
}

/** The id of a file's bytes: their SHA-256 (hex), marked as an executable's (`sha256x:`) or not. */
export function objectId(hex: string, exec: boolean): SnapshotId {
  return `${exec ? 'sha256x' : 'sha256'}:${hex}`;
}

/** Where the content-addressed store keeps object `id` under its objects directory `dir` (normal, no trailing slash). */
export function objectPath(dir: string, id: SnapshotId): string {
  // Concatenated: `dir` is normal already, and a fully cached plan asks for a million paths.
  return `${dir}/${objectName(id)}`;
}

/** Object `id`'s path below the objects directory (`AB/CDEF…`, `.x` for `sha256x:`). */
export function objectName(id: SnapshotId): string {
  const hex = id.slice(id.indexOf(':') + 1);
  return `${hex.slice(0, 2)}/${hex.slice(2)}${id.startsWith('sha256x:') ? '.x' : ''}`;
}

/**
 * What an object's `lstat` alone says: sound (it shows the time an object of
 * its size is given when stored), changed (not a plain file: a link in
 * its place is not followed), or what its record must show.
 */
export function glanceAt(st: Stats): 'ok' | 'changed' | Recorded {
  if (!st.isFile()) return 'changed';
  if (showsStoredTime(st)) return 'ok';
  return recordOf(st);
}

export const CHANGED_WHILE_STORED = 'an output changed while it was stored: a process the command left running (`… &`) still writes it; wait for it in the command (`wait`)';

/** Whether the file at `path` is no longer the one `st` describes (its size, time or inode changed). */
export function changedSince(path: string, st: Stats): boolean {
  const now = lstatSync(path);
  return now.size !== st.size || now.mtimeMs !== st.mtimeMs || now.ino !== st.ino;
}
