import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

type Event = Record<string, unknown>;
const eventsOf = (stdout: string): Event[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);

/**
 * What the cluster says no to, or cannot do now: a drained partition is
 * waited for (with a warning), a request Slurm refuses or would never start
 * fails with reason `environment` and a log that says why.
 */
describeSlurm('shark run --executor slurm on a cluster that refuses or cannot start jobs', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-refused-');
  });
  afterEach(() => rig.cleanup());

  it('submits and waits when every node is drained, saying so, instead of exiting 2', async () => {
    // sinfo as it answers while the node is drained; the real node still takes the job.
    rig.write('bin/sinfo', '#!/bin/sh\necho drained\n');
    chmodSync(rig.path('bin/sinfo'), 0o755);
    rig.write('p.md', ['# Drained', '', `${fence}shark-run`, 'echo ok > /data/ok.txt', fence, ''].join('\n'));
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env: { ...env, PATH: `${rig.path('bin')}:${process.env['PATH']}` } });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stderr).toContain('shark: warning: --executor slurm: no Slurm node takes jobs now (drained): the jobs wait in the queue until one does');
  });

  it('fails a request sbatch refuses with reason environment, and its log says why', async () => {
    rig.write('p.md', ['# Too big', '', `${fence}shark-run {memory=100T}`, 'echo x > /data/x.txt', fence, ''].join('\n'));
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    const failed = eventsOf(ran.stdout).filter((e) => e['type'] === 'job-failed');
    expect(failed).toEqual([expect.objectContaining({ job: 'too-big', reason: 'environment', message: expect.stringContaining('sbatch refused the job') })]);
    const log = String(failed[0]!['log']);
    expect(existsSync(log), log).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('sbatch refused the job');
    expect(String(failed[0]!['tail'])).toContain('sbatch refused the job');
  });

  it('cancels the job of an sbatch that failed yet reached the controller (a busy one\'s timeout): nothing runs what was reported failed', async () => {
    // sbatch submits, then says it timed out, as a busy controller's client does.
    rig.write('bin/sbatch', `#!/bin/sh\ncase "$1" in --version) exec sbatch-real "$@";; esac\nsbatch-real "$@" > /dev/null\necho "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation" >&2\nexit 1\n`);
    chmodSync(rig.path('bin/sbatch'), 0o755);
    const real = execFileSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).trim();
    symlinkSync(real, rig.path('bin/sbatch-real'));
    rig.write('p.md', ['# Orphan', '', `${fence}shark-run`, `sleep 3; echo ran >> ${rig.path('side.log')}; echo x > /data/x.txt`, fence, ''].join('\n'));
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json'], { env: { ...env, PATH: `${rig.path('bin')}:${process.env['PATH']}` } });
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    const failed = eventsOf(ran.stdout).filter((e) => e['type'] === 'job-failed');
    expect(String(failed[0]!['message'])).toMatch(/sbatch refused the job: .*Socket timed out.* \(it had reached Slurm after all: job \d+ cancelled\)/);
    await new Promise((r) => setTimeout(r, 5000));
    expect(existsSync(rig.path('side.log'))).toBe(false);
  });
});
