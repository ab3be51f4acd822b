import { accessSync, constants, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readProblem } from '../read-problem.js';
import type { SnapshotStore } from '../store/snapshot-store.js';

/**
 * The folders of a content-addressed store's `objects/` (one per first byte
 * of a hash: 256 at most) this user may not list, enter or write (a `chmod
 * 000`, another user's), each with why. Their objects read as missing to a
 * plan (`the previous result's data is no longer in the store`), and a run
 * committing into one failed its job with the system's words.
 */
export function deniedObjectFolders(store: Pick<SnapshotStore, 'writtenDirs'>, write: boolean): { dir: string; why: string }[] {
  const objects = store.writtenDirs?.find((d) => basename(d) === 'objects');
  if (objects === undefined) return [];
  let names: string[];
  try {
    names = readdirSync(objects);
  } catch {
    return []; // Said of `objects/` itself where the store's directories are checked.
  }
  const denied: { dir: string; why: string }[] = [];
  for (const name of names) {
    const dir = join(objects, name);
    try {
      accessSync(dir, constants.R_OK | constants.X_OK | (write ? constants.W_OK : 0));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') denied.push({ dir, why: readProblem(e) });
    }
  }
  return denied;
}

/** What is said of such folders: the first, how many, and the way out. */
export function deniedFoldersMessage(denied: readonly { dir: string; why: string }[]): string {
  const more = denied.length > 1 ? ` (and ${denied.length - 1} more)` : '';
  return `its folder ${denied[0]!.dir}${more} cannot be used: ${denied[0]!.why}; \`shark fsck --repair\` gives the store's folders their mode back (or \`chmod u+rwx\` them)`;
}
