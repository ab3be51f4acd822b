import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

const fence = '```';

/** A step that leaves its outputs unreadable to their owner: a directory and a file of mode 000. */
const ZERO = `# Zero

${fence}shark-run {id=zero}
mkdir -p /data/d; echo x > /data/d/f; chmod 000 /data/d; echo y > /data/g; chmod 000 /data/g
${fence}

${fence}shark-publish
/data/d/
/data/g
${fence}
`;

/** A directory published whole, its file holding `word`. */
const doc = (word: string): string => `# Pub\n\n${fence}shark-run\nmkdir -p /data/o && echo ${word} > /data/o/x.txt\n${fence}\n\n${fence}shark-publish\n/data/o/\n${fence}\n`;

/** The workspaces, staging and trash left in the store's `tmp/`. */
const leftIn = (rig: Rig): string[] => readdirSync(rig.path('.shark/tmp')).filter((n) => /^(ws|in|trash)-/.test(n));

/**
 * What a step leaves with odd modes is its owner's to read and remove: as
 * anyone but root (who reads and removes whatever the mode), Shark stores
 * outputs of mode 000, removes a failed job's workspace holding them, and
 * gc removes a killed run's.
 */
describe('outputs and workspaces of mode 000, as a user other than root', () => {
  let rig: Rig;
  let as: ReturnType<typeof unprivileged>;
  beforeEach(() => {
    rig = new Rig();
    as = unprivileged(rig);
  });
  afterEach(() => rig.cleanup());

  it('stores a directory and a file of mode 000 as their contents, and leaves no workspace', async () => {
    if (as.skip !== undefined) return;
    rig.write('z.md', ZERO);
    const ran = await as.shark('run', 'z.md');
    noCrash(ran.stderr);
    expect(ran.code, ran.stderr).toBe(0);
    expect(rig.read('_shark/d/f')).toBe('x\n');
    expect(rig.read('_shark/g')).toBe('y\n');
    expect(leftIn(rig)).toEqual([]);
    expect((await as.shark('run', 'z.md')).stdout).toMatch(/ok: 0 run, 1 cached/);
  });

  it('refuses to publish over a published directory its user made unreadable, saying so (an internal error)', async () => {
    if (as.skip !== undefined) return;
    rig.write('p.md', doc('x'));
    expect((await as.shark('run', 'p.md')).code).toBe(0);
    chmodSync(rig.path('_shark/o'), 0o000);
    rig.write('p.md', doc('y'));
    const ran = await as.shark('run', 'p.md');
    noCrash(ran.stderr);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`_shark/o cannot be read (permission denied): Shark cannot tell what it holds, nor replace it (give it back its mode, chmod u+rwx, or move it away)`);
    chmodSync(rig.path('_shark/o'), 0o755);
  });

  it('publishes over a published directory its user made read-only (chmod 555), leaving no copy of it beside', async () => {
    if (as.skip !== undefined) return;
    rig.write('p.md', doc('x'));
    expect((await as.shark('run', 'p.md')).code).toBe(0);
    chmodSync(rig.path('_shark/o'), 0o555);
    for (const word of ['y', 'z']) {
      rig.write('p.md', doc(word));
      const ran = await as.shark('run', 'p.md');
      noCrash(ran.stderr);
      // The old copy could not be emptied: a raw EACCES, its copy left beside, and every later run failed the same way.
      expect([ran.code, ran.stdout]).toEqual([0, expect.stringContaining('ok: 1 run')]);
      expect(rig.read('_shark/o/x.txt')).toBe(`${word}\n`);
      expect(readdirSync(rig.path('_shark'))).toEqual(['o']);
    }
  });

  it('removes the workspace of a failed job that left a directory of mode 000', async () => {
    if (as.skip !== undefined) return;
    rig.write('f.md', `# Fail\n\n${fence}shark-run {id=fail}\nmkdir -p /data/d/e; echo x > /data/d/e/f; chmod 000 /data/d/e; chmod 500 /data/d; exit 3\n${fence}\n`);
    const ran = await as.shark('run', 'f.md');
    noCrash(ran.stderr);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('f.md:4:1: error: exit status 3');
    expect(leftIn(rig)).toEqual([]);
  });

  it('gc --delete removes a killed run\'s workspace holding a directory of mode 000', async () => {
    if (as.skip !== undefined) return;
    rig.write('p.md', `# P\n\n${fence}shark-run\necho p > /data/p.txt\n${fence}\n`);
    expect((await as.shark('run', 'p.md')).code).toBe(0);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const ws = rig.write(`.shark/tmp/ws-${dead}-p-abcdef/data/d/e/f`, 'x\n');
    const owned = [ws, ...['/e', '', '/..', '/../..', '/../../..'].map((up) => rig.path(`.shark/tmp/ws-${dead}-p-abcdef/data/d${up}`))];
    if (process.getuid?.() === 0) for (const p of owned) chownSync(p, 65534, 65534);
    chmodSync(rig.path(`.shark/tmp/ws-${dead}-p-abcdef/data/d/e`), 0o000);
    chmodSync(rig.path(`.shark/tmp/ws-${dead}-p-abcdef/data/d`), 0o500);
    const gc = await as.shark('gc', 'p.md', '--delete');
    noCrash(gc.stderr);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/^removed 1 working folder left by killed runs/m);
    expect(leftIn(rig)).toEqual([]);
  });
});
