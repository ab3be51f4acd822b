import { lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Owner } from './object-write.js';

/** The store's own folders and files a run makes beside its objects, each given to the store's owner by a root run. */
const TOP = ['shark.sqlite', 'shark.sqlite-wal', 'shark.sqlite-shm', 'objects', 'tmp', 'logs', 'quarantine', 'lineage', 'slurm'];
/** Of those, the folders whose own folders (`objects/3c`, `logs/12`) are made by runs too. */
const FANNED = ['objects', 'logs'];

/**
 * Gives the store's folders and database to its owner (`owner`: Shark runs
 * as root in a store another user made): objects were theirs already, but a
 * root run's new `objects/3c`, `logs/12` and database files were root's, and
 * locked the owner out of the next run (`permission denied` on the folder,
 * which neither they nor `fsck --repair` could give back). A few hundred
 * `lstat`s; what cannot be changed is left.
 */
export function giveFoldersToOwner(metaDir: string, owner: Owner | undefined): void {
  // Root's own store (the usual case as root): nothing to give, and no folder looked at.
  if (owner === undefined || owner.uid === process.getuid?.()) return;
  const give = (path: string): boolean => {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) return false;
    try {
      if (st.uid !== owner.uid || st.gid !== owner.gid) lchownSync(path, owner.uid, owner.gid);
    } catch {
      // Not ours to change after all (a read-only file system): left as it is.
    }
    return st.isDirectory();
  };
  for (const name of TOP) {
    const path = join(metaDir, name);
    if (!give(path) || !FANNED.includes(name)) continue;
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      // Unreadable: nothing below is given.
    }
    for (const sub of names) {
      const at = join(path, sub);
      // A run's log folder holds its jobs' logs: the folder is the owner's, so they can remove them; an object is given as written.
      if (lstatSync(at, { throwIfNoEntry: false })?.isDirectory() === true) give(at);
    }
  }
}
