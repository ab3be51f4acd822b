import { closeSync, fchmodSync, fchownSync, fstatSync, futimesSync, linkSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { storedMode } from './file-modes.js';
import { readSmallFile, sha256Bytes } from './hash.js';
import { objectId, objectName, storedSeconds } from './object-file.js';
import { failedRead, type FailedRead } from './unreadable.js';

/** Whom the store's files belong to when Shark runs as root (the store's own owner). */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Writes `bytes` to a new file at `staging` as an object is kept: its mode
 * (whatever the umask took), its owner, the stored time, all through its
 * own descriptor, whose `fstat` is returned as the object's record. A file
 * already there is a leftover of a killed process that had this one's pid
 * (gc removes only those of dead pids): removed and made again, not written
 * over (one left read-only would refuse it).
 */
export function writeObjectFile(staging: string, bytes: Buffer, exec: boolean, owner: Owner | undefined): Stats {
  let fd: number;
  try {
    fd = openSync(staging, 'wx', storedMode(exec));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    unlinkSync(staging);
    fd = openSync(staging, 'wx', storedMode(exec));
  }
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    futimesSync(fd, Date.now() / 1000, storedSeconds(bytes.length));
    // Given its mode and owner only when it was not made so (a umask that took a bit, root writing another's store):
    // two system calls of the seven a small input's copy made.
    const st = fstatSync(fd);
    const unowned = owner !== undefined && (st.uid !== owner.uid || st.gid !== owner.gid);
    if (!unowned && (st.mode & 0o7777) === storedMode(exec)) return st;
    if (unowned) fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, storedMode(exec));
    return fstatSync(fd);
  } catch (e) {
    rmSync(staging, { force: true });
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** A host file copied to a staging name by a worker: its bytes' hash, executable bit and record (`stageSmall`). */
export interface StagedFile {
  readonly hex: string;
  readonly exec: boolean;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /** Put in its place among the objects already (none was there), its staging name gone: only its record is left to write. */
  readonly placed?: true;
}

/**
 * A worker's copy of host file `from` (an input) to `staging`: read once,
 * hashed, written as an object is kept (`writeObjectFile`), and, given the
 * store's `objects` directory, put in its place there when nothing is
 * (`placed`): the main thread then only records it (a rename each there
 * held up a fresh store's first job ~0.1 ms an input, its other core idle).
 * `big` when it holds more than `limit` bytes (copied on the main thread
 * instead); a failure as a `FailedRead`, the message the main thread gives it.
 */
export function stageSmall(from: string, staging: string, limit: number, owner: Owner | undefined, objects?: string): StagedFile | { readonly big: true } | FailedRead {
  try {
    const small = readSmallFile(from, limit);
    if (small === undefined) return { big: true };
    const exec = (small.mode & 0o111) !== 0;
    const st = writeObjectFile(staging, small.bytes, exec, owner);
    const hex = sha256Bytes(small.bytes);
    const placed = objects !== undefined && placedNew(staging, `${objects}/${objectName(objectId(hex, exec))}`);
    return { hex, exec, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, ...(placed ? { placed: true as const } : {}) };
  } catch (e) {
    return failedRead(e);
  }
}

/**
 * Links `staging` in as `object` only when nothing is there (a link never
 * replaces: whatever holds the name, sound or not, is the main thread's to
 * judge), then drops the staging name. False when it is left staged.
 */
function placedNew(staging: string, object: string): boolean {
  try {
    try {
      linkSync(staging, object);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
      mkdirSync(dirname(object), { recursive: true });
      linkSync(staging, object);
    }
  } catch {
    return false;
  }
  try {
    unlinkSync(staging);
  } catch {
    // A second name of a stored object, left under tmp/ as a killed process's copies are: gc removes it.
  }
  return true;
}
