import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { expect } from 'vitest';
import type { Rig, SharkOptions } from './rig.js';

/** The user `nobody` (uid and gid 65534): who runs shark when the tests run as root. */
const NOBODY = 65534;

/**
 * How to run shark so that file permissions apply to it: root reads every
 * file whatever its mode, so as root shark runs as `nobody` through
 * `setpriv`, in a rig made writable by all, in no group but `groups` (the
 * docker group's id, to reach the engine); as anyone else, as itself.
 * `skip` says why it cannot (root without `setpriv`); `shark` runs it so.
 */
export function unprivileged(rig: Rig, groups: readonly number[] = []): { options: SharkOptions; skip: string | undefined; shark: (...args: string[]) => ReturnType<Rig['shark']> } {
  const as = (options: SharkOptions, skip?: string): ReturnType<typeof unprivileged> => ({ options, skip, shark: (...args) => rig.shark(args, options) });
  if (process.getuid?.() !== 0) return as({});
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
  } catch {
    return as({}, 'running as root without setpriv: root reads files whatever their mode');
  }
  chmodSync(rig.dir, 0o777);
  const wrap = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, groups.length === 0 ? '--clear-groups' : `--groups=${groups.join(',')}`];
  return as({ wrap, env: { HOME: rig.dir, SHARK_CODE_CACHE: 'off' } });
}

/** What a refused file must never give: an internal error or a stack trace. */
export function noCrash(stderr: string): void {
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}
