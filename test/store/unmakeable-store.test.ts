import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A store Shark cannot make (its directory, or its database in a directory
 * it may not write in) is one line that says where and why, as `mkdir`
 * does: never Node's `EACCES: permission denied, mkdir '…'`, nor SQLite's
 * bare `unable to open database file`.
 */

const DOC = '# t\n\n```shark-run\necho hi > /data/out.txt\n```\n';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-unmakeable-store-')));
afterEach(() => rig.cleanup());

describe('a store that cannot be made', () => {
  it('beside a document in a directory Shark may not write in: names the directory, exit 2', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('doc/p.md', DOC);
    chmodSync(rig.path('doc'), 0o555);
    for (const command of ['run', 'plan']) {
      const ran = await shark(command, 'doc/p.md');
      noCrash(ran.stderr);
      expect({ command, stderr: ran.stderr, code: ran.code }).toEqual({ command, code: 2,
        stderr: `shark: error: cannot open the store at ${rig.path('doc/.shark')}: cannot make the directory ${rig.path('doc/.shark')}: permission denied\n` });
    }
  });

  it('in an empty store directory Shark may not write in: names it, exit 2', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', DOC);
    mkdirSync(rig.path('.shark'));
    chmodSync(rig.path('.shark'), 0o555);
    const ran = await shark('run', 'p.md');
    noCrash(ran.stderr);
    expect(ran.stderr).toBe(`shark: error: cannot open the store at ${rig.path('.shark')}: cannot write in ${rig.path('.shark')}: permission denied\n`);
    expect(ran.code).toBe(2);
  });

  it.each(['afile', '/dev/null'])('--store %s, no directory: says so, exit 2', async (store) => {
    rig.write('p.md', DOC);
    rig.write('afile', 'x\n');
    const ran = await rig.shark(['run', 'p.md', '--store', store]);
    expect(ran.stderr).toBe(`shark: error: cannot open the store at ${store.startsWith('/') ? store : rig.path(store)}: it is not a directory\n`);
    expect(ran.code).toBe(2);
    expect(rig.read('afile')).toBe('x\n');
  });

  it('under /proc: says mkdir failed, in words', async () => {
    rig.write('p.md', DOC);
    const ran = await rig.shark(['plan', 'p.md', '--store', '/proc/nope/deeper']);
    expect(ran.stderr).toBe('shark: error: cannot open the store at /proc/nope/deeper: cannot make the directory /proc/nope: no such file\n');
    expect(ran.code).toBe(2);
  });

  it('with a file where it keeps a folder (tmp/, objects/): says to remove it, for plan and runs too, exit 2', async () => {
    rig.write('p.md', DOC);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    for (const folder of ['tmp', 'objects']) {
      rmSync(rig.path(`.shark/${folder}`), { recursive: true, force: true });
      rig.write(`.shark/${folder}`, '');
      for (const command of ['plan', 'runs']) {
        const ran = await rig.shark([command, 'p.md']);
        expect({ command, stderr: ran.stderr, code: ran.code }).toEqual({ command, code: 2,
          stderr: `shark: error: cannot open the store at ${rig.path('.shark')}: ${rig.path(`.shark/${folder}`)} is not a directory (remove it, and Shark makes the folder again)\n` });
      }
      rmSync(rig.path(`.shark/${folder}`));
    }
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });

  it('under /proc: not a full disk (it has no blocks at all), exit 2', async () => {
    rig.write('p.md', DOC);
    const ran = await rig.shark(['plan', 'p.md', '--store', '/proc/sys']);
    expect(ran.stderr).not.toContain('disk is full');
    expect(ran.stderr).toMatch(/^shark: error: cannot open the store at \/proc\/sys: /);
    expect(ran.code).toBe(2);
  });
});
