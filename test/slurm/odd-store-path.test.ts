import { execFileSync } from 'node:child_process';
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

  it('refuses a store under a backslash before anything runs, exit 2 (each job of a map failed, `sbatch refused the job`)', async () => {
    rig = new Rig('shark-slurm-back\\slash-');
    rig.write('p.md', doc);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^shark: error: --executor slurm: the store's path .* has a backslash, with which Slurm names no file per task/);
    expect(ran.stdout).toBe('');
  }, 60_000);

  it.runIf(canMount())('fails the jobs of a store the node does not see as the cluster\'s (environment), saying so, not "exit 0, signal 53"', async () => {
    rig = new Rig('shark-slurm-unseen-');
    rig.write('p.md', doc);
    // The store is on a file system mounted only where shark runs: slurmd cannot start the task in it.
    const wrap = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mkdir -p ${rig.path('hidden')} && mount -t tmpfs none ${rig.path('hidden')} && exec "$0" "$@"`];
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--store', rig.path('hidden'), '--json'], { env, wrap });
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    const failed = ran.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['type'] === 'job-failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f['reason']).toBe('environment');
      expect(f['message']).toMatch(/^Slurm could not launch task \d+(_\d+)? on its node \(JobLaunchFailure\): the node must see .*hidden\/slurm\/.* \(in the store\) at the same path/);
    }
  }, 60_000);
});

/** Whether this process may mount in a mount namespace of its own (root, or user namespaces). */
function canMount(): boolean {
  try {
    execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /mnt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
