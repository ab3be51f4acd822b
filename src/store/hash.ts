import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { refuseSpecial } from './special-file.js';
import { naming } from './unreadable.js';

const CHUNK = 4 * 1024 * 1024;
let buffer: Buffer | undefined;

/**
 * SHA-256 of a file's bytes, read in large chunks (synchronously: hashing is CPU-bound anyway).
 * Opened without blocking and refused unless a file: a FIFO that took a file's place since it was
 * `lstat`ed would otherwise hold this thread until a writer came (`special-file.ts`).
 */
export function hashFileSync(path: string): string {
  buffer ??= Buffer.allocUnsafe(CHUNK);
  const hash = createHash('sha256');
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    refuseSpecial(path, fstatSync(fd));
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? buffer : buffer.subarray(0, n));
    }
  } catch (e) {
    throw naming(e, path);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * A file's bytes and mode, read whole when it holds at most `limit` bytes
 * (undefined when it holds more): opened as `hashFileSync` opens it, and
 * never through a link (a file that became one since it was walked).
 */
export function readSmallFile(path: string, limit: number): { bytes: Buffer; mode: number } | undefined {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    refuseSpecial(path, st);
    // Walked as a file: a directory that took its place since is not read.
    if (!st.isFile()) throw new Error(`${path} changed while it was being stored: it is no longer a file`);
    if (st.size > limit) return undefined;
    const bytes = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < st.size) {
      const n = readSync(fd, bytes, at, st.size - at, null);
      if (n === 0) return { bytes: bytes.subarray(0, at), mode: st.mode };
      at += n;
    }
    // Grown since its size was read: the whole of it is read the long way.
    return readSync(fd, Buffer.allocUnsafe(1), 0, 1, null) === 0 ? { bytes, mode: st.mode } : undefined;
  } catch (e) {
    throw naming(e, path);
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 of bytes in memory. */
export function sha256Bytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One-shot hashing (Node ≥ 20.12): about half the cost of a Hash object for the short texts of keys and trees. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256(text: string): string {
  return oneShot !== undefined ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}
