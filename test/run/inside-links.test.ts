import { symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

/**
 * A job that names a link inside /data (one an imported directory keeps, or
 * one a step made), or a path through one, is given what the link leads to
 * as well, resolved inside /data only: the link alone dangled in its
 * workspace. Its key holds the target's id, so a change of the target's
 * bytes re-runs it (the link's text alone never changes).
 */
const fence = '```';
let rig: Rig;
beforeEach(() => (rig = new Rig('shark-inside-links-')));
afterEach(() => rig.cleanup());

describe('a job reading a link that stays inside /data', () => {
  it('reads the target of a link kept inside an imported directory, and re-runs when it changes', async () => {
    rig.write('data/real.txt', 'hello\n');
    symlinkSync('real.txt', rig.path('data/alias.txt'));
    rig.write('p.md', `# F\n\n${fence}shark-import\ndata/ /data/in/\n${fence}\n\n${fence}shark-run {id=read}\ncat /data/in/alias.txt > /data/out.txt\n${fence}\n\n${fence}shark-publish\n/data/out.txt\n${fence}\n`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/out.txt')).toBe('hello\n');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    rig.write('data/real.txt', 'changed\n');
    expect(toRun(await rig.plan('p.md'))).toContain('read');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/out.txt')).toBe('changed\n');
  });

  it('reads through links a step made: to a file, and to a directory on the way', async () => {
    rig.write('s.md', `${fence}shark-run\nmkdir -p /data/d/sub && echo one > /data/d/real && echo two > /data/d/sub/x && ln -s real /data/d/alias && ln -s sub /data/d/via && ln -s ../d/alias /data/d/chain\n${fence}\n\n${fence}shark-run\ncat /data/d/alias /data/d/via/x /data/d/chain > /data/out.txt\n${fence}\n\n${fence}shark-publish\n/data/out.txt\n${fence}\n`);
    const ran = await rig.shark(['run', 's.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/out.txt')).toBe('one\ntwo\none\n');
    expect(toRun(await rig.plan('s.md'))).toEqual([]);
  });
});
