import { lstatSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { showsStoredTime } from './object-file.js';
import { KIND, type StatRequest, type StatSlice } from './stat-ahead.js';
import { emptySlice, statNatively } from './stat-slice.js';

/**
 * `lstat`s the names of one directory it is sent and answers with their
 * kinds and stats as typed arrays (moved, not copied): what a walk of a
 * directory of a million files asks of the kernel, done beside the thread
 * that reads the stat cache and builds the jobs.
 */
parentPort?.on('message', (req: StatRequest) => {
  const slice = emptySlice(req.id, req.names.length);
  // Through Node where the native module is not built.
  if (!statNatively(req.dir, req.names, slice, req.objects === true)) (req.objects === true ? objects : walked)(req, slice);
  const moved = [slice.kind, slice.size, slice.mtime, slice.ctime, slice.ino, slice.mode, slice.mtimeMs].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage(slice, moved);
});

/** A walk's entries: every field the stat cache compares, to the nanosecond. */
function walked({ dir, names }: StatRequest, slice: StatSlice): void {
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

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): number {
  return st.isFile() ? KIND.file : st.isDirectory() ? KIND.dir : st.isSymbolicLink() ? KIND.link : KIND.special;
}
