import { readdirSync, statSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';
import { BASE, describeDocker } from './rig.js';

const fence = '```';

/**
 * A container step's outputs are handed back to the user who runs Shark
 * (the owner fix), then made readable to them: a directory or a file the
 * step left at mode 000 is stored as it is when root runs Shark, and a
 * failed job's workspace holding one is removed.
 */
describeDocker('container outputs of mode 000, as a user other than root', (client) => {
  let rig: Rig;
  let as: ReturnType<typeof unprivileged>;
  beforeEach(() => {
    rig = new Rig('shark-docker-odd-modes-');
    // In the group of the engine's socket, to reach it.
    const socket = client.endpoint.kind === 'unix' ? client.endpoint.socketPath : '/var/run/docker.sock';
    as = unprivileged(rig, [statSync(socket).gid]);
  });
  afterEach(() => rig.cleanup());

  const listed = (): string[] => readdirSync(rig.path('.shark/tmp')).filter((n) => /^(ws|in|trash)-/.test(n));
  // What the run left, once the pile it threw away is removed: in the background, after it exits (cas-workspaces.ts).
  const leftIn = async (): Promise<string[]> => {
    for (let i = 0; i < 100 && listed().length > 0; i++) await new Promise((done) => setTimeout(done, 50));
    return listed();
  };

  it.each([
    ['a directory', 'mkdir -p /data/d; echo x > /data/d/f; chmod 000 /data/d', '/data/d/', 'd/f'],
    ['a file', 'echo x > /data/f; chmod 000 /data/f', '/data/f', 'f'],
  ])('%s of mode 000 is stored, and no workspace is left', async (_, command, output, published) => {
    if (as.skip !== undefined) return;
    rig.write('z.md', `# Zero\n\n${fence}shark-build:aeown\nFROM ${BASE}\n${fence}\n\n${fence}shark-run:aeown\n${command}\n${fence}\n\n${fence}shark-publish\n${output}\n${fence}\n`);
    const ran = await as.shark('run', 'z.md');
    noCrash(ran.stderr);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read(`_shark/${published}`)).toBe('x\n');
    expect(await leftIn()).toEqual([]);
  });

  it.each([
    ['an image whose USER is not root', 'USER 1234', 'id -u > /data/who.txt'],
    ['a job that exec-s its last program', '', 'exec id -u > /data/who.txt'],
    ['a job with a trap of its own', '', "trap 'true' EXIT; id -u > /data/who.txt"],
  ])('%s: its outputs are handed back and stored (every job writing one failed with EPERM)', async (_, user, command) => {
    if (as.skip !== undefined) return;
    rig.write('u.md', `# User\n\n${fence}shark-build:aeown\nFROM ${BASE}\n${user}\n${fence}\n\n${fence}shark-run:aeown\n${command}\n${fence}\n\n${fence}shark-publish\n/data/who.txt\n${fence}\n`);
    const ran = await as.shark('run', 'u.md');
    noCrash(ran.stderr);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/who.txt')).toBe(user === '' ? '0\n' : '1234\n');
    expect(await leftIn()).toEqual([]);
  });

  it('a job killed at its timeout leaves nothing this user cannot remove', async () => {
    if (as.skip !== undefined) return;
    rig.write('t.md', `# Slow\n\n${fence}shark-build:aeown\nFROM ${BASE}\n${fence}\n\n${fence}shark-run:aeown {timeout=3}\nmkdir -p /data/slow && echo hi > /data/slow/x.txt && sleep 30\n${fence}\n`);
    const ran = await as.shark('run', 't.md');
    noCrash(ran.stderr);
    expect(ran.code).toBe(1);
    expect(await leftIn()).toEqual([]);
  });

  it('removes the workspace of a failed job that left a directory of mode 000', async () => {
    if (as.skip !== undefined) return;
    rig.write('f.md', `# Fail\n\n${fence}shark-build:aeown\nFROM ${BASE}\n${fence}\n\n${fence}shark-run:aeown\nmkdir -p /data/d; echo x > /data/d/f; chmod 000 /data/d; exit 3\n${fence}\n`);
    const ran = await as.shark('run', 'f.md');
    noCrash(ran.stderr);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('error: exit status 3');
    expect(await leftIn()).toEqual([]);
    const gc = await as.shark('gc', 'f.md', '--delete');
    noCrash(gc.stderr);
  });
});
