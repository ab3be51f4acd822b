import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { outputsOf } from './run-rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250', LC_ALL: 'C.UTF-8' };

/**
 * A job on a Slurm node runs in the environment of the `shark run` that
 * submitted it (sbatch's --export=ALL), as a local run's job does: Shark
 * runs Slurm's own commands in the C locale to read them, and that locale
 * must not reach the job (`wc -m`, `sort`, `grep -i` answer otherwise).
 */
describeSlurm('the locale of a job run on a Slurm node', () => {
  let local: Rig;
  let rig: Rig;
  beforeEach(() => {
    local = new Rig('shark-slurm-locale-local-');
    rig = new Rig('shark-slurm-locale-');
    for (const r of [local, rig]) {
      r.write('p.md', ['# Chars', '', `${fence}shark-run`, 'echo "${LC_ALL-unset} $(printf \'\\303\\251\' | wc -m)" > /data/chars.txt', fence, '',
        `${fence}shark-publish`, '/data/chars.txt', fence, ''].join('\n'));
    }
  });
  afterEach(() => {
    local.cleanup();
    rig.cleanup();
  });

  it('is the submitter\'s, not the C locale Shark reads Slurm in: the bytes of a local run', async () => {
    expect((await local.shark(['run', 'p.md'], { env })).code).toBe(0);
    expect(local.read('_shark/chars.txt')).toBe('C.UTF-8 1\n');
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/chars.txt')).toBe('C.UTF-8 1\n');
    expect(await outputsOf(rig, 'p.md')).toEqual(await outputsOf(local, 'p.md'));
  }, 60_000);
});
