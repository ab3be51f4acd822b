import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync, rmSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { deniedPath } from './unreadable.js';

/**
 * What a step leaves is its owner's, whatever the modes it gave it: root
 * reads and removes a directory or a file of mode 000, anyone else only
 * after a `chmod`. These give the user running Shark what root has, on what
 * is theirs (a host step's files, a container step's handed back by the
 * owner fix): what is another's stays as it is, for the read or the removal
 * after to report.
 *
 * Paths are walked without following a link, and changed by path once seen
 * to be a real directory or file: only the user's own processes could swap
 * one for a link meanwhile (the job is over, its container gone), and they
 * could change that file's mode themselves.
 */

/** Bits added to a directory: list, enter, and remove what is in it. */
const DIR_BITS = 0o700;
/** Bits added to a file: read. */
const FILE_BITS = 0o400;

/**
 * Makes the output `path` (a `/data` path) of the workspace `root`
 * readable to its owner before it is checked and stored, as it is to root:
 * `u+rwx` on the directories on its way (`chmod 000 /data/a` hides
 * /data/a/b) and in it, `u+r` on its files. Nothing to do as root.
 */
export function readableToOwner(root: string, path: string): void {
  if (process.getuid?.() === 0) return;
  let at = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    at = `${at}/${part}`;
    if (at === root + path) break;
    const st = lstatSync(at, { throwIfNoEntry: false });
    // A link on its way is the commit's to refuse; nothing is done through it.
    if (st?.isDirectory() !== true) return;
    if ((st.mode & DIR_BITS) !== DIR_BITS) tryChmod(at, st.mode | DIR_BITS);
  }
  grant(root + path, true);
}

/**
 * Makes the tree `dir` its owner's to read, enter and move, as it is
 * root's: what a tool unpacked there keeps the modes its archive gave
 * (a directory of mode 555 cannot be moved, one of 000 cannot be read),
 * which are the archive's, not Shark's to stop at. Nothing to do as root.
 */
export function openToOwner(dir: string): void {
  if (process.getuid?.() !== 0) grant(dir, true);
}

/**
 * `rm -rf path`, with the modes that stop it (a directory of mode 000 or
 * 500 a job left) opened to their owner first: a workspace is the user's
 * to remove whatever its job did to it. Throws what still stops it.
 */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (e) {
    // A tree deeper than Node's removal can walk (a job's 2,500 nested directories: its recursion overflows the
    // stack, or a path grows past PATH_MAX): `rm`, which walks by descriptors.
    if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ENAMETOOLONG') return removeDeep(path, e as Error);
    if (deniedPath(e) === undefined) throw e;
    // Only directories matter to a removal: a file is unlinked whatever its mode.
    grant(path, false);
    rmSync(path, { recursive: true, force: true });
  }
}

function removeDeep(path: string, cause: Error): void {
  const rm = spawnSync('rm', ['-rf', '--', path], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (rm.status !== 0) throw new Error(`cannot remove ${path}: ${rm.stderr.trim() || cause.message}`);
}

/**
 * Gives a folder of the store its user can no longer list or enter (a
 * `chmod 000` of `objects/AB`) the mode of the folder it is in, `u+rwx`
 * at least: the mode both were made with. Whether it was changed (not when
 * it is another's, or no folder).
 */
export function reopenFolder(path: string): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory() !== true) return false;
  const mode = (lstatSync(dirname(path)).mode & 0o777) | DIR_BITS;
  return (st.mode & 0o7777) !== mode && tryChmod(path, mode);
}

function grant(path: string, files: boolean): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (files && st?.isFile() === true && (st.mode & FILE_BITS) === 0) tryChmod(path, st.mode | FILE_BITS);
  if (st?.isDirectory() !== true) return;
  if ((st.mode & DIR_BITS) !== DIR_BITS) tryChmod(path, st.mode | DIR_BITS);
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return; // Another's: left for the read or the removal to report.
  }
  // A link is never followed; a file is not even looked at for a removal.
  for (const e of entries) if (e.isDirectory() || (files && e.isFile())) grant(join(path, e.name), files);
}

function tryChmod(path: string, mode: number): boolean {
  try {
    chmodSync(path, mode & 0o7777);
    return true;
  } catch {
    // Not the user's (EPERM): left as it is.
    return false;
  }
}
