import { lstatSync, mkdirSync } from 'node:fs';

/**
 * Something other than a folder in place of the store's `quarantine/`:
 * nowhere to move damaged data aside. A file there made `mkdir` fail
 * (EEXIST), as a bug; a link there was followed, out of the store.
 */
export class QuarantineBlocked extends Error {}

/** `dir` (the store's `quarantine/`), made when missing; anything but a folder there is the user's, left as it is. */
export function quarantineFolder(dir: string): string {
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(dir);
  if (st.isDirectory()) return dir;
  const what = st.isSymbolicLink() ? 'is a symbolic link, which the store never follows' : 'is not a directory';
  throw new QuarantineBlocked(`cannot move damaged data aside: ${dir} ${what} (remove it: the store keeps the damaged data it finds there)`);
}
