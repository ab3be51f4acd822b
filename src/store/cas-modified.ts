import { lstatSync, type Stats } from 'node:fs';
import type { CasObjects } from './cas-objects.js';
import type { PlacedLink } from './cas-workspaces.js';

/**
 * Whether a job's hard link to a stored object shows a write: its own link
 * first, the inode it was given, which another job checking first and
 * quarantining the object cannot hide from it. One the job moved or
 * replaced (what most tools do, and harmless) leaves the object to tell.
 * Size and modification time are compared, not the change time: other
 * jobs linking and unlinking the same object move that. So a write that
 * keeps both the size and the time is for `shark fsck` (docs/store.md).
 * `damaged`: the object file still is the damaged inode, to quarantine.
 */
export function linkWritten(objects: CasObjects, l: PlacedLink): { written: boolean; damaged: boolean } {
  const own = statOrUndefined(l.host);
  if (own?.isFile() === true && own.ino === l.ino) {
    if (own.size === l.size && own.mtimeMs === l.mtimeMs) return { written: false, damaged: false };
    return { written: true, damaged: statOrUndefined(objects.pathOf(l.id))?.ino === l.ino };
  }
  const changed = objects.check(l.id, true) === 'changed';
  return { written: changed, damaged: changed };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
