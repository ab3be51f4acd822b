import { statSync } from 'node:fs';

/**
 * What each error code a read of a file can fail with means, in the words
 * the CLI uses everywhere (`no such file`, `is a directory`, `permission
 * denied`) rather than Node's `EISDIR: illegal operation on a directory, read`.
 */
const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  // A device with nothing behind it (`/dev/tty` without a terminal), a socket.
  ENXIO: 'no such device (not a file that can be read)',
  ENODEV: 'no such device (not a file that can be read)',
  // `p.md/`: a name written as a directory's where a file is.
  ENOTDIR: 'not a directory: a part of the path is a file (a trailing `/`?)',
};

/** Why a file could not be read, in those words; another error keeps its own message. */
export function readProblem(e: unknown): string {
  return readWords(e) ?? (e as Error).message;
}

/** The words for the error's code, or undefined for a code that is no failure to read a file. */
export function readWords(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? undefined : WORDS[code];
}

/**
 * Why `path` cannot be looked at, when not for being absent (that is for
 * the caller to say, as it says it): a part of it a file, a loop of links, a
 * name too long, a directory on the way that may not be searched. Undefined
 * when it is there, or simply missing.
 */
export function pathProblem(path: string): string | undefined {
  try {
    statSync(path);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : readProblem(e);
  }
}
