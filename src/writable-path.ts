import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { shownName } from './printable.js';
import { pathProblem, readProblem } from './read-problem.js';

/**
 * Why a file Shark is asked to write (`shell --save`, `run -o`) could not be
 * written, checked before the work that produces it so that a typo costs
 * nothing: PATH is a directory, or it (or its directory, for a new file) is
 * missing or not writable. `replaced`: the file is written beside PATH and
 * renamed over it, so its directory must be writable even when PATH exists.
 */
export function unwritable(path: string, replaced = false): string | undefined {
  const dir = dirname(path);
  if (isDirectory(path)) return 'it is a directory';
  const unreachable = pathProblem(path);
  if (unreachable !== undefined) return unreachable;
  if (!isDirectory(dir)) return `no such directory ${shownName(dir)}`;
  try {
    accessSync(existsSync(path) && !replaced ? path : dir, constants.W_OK);
    return undefined;
  } catch (e) {
    return writeError(path, e);
  }
}

/** A failed write in words: which part of the path is wrong. */
export function writeError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const dir = dirname(path);
  if (code === 'ENOENT' || code === 'ENOTDIR') return isDirectory(dir) ? `cannot create a file in ${shownName(dir)}` : `no such directory ${shownName(dir)}`;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  return readProblem(e);
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
