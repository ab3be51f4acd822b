import { lstatSync, type Stats } from 'node:fs';
import type { CasObjects } from './cas-objects.js';
import type { PlacedLink } from './cas-workspaces.js';
import { modeChangedAt } from './object-file.js';

/**
 * What a job did to the stored object behind one of its hard links:
 * nothing, changed only its mode (`chmod`: the bytes are sound, the mode is
 * put back), or wrote to it (`bytes`).
 */
export type LinkChange = 'none' | 'mode' | 'bytes' | 'replaced';

/**
 * Whether a job's hard link to a stored object shows a write: its own link
 * first, the inode it was given, which another job checking first and
 * quarantining the object cannot hide from it. One the job moved or
 * removed leaves the object to tell; one replaced by another file (`sed -i`,
 * `perl -pi`: the store is sound) is `replaced`, the job's change being lost.
 * Size and modification time are compared, not the change time: other
 * jobs linking and unlinking the same object move that. So a write that
 * keeps both the size and the time is for `shark fsck` (docs/store.md).
 * The mode is compared too: a `chmod` of an input changes the object every
 * later job is given (`chmod a-x` of a tool, `chmod 4777`).
 * `damaged`: the object file still is the damaged inode, to quarantine.
 */
export function linkWritten(objects: CasObjects, l: PlacedLink): { change: LinkChange; damaged: boolean } {
  const own = statOrUndefined(l.host);
  if (own?.isFile() === true && own.ino === l.ino) {
    const change = own.size !== l.size || own.mtimeMs !== l.mtimeMs ? 'bytes' : (own.mode & 0o7777) !== (l.mode & 0o7777) ? 'mode' : 'none';
    return { change, damaged: change !== 'none' && statOrUndefined(objects.pathOf(l.id))?.ino === l.ino };
  }
  if (objects.check(l.id, true) === 'changed') return { change: 'bytes', damaged: true };
  const moded = modeChangedAt(objects.pathOf(l.id), l.id);
  return { change: moded ? 'mode' : own !== undefined ? 'replaced' : 'none', damaged: moded };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
