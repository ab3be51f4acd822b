import { afterEach, beforeEach, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { runningUnder, scancelNamed, slowTool, squeueNames, until } from './run-rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

/** A map over `n` files whose jobs would take a minute each: only cancelling ends a run of it quickly. */
function slowMap(rig: Rig, heading: string, n: number): void {
  rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', `# ${heading}`, '', `${fence}shark-run`, 'sleep 60 && cp /data/in/* /data/out/+', fence, ''].join('\n'));
  for (let i = 0; i < n; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
}

/**
 * Ctrl-C under Slurm, whenever it comes: nothing is submitted after it,
 * everything submitted before is cancelled (squeue is empty of it when the
 * run exits), and the jobs are skipped, never failed.
 */
describeSlurm('Ctrl-C of shark run --executor slurm', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-int-');
  });
  afterEach(() => {
    for (const name of ['shark:p:submit-interrupted', 'shark:p:quit-at-once', 'shark:p:ended-before', 'shark:p:task-half-done']) scancelNamed(name);
    rig.cleanup();
  });

  it('while a map of two arrays is being submitted: the second is never submitted, the first is cancelled, the jobs are skipped', async () => {
    slowMap(rig, 'Submit interrupted', 1003);
    // Each sbatch takes two seconds: the Ctrl-C comes while the first array is being submitted.
    const slow = slowTool(rig, 'sbatch', 2);
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '2'], { env: { ...env, PATH: slow.PATH }, timeoutMs: 100_000 });
    await until(() => rig.count(slow.calls) > 0, 60_000, 'an sbatch');
    child.process.kill('SIGINT');
    const t0 = Date.now();
    const ended = await child.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(ended.stdout).toMatch(/interrupted: \d+ run, \d+ cached, 0 failed, 1003 skipped/);
    expect(ended.stdout).not.toContain('FAILED');
    expect(rig.count(slow.calls)).toBe(1);
    expect(squeueNames()).not.toContain('shark:p:submit-interrupted');
  }, 120_000);

  it('a second Ctrl-C quits at once, and still cancels what the run submitted before it exits', async () => {
    slowMap(rig, 'Quit at once', 3);
    // scancel takes three seconds: the first Ctrl-C's is still under way when the second comes.
    const slow = slowTool(rig, 'scancel', 3);
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '3'], { env: { ...env, PATH: slow.PATH }, timeoutMs: 100_000 });
    await runningUnder(child, rig.dir, 60_000, 'shark:p:quit-at-once');
    child.process.kill('SIGINT');
    await until(() => rig.count(slow.calls) > 0, 10_000, 'a scancel');
    child.process.kill('SIGINT');
    const ended = await child.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    expect(squeueNames()).not.toContain('shark:p:quit-at-once');
  }, 120_000);

  it('a job that ended well before Ctrl-C, which no poll had seen yet, is stored by the interrupted run: never run again', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Ended before', '', `${fence}shark-run`,
      `f=$(basename /data/in/*); echo $f >> ${rig.path('ran')}; case $f in f0.txt) ;; *) sleep 60;; esac; cp /data/in/* /data/out/+`, fence, ''].join('\n'));
    for (let i = 0; i < 3; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
    // Polls far apart: the Ctrl-C comes once f0's task has said it ended well, before any poll has seen it.
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '3'], { env: { SHARK_SLURM_POLL_MS: '8000' }, timeoutMs: 100_000 });
    const slurmDir = rig.path('.shark/slurm');
    const statuses = (): string[] => (existsSync(slurmDir) ? readdirSync(slurmDir).flatMap((d) => (existsSync(join(slurmDir, d, 'status')) ? readdirSync(join(slurmDir, d, 'status')) : [])) : []);
    await until(() => statuses().length > 0, 60_000, 'a status file');
    child.process.kill('SIGINT');
    const ended = await child.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    expect(rig.lines('ran')).toContain('f0.txt');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status === 'cached').map((j) => j.job)).toContain('ended-before[f0.txt]');
  }, 120_000);
  it('a task of several items interrupted half-way keeps the items it finished: the next run runs only the rest', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Task half done', '', `${fence}shark-run`,
      'case $(basename /data/in/*) in f1.txt) sleep 60;; esac; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (let i = 0; i < 2; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
    // One task runs f0 then f1: the Ctrl-C comes while f1 sleeps, once f0 has said it ended well.
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '--items-per-task', '2'], { env, timeoutMs: 100_000 });
    const slurmDir = rig.path('.shark/slurm');
    const statuses = (): string[] => (existsSync(slurmDir) ? readdirSync(slurmDir).flatMap((d) => (existsSync(join(slurmDir, d, 'status')) ? readdirSync(join(slurmDir, d, 'status')) : [])) : []);
    await until(() => statuses().length > 0, 60_000, 'a status file');
    child.process.kill('SIGINT');
    const ended = await child.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    expect(squeueNames()).not.toContain('shark:p:task-half-done');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.job.startsWith('task-half-done[')).map((j) => [j.job, j.status])).toEqual([['task-half-done[f0.txt]', 'cached'], ['task-half-done[f1.txt]', 'run']]);
  }, 120_000);

  it('a job whose script goes on after its program was killed (`sleep && echo done || echo partial`) is not kept as ended well', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Partial', '', `${fence}shark-run`,
      'cat /data/in/* > /dev/null; echo started >> ' + rig.path('counter') + '; (sleep 30 && echo COMPLETE || echo PARTIAL) > /data/out/+', fence, ''].join('\n'));
    for (let i = 0; i < 4; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '4'], { env, timeoutMs: 100_000 });
    await until(() => rig.lines().filter((l) => l === 'started').length >= 2, 60_000, 'the jobs started');
    await new Promise((r) => setTimeout(r, 500));
    child.process.kill('SIGINT');
    const ended = await child.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    // SIGTERM killed its sleep, and its script said PARTIAL and ended 0: that was stored as its result.
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.job.startsWith('partial[') && j.status === 'cached').map((j) => j.job)).toEqual([]);
  }, 120_000);
});
