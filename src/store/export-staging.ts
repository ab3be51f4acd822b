import { createHash } from 'node:crypto';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pidAlive } from './liveness.js';
import { makeDirs } from './make-dirs.js';
import { removeTree } from './owner-access.js';
import { writeError } from '../writable-path.js';

/**
 * Where `exportTo` makes its copy (`staged`) and moves the previous one
 * aside (`old`), beside the published path, named by this process. What a
 * publish killed half-way left there (named by a process that is gone) is
 * removed first, so a published directory never keeps a stray copy of
 * itself next to it; another live process's is left alone. The directory
 * is made if it is missing (by makeDirs: mkdirSync's `recursive` says
 * ENOENT where one cannot be made for another reason, a read-only file system).
 * A name too long to take the suffix (file names end at 255 bytes) is
 * stood for by a digest of itself.
 */
export function exportStaging(hostPath: string): { readonly staged: string; readonly old: string } {
  const dir = dirname(hostPath);
  makeDirs(dir);
  const prefix = `${stagingName(basename(hostPath))}.shark-`;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // Unreadable: nothing of ours to clean up can be found.
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !pidAlive(Number(pid))) removeIfCan(join(dir, name));
  }
  return { staged: join(dir, `${prefix}tmp-${process.pid}`), old: join(dir, `${prefix}old-${process.pid}`) };
}

/**
 * Publishes at `hostPath` what `make` writes at the path it is given: made
 * beside it (`exportStaging`), removed if `make` fails half-way (a full
 * disk: left, it would keep that disk full), then put in place with the
 * previous copy moved aside rather than deleted before the rename (another
 * process may publish the same path).
 */
export async function exportStaged(hostPath: string, make: (staged: string) => Promise<void> | void): Promise<void> {
  const { staged, old } = exportStaging(hostPath);
  rmSync(staged, { recursive: true, force: true });
  try {
    await make(staged);
  } catch (e) {
    rmSync(staged, { recursive: true, force: true });
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(hostPath, old);
  } catch {
    // Nothing published there yet.
  }
  try {
    renameSync(staged, hostPath);
  } catch (e) {
    // Refused (another user's file in a sticky folder): no copy is left beside it, and the previous one is put back.
    removeIfCan(staged);
    try {
      renameSync(old, hostPath);
    } catch {
      // Nothing was moved aside.
    }
    throw new Error(`cannot replace ${hostPath}: ${writeError(hostPath, e)}`);
  }
  // Published: the copy moved aside goes if it can (one its user made read-only, `chmod 555`, is opened first);
  // one that cannot be removed (another user's) is left, not a failure of the publish, nor of every later one.
  removeIfCan(old);
}

/** `rm -rf`, the modes their owner set that stop it opened first; what still cannot be removed is left. */
function removeIfCan(path: string): void {
  try {
    removeTree(path);
  } catch {
    // Another user's: left where it is, under a name no later publish stops at.
  }
}

/** The longest suffix `exportStaging` adds: `.shark-tmp-` and a pid (at most 7 digits on Linux), with room to spare. */
const SUFFIX_BYTES = 32;

/** The name the staged copies of `name` start with: the name itself, or a digest when the suffix would take it past 255 bytes. */
function stagingName(name: string): string {
  if (Buffer.byteLength(name) + SUFFIX_BYTES <= 255) return name;
  return `.${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}
