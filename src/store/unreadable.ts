import { accessSync, constants, lstatSync, readdirSync } from 'node:fs';
import { readWords } from '../read-problem.js';

/**
 * The path a read of host data was refused at for lack of permission
 * (`EACCES`, `EPERM`: a file of mode 000, a directory that cannot be listed),
 * or undefined for any other failure. Such a file is bad input, reported
 * where the document names it, as one that does not exist is; any other
 * failure stays the bug it is.
 */
export function deniedPath(e: unknown): string | undefined {
  const { code, path } = (e ?? {}) as NodeJS.ErrnoException;
  return (code === 'EACCES' || code === 'EPERM') && typeof path === 'string' ? path : undefined;
}

/**
 * Where and why a read of host data under `top` (itself included) failed
 * in a way that is the data's, not Shark's: permission denied, an i/o error
 * (a failing disk, an NFS or FUSE mount), a directory or a loop of links where
 * a file was, a name too long. Undefined for any other failure, or one at a
 * path outside `top` (the store's own): those stay the bugs they are.
 */
export function unreadableAt(e: unknown, top: string): { path: string; why: string } | undefined {
  const { code, path } = (e ?? {}) as NodeJS.ErrnoException;
  if (typeof path !== 'string' || (path !== top && !path.startsWith(top.endsWith('/') ? top : `${top}/`))) return undefined;
  const why = code === 'ENOENT' ? undefined : readWords(e);
  return why === undefined ? undefined : { path, why };
}

/**
 * `e`, naming `path` when it names no file: the error of a read or an
 * `fstat` does not (`EIO: i/o error, read`), and without it nobody could say
 * which file failed.
 */
export function naming(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err instanceof Error && typeof err.code === 'string' && err.path === undefined) err.path = path;
  return e;
}

/** What a worker thread reports of a failed read, so that the error it stands for keeps its code and path. */
export interface FailedRead {
  readonly error: string;
  readonly code?: string;
  readonly path?: string;
}

export function failedRead(e: unknown): FailedRead {
  const { message, code, path } = e as NodeJS.ErrnoException;
  return { error: message, ...(code !== undefined ? { code } : {}), ...(path !== undefined ? { path } : {}) };
}

/** The error a worker's `FailedRead` stands for, on this thread. */
export function readError(failed: FailedRead, context: string): Error {
  return Object.assign(new Error(`${context}: ${failed.error}`), failed.code !== undefined ? { code: failed.code } : {}, failed.path !== undefined ? { path: failed.path } : {});
}

/**
 * The names in a folder of the store, or none when the user may not list
 * it or enter it (mode 0644 lists names no `lstat` can then reach), or
 * when `notALink` and it is a symbolic link: then `unreadable` hears of it.
 * Another failure is the bug it is.
 */
export function listable(dir: string, unreadable: (dir: string, why: string) => void, notALink = false): string[] {
  // A link in place of a folder of the store (`objects/ab -> /home/me`) is never walked into: gc would delete what it leads to.
  if (notALink && lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
    unreadable(dir, 'it is a symbolic link, which the store never follows (remove it)');
    return [];
  }
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return readdirSync(dir);
  } catch (e) {
    if (deniedPath(e) === undefined) throw e;
    unreadable(dir, readWords(e)!);
    return [];
  }
}
