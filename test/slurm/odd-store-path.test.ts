import { afterEach, describe, expect, it } from 'vitest';
import { sbatchArgs, slurmLiteral } from '../../src/exec/slurm/args.js';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };
const doc = ['# Odd', '', `${fence}shark-run`, 'mkdir -p /data/in/ && cd /data/in/ && echo 1 > 1.txt && echo 2 > 2.txt', fence, '', `${fence}shark-run`, 'cat /data/in/* > /data/out/+', fence, ''].join('\n');

describe('the Slurm output pattern of a submission directory', () => {
  it('keeps a % of the directory literal (%%): Slurm read `100%x` as the job name', () => {
    expect(slurmLiteral('/s/100%x/sub')).toBe('/s/100%%x/sub');
  });

  it('refuses a backslash, with which Slurm expands no %a at all, instead of submitting a job that cannot start', () => {
    const args = sbatchArgs({ name: 'n', output: '/s/back\\slash/slurm-%a.out' });
    expect(args.ok).toBe(false);
    expect(args.ok ? '' : args.message).toContain('backslash');
  });
});

describeSlurm('run --executor slurm from a directory whose name Slurm would expand', () => {
  let rig: Rig | undefined;
  afterEach(() => rig?.cleanup());

  it('runs the jobs of a store under `100%x` (they failed to launch: JobLaunchFailure)', async () => {
    rig = new Rig('shark-slurm-100%x-');
    rig.write('p.md', doc);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  }, 60_000);

  it('fails the jobs of a store under a backslash, saying why (exit 1, no job left to launch and fail)', async () => {
    rig = new Rig('shark-slurm-back\\slash-');
    rig.write('p.md', doc);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain('backslash');
  }, 60_000);
});
