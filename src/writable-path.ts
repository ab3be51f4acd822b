import { accessSync, constants, existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
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

/**
 * Why nothing can be made at `path`: the nearest directory on its way that
 * exists (its own, or the first one up when that is still to be made) may
 * not be written in, named as `cp` names it (`cannot write in DIR:
 * permission denied`, `read-only file system`). Undefined when it may, or
 * when what is there is no directory (another check says so).
 */
export function deniedOnTheWay(path: string): string | undefined {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    // A link that leads nowhere on the way (a scratch disk not mounted): no directory can be made through it.
    if (lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
      return `${shownName(dir)} is a symbolic link to ${shownName(readlinkSync(dir))}, which leads nowhere (make or mount what it names, or remove the link)`;
    }
    dir = dirname(dir);
  }
  if (!isDirectory(dir)) return undefined;
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    return `cannot write in ${dir}: ${readProblem(e)}`;
  }
}

/** A failed write in words: which part of the path is wrong. */
export function writeError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const dir = dirname(path);
  if (code === 'ENOENT' || code === 'ENOTDIR') return isDirectory(dir) ? `cannot create a file in ${shownName(dir)}` : `no such directory ${shownName(dir)}`;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return readProblem(e);
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
