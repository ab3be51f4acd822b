import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/**
 * Replaces `path` with `text` whole or not at all, and durably: the bytes are
 * on disk before the rename, and the rename before we return.
 */
export function writeAtomically(path: string, text: string, mode = 0o666): void {
  // Beside it, under a name of its own: PATH.tmp-… went past the 255 bytes a name may have for a name of 236 or more.
  const tmp = join(dirname(path), `.shark.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      // Not writeSync: one write(2) on a disk that fills stores what fits and returns its count, without an error.
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirectory(dirname(path));
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems cannot open or fsync a directory: the rename still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
