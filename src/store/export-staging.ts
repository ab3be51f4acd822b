import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pidAlive } from './liveness.js';
import { makeDirs } from './make-dirs.js';

/**
 * Where `exportTo` makes its copy (`staged`) and moves the previous one
 * aside (`old`), beside the published path, named by this process. What a
 * publish killed half-way left there (named by a process that is gone) is
 * removed first, so a published directory never keeps a stray copy of
 * itself next to it; another live process's is left alone. The directory
 * is made if it is missing (by makeDirs: mkdirSync's `recursive` says
 * ENOENT where one cannot be made for another reason, a read-only file system).
 */
export function exportStaging(hostPath: string): { readonly staged: string; readonly old: string } {
  const dir = dirname(hostPath);
  makeDirs(dir);
  const prefix = `${basename(hostPath)}.shark-`;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // Unreadable: nothing of ours to clean up can be found.
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !pidAlive(Number(pid))) rmSync(join(dir, name), { recursive: true, force: true });
  }
  return { staged: `${hostPath}.shark-tmp-${process.pid}`, old: `${hostPath}.shark-old-${process.pid}` };
}
