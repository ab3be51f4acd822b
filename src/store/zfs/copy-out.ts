import { chmodSync, constants, copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DIR_MODE, executable, publishedMode } from '../file-modes.js';
import { exportedLinkTarget } from '../safe-path.js';
import { refuseSpecial } from '../special-file.js';
import { copyHashing } from './scan.js';

/** Any of the setuid, setgid and sticky bits. */
const SPECIAL_BITS = 0o7000;

/**
 * Copies data out of a snapshot (a publish, a crate, a view) as the directory
 * store writes it: files 0644, or 0755 when executable, directories 0755. No
 * setuid or setgid file is written, even for a moment (`copyFile` gives a copy
 * its source's mode before it can be changed): a snapshot taken by an older
 * Shark may hold one. With `at`, the /data path of the copy, each link into
 * /data is made relative, as a job gets it (`exportedLinkTarget`), so it
 * never leads to the host's /data.
 */
export function copyOutOfSnapshot(from: string, to: string, at: string | undefined): void {
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(from);
    symlinkSync(at === undefined ? target : exportedLinkTarget(target, at), to);
    return;
  }
  if (st.isDirectory()) {
    mkdirSync(to, 0o700);
    for (const name of readdirSync(from)) copyOutOfSnapshot(join(from, name), join(to, name), at === undefined ? undefined : `${at}/${name}`);
    chmodSync(to, DIR_MODE);
    return;
  }
  refuseSpecial(from, st);
  const mode = publishedMode(executable(st.mode));
  if ((st.mode & SPECIAL_BITS) === 0) copyFileSync(from, to, constants.COPYFILE_EXCL);
  else copyHashing(from, to, mode);
  chmodSync(to, mode);
}
