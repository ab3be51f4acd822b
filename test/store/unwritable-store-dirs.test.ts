import { chmodSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A directory of the store that a run writes in and this user may not
 * (`logs/`, `tmp/`, `objects/`: a store shared by several users, a `chmod`)
 * stops `run` before it records a run, in one line, exit 2: found by the
 * run, it was an internal error (`EACCES: permission denied, mkdir
 * '…/logs/2'`), or a failed job after its command had run.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-unwritable-store-dirs-')));
afterEach(() => rig.cleanup());

describe('a store directory the run may not write in', () => {
  it.each(['logs', 'tmp', 'objects'])('.shark/%s is refused before the run, exit 2', async (sub) => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', `---\nV: 1\n---\n# p\n\n\`\`\`shark-run\necho ran >> ${rig.path('counter')}; echo %{V} > /data/out.txt\n\`\`\`\n`);
    expect((await shark('run', 'p.md', '-e', 'V=1')).code).toBe(0);
    chmodSync(rig.path(`.shark/${sub}`), 0o555);
    try {
      const ran = await shark('run', 'p.md', '-e', 'V=2');
      noCrash(ran.stderr);
      expect(ran.stderr).toBe(`shark: error: the store at .shark cannot be written: cannot write in ${rig.path(`.shark/${sub}`)}: permission denied; \`shark run\` writes to it (run it as the store's owner, or give it a store of its own: --store DIR)\n`);
      expect(ran.stdout).toBe('');
      expect(ran.code).toBe(2);
      expect(rig.count()).toBe(1);
    } finally {
      chmodSync(rig.path(`.shark/${sub}`), 0o755);
    }
    expect((await shark('runs', 'p.md')).stdout.trim().split('\n')).toHaveLength(2); // a header and run 1
  });

  // A file in place of `logs/` passed the check (no directory there to be denied) and the run died making its folder:
  // `internal error: ENOTDIR: not a directory, mkdir '…/logs/2'`, leaving a run recorded as interrupted.
  it('.shark/logs a file is refused before the run, exit 2', async () => {
    rig.write('p.md', `# p\n\n\`\`\`shark-run\necho ran >> ${rig.path('counter')}; echo 1 > /data/out.txt\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rmSync(rig.path('.shark/logs'), { recursive: true });
    rig.write('.shark/logs', 'mine\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.stderr).toBe(`shark: error: the store at .shark cannot be written: ${rig.path('.shark/logs')} is not a directory; \`shark run\` writes in it (remove it, and Shark makes the folder again)\n`);
    expect(ran.code).toBe(2);
    expect(rig.read('.shark/logs')).toBe('mine\n');
    expect((await rig.shark(['runs', 'p.md'])).stdout.trim().split('\n')).toHaveLength(2); // a header and run 1
  });

  // A link in place of `tmp/` led the run's workspaces to the host directory behind it, which fsck did not check
  // and gc would not clean: refused before the run, as a file in place of `logs/` is.
  it.each(['tmp', 'objects', 'logs'])('.shark/%s a symbolic link is refused before the run, exit 2, nothing written through it', async (sub) => {
    rig.write('p.md', `# p\n\n\`\`\`shark-run\necho ran >> ${rig.path('counter')}; echo 1 > /data/out.txt\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('elsewhere/keep.txt', 'mine\n');
    rmSync(rig.path(`.shark/${sub}`), { recursive: true });
    symlinkSync(rig.path('elsewhere'), rig.path(`.shark/${sub}`));
    const ran = await rig.shark(['run', 'p.md', '--force', 'p']);
    expect(ran.stderr).toBe(`shark: error: the store at .shark cannot be written: ${rig.path(`.shark/${sub}`)} is a symbolic link, which the store never follows; \`shark run\` writes in it (remove the link, and Shark makes the folder again)\n`);
    expect(ran.code).toBe(2);
    expect(readdirSync(rig.path('elsewhere'))).toEqual(['keep.txt']);
  });

  // A folder of objects/ given mode 000: plan said the data was gone, and a run failed a job with the system's words.
  it('a folder of .shark/objects it may not use: plan warns why its data reads as gone, run is refused before it runs (exit 2)', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', `---\nV: 1\n---\n# p\n\n\`\`\`shark-run\necho %{V} > /data/out.txt\n\`\`\`\n`);
    expect((await shark('run', 'p.md')).code).toBe(0);
    const folder = readdirSync(rig.path('.shark/objects'))[0]!;
    chmodSync(rig.path(`.shark/objects/${folder}`), 0o000);
    try {
      const plan = await shark('plan', 'p.md');
      noCrash(plan.stderr);
      expect(plan.stderr).toContain(`shark: warning: the store at .shark is not all readable: its folder ${rig.path(`.shark/objects/${folder}`)} cannot be used: permission denied; \`shark fsck --repair\` gives the store's folders their mode back`);
      const ran = await shark('run', 'p.md', '-e', 'V=2');
      noCrash(ran.stderr);
      expect(ran.stderr).toMatch(/^shark: error: the store at \.shark cannot be written: its folder .*objects\/.. cannot be used: permission denied/);
      expect(ran.code).toBe(2);
    } finally {
      chmodSync(rig.path(`.shark/objects/${folder}`), 0o755);
    }
  });
});
