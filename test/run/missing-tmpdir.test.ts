import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * TMPDIR naming no directory (a stale setting, a typo) is no reason for a
 * run to fail: Shark's own scratch files (a workspace's alias when the
 * store's path holds a space, the FIFO a job's `/dev/stderr` is without the native module) go to /tmp
 * instead, as Python's `tempfile` falls back. A job still sees TMPDIR as set.
 */

const DOC = '# t\n\n```shark-run\nseq 2 | tee /dev/stderr > /data/out.txt; cat /data/out.txt > seen.txt; echo "$TMPDIR" > tmpdir.txt\n```\n';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-missing-tmpdir-')));
afterEach(() => rig.cleanup());

describe('TMPDIR that names no directory', () => {
  // Without the native module (SHARK_NATIVE=off), a job's /dev/stderr is a FIFO made in a scratch directory.
  it.each([
    ['a missing directory', 'missing', 'on'], ['a file', 'file', 'on'], ['/proc, where even root makes no directory', '/proc', 'on'],
    ['a missing directory', 'missing', 'off'], ['/proc, where even root makes no directory', '/proc', 'off'],
  ])('%s: host jobs run as without it (native module %s)', async (_, name, native) => {
    rig.write('file', '');
    rig.write('a b/p.md', DOC);
    const tmp = name.startsWith('/') ? name : rig.path(name);
    const ran = await rig.shark(['run', 'p.md'], { cwd: 'a b', env: { TMPDIR: tmp, ...(native === 'off' ? { SHARK_NATIVE: 'off' } : {}) } });
    expect(ran.stdout + ran.stderr).not.toMatch(/mkdtemp|ENOENT|ENOTDIR/);
    expect(ran.code).toBe(0);
    expect(rig.read('a b/seen.txt')).toBe('1\n2\n');
    expect(rig.read('a b/tmpdir.txt')).toBe(`${tmp}\n`);
  });
});
