import { lstatSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { KIND, type StatRequest, type StatSlice } from './stat-ahead.js';

/**
 * `lstat`s the names of one directory it is sent and answers with their
 * kinds and stats as typed arrays (moved, not copied): what a walk of a
 * directory of a million files asks of the kernel, done beside the thread
 * that reads the stat cache and builds the jobs.
 */
parentPort?.on('message', ({ id, dir, names }: StatRequest) => {
  const n = names.length;
  const slice: StatSlice = {
    id, kind: new Uint8Array(n), size: new BigInt64Array(n), mtime: new BigInt64Array(n), ctime: new BigInt64Array(n),
    ino: new BigInt64Array(n), mode: new BigInt64Array(n), mtimeMs: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    let st;
    try {
      st = lstatSync(`${dir}/${names[i]}`, { bigint: true });
    } catch {
      continue; // KIND.unknown: the walk asks again itself, and reports the error as it would have.
    }
    slice.kind[i] = st.isDirectory() ? KIND.dir : st.isSymbolicLink() ? KIND.link : KIND.file;
    slice.size[i] = st.size;
    slice.mtime[i] = st.mtimeNs;
    slice.ctime[i] = st.ctimeNs;
    slice.ino[i] = st.ino;
    slice.mode[i] = st.mode;
    // As Node's `Stats` works it out from the seconds and nanoseconds: what the store records of its objects.
    slice.mtimeMs[i] = Number(st.mtimeNs / 1_000_000_000n) * 1e3 + Number(st.mtimeNs % 1_000_000_000n) / 1e6;
  }
  const moved = [slice.kind, slice.size, slice.mtime, slice.ctime, slice.ino, slice.mode, slice.mtimeMs].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage(slice, moved);
});
