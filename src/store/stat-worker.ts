import { lstatSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { showsStoredTime } from './object-file.js';
import { lstatAt, type StatColumns } from './native-stat.js';
import { KIND, type StatRequest, type StatSlice } from './stat-ahead.js';

/**
 * `lstat`s the names of one directory it is sent and answers with their
 * kinds and stats as typed arrays (moved, not copied): what a walk of a
 * directory of a million files asks of the kernel, done beside the thread
 * that reads the stat cache and builds the jobs.
 */
parentPort?.on('message', (req: StatRequest) => {
  const n = req.names.length;
  const slice: StatSlice = {
    id: req.id, kind: new Uint8Array(n), size: new BigInt64Array(n), mtime: new BigInt64Array(n), ctime: new BigInt64Array(n),
    ino: new BigInt64Array(n), mode: new BigInt64Array(n), mtimeMs: new Float64Array(n),
  };
  if (req.objects === true) objects(req, slice);
  else walked(req, slice);
  const moved = [slice.kind, slice.size, slice.mtime, slice.ctime, slice.ino, slice.mode, slice.mtimeMs].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage(slice, moved);
});

/** A walk's entries: every field the stat cache compares, to the nanosecond. */
function walked({ dir, names }: StatRequest, slice: StatSlice): void {
  if (natively(dir, names, slice, [slice.mode, slice.size, slice.ino, slice.mtime, slice.ctime])) return;
  for (let i = 0; i < names.length; i++) {
    let st;
    try {
      st = lstatSync(`${dir}/${names[i]}`, { bigint: true });
    } catch {
      continue; // KIND.unknown: the walk asks again itself, and reports the error as it would have.
    }
    slice.kind[i] = kindOf(st);
    slice.size[i] = st.size;
    slice.mtime[i] = st.mtimeNs;
    slice.ctime[i] = st.ctimeNs;
    slice.ino[i] = st.ino;
    slice.mode[i] = st.mode;
  }
}

/** Store objects: the kind, size and `mtimeMs` as Node's `Stats` has them (what the store records); the inode only where the time is not the stored one. */
function objects({ dir, names }: StatRequest, slice: StatSlice): void {
  if (natively(dir, names, slice, [null, slice.size, slice.ino, slice.mtimeMs, null])) return;
  for (let i = 0; i < names.length; i++) {
    const st = lstatSync(`${dir}/${names[i]}`, { throwIfNoEntry: false });
    if (st === undefined) continue; // KIND.unknown: looked at again on the caller's thread
    slice.kind[i] = kindOf(st);
    slice.mtimeMs[i] = st.mtimeMs;
    slice.size[i] = BigInt(st.size);
    if (showsStoredTime(st)) continue;
    slice.ino[i] = BigInt(st.ino);
  }
}

/** The slice stat'ed by the native module, when it is built and the directory opens (else the caller stats through Node). */
function natively(dir: string, names: readonly string[], slice: StatSlice, columns: StatColumns): boolean {
  if (lstatAt === undefined) return false;
  try {
    lstatAt(dir, names, slice.kind, columns);
    return true;
  } catch {
    return false;
  }
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): number {
  return st.isFile() ? KIND.file : st.isDirectory() ? KIND.dir : st.isSymbolicLink() ? KIND.link : KIND.special;
}
