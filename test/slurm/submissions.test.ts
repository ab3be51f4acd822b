import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { jobcompLines, runningUnder, squeueNames, until } from './run-rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

interface Planned { step: string; jobs: number | null; tasks: number | null; waitsFor?: string[]; submissions?: number | null; pool?: string; sbatch: string[] }

async function planned(rig: Rig, ...args: string[]): Promise<Planned[]> {
  const ran = await rig.shark(['plan', 'p.md', '--json', '--executor', 'slurm', ...args]);
  if (ran.code !== 0) throw new Error(ran.stderr);
  return (JSON.parse(ran.stdout) as { slurm: Planned[] }).slurm;
}

/** A map over `n` files under in/. */
function bigMap(rig: Rig, n: number): void {
  rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Big', '', `${fence}shark-run`, 'cp /data/in/* /data/out/+', fence, ''].join('\n'));
  for (let i = 0; i < n; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
}

/** Two maps of three items sharing a pool of `size`. */
function pooled(rig: Rig, size: number): void {
  rig.write('p.md', [`---\npools: {db: ${size}}\n---`, `${fence}shark-import`, 'in/ /data/in/', fence, '',
    '# One', '', `${fence}shark-run {pool=db}`, 'sleep 0.3; cp /data/in/* /data/one/+', fence, '',
    '# Two', '', `${fence}shark-run {pool=db}`, 'sleep 0.3; cp /data/in/* /data/two/+', fence, ''].join('\n'));
  for (const name of ['a', 'b', 'c']) rig.write(`in/${name}.txt`, `${name}\n`);
}

/** A map of two items and a step of one job, each {timeout=90}. */
function timed(rig: Rig): void {
  rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Map', '', `${fence}shark-run {timeout=90}`, 'cp /data/in/* /data/out/+', fence, '',
    '# One', '', `${fence}shark-run {timeout=90}`, 'echo one > /data/one.txt', fence, ''].join('\n'));
  for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
}

/** `plan --executor slurm` says what `run` submits: the same grouping code decides both. */
describe('plan --executor slurm', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-plan-');
  });
  afterEach(() => rig.cleanup());

  it('splits a map of more than 1000 tasks into arrays as run does, each after the one before (so -j bounds them all)', async () => {
    bigMap(rig, 1203);
    const subs = await planned(rig, '-j', '7');
    expect(subs.map((s) => [s.jobs, s.tasks])).toEqual([[1000, 1000], [203, 203]]);
    expect(subs[0]!.sbatch).toContain('--array=0-999%7');
    expect(subs[1]!.sbatch).toContain('--array=0-202%7');
    expect(subs[1]!.sbatch).toContain('--dependency=afterany:<array before>');
    const text = (await rig.shark(['plan', 'p.md', '--executor', 'slurm', '-j', '7'])).stdout;
    expect(text).toContain('slurm: would make 2 submissions (sbatch calls):');
    expect(text).toContain('then 1 array of 203 tasks for 203 jobs, once the one before ends: sbatch');
  }, 60_000);

  it('shows a {pool} step as one job per sbatch, as run submits them', async () => {
    pooled(rig, 1);
    const subs = await planned(rig, '-j', '4');
    expect(subs).toEqual([
      expect.objectContaining({ step: 'one', jobs: 3, tasks: 1, submissions: 3, pool: 'db' }),
      expect.objectContaining({ step: 'two', jobs: 3, tasks: 1, submissions: 3, pool: 'db' }),
    ]);
    expect(subs[0]!.sbatch.some((a) => a.startsWith('--array'))).toBe(false);
    const text = (await rig.shark(['plan', 'p.md', '--executor', 'slurm'])).stdout;
    expect(text).toContain('slurm: would make 6 submissions (sbatch calls):');
    expect(text).toContain('one  3 jobs, one sbatch each as pool db admits them: sbatch');
  });

  it('shows a map whose items are not known yet as an array of unknown size, not as one plain job', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Up', '', `${fence}shark-run`, 'tr a-z A-Z < /data/in/* > /data/a/+', fence, '',
      '# Rev', '', `${fence}shark-run`, 'rev /data/a/* > /data/b/+', fence, ''].join('\n'));
    for (const name of ['a', 'b', 'c']) rig.write(`in/${name}.txt`, `${name}\n`);
    const subs = await planned(rig, '-j', '3');
    expect(subs[1]).toEqual({ step: 'rev', block: 'rev', name: 'shark:p:rev', jobs: null, tasks: null, waitsFor: ['/data/a/'], sbatch: ['--job-name=shark:p:rev', '--array=0-<tasks - 1>%3', '--no-requeue'] });
    const text = (await rig.shark(['plan', 'p.md', '--executor', 'slurm', '-j', '3'])).stdout;
    expect(text).toContain('rev  an array for the items of /data/a/, not known until made: sbatch --job-name=shark:p:rev --array=0-<tasks - 1>%3 --no-requeue');
    // A {pool} step's are one sbatch each, whatever their number.
    rig.write('p.md', `---\npools: {db: 1}\n---\n${rig.read('p.md').replace('shark-run\nrev', 'shark-run {pool=db}\nrev')}`);
    expect((await planned(rig))[1]).toEqual(expect.objectContaining({ step: 'rev', jobs: null, tasks: 1, submissions: null, pool: 'db', waitsFor: ['/data/a/'] }));
    // Their number is not known either: the count is a floor (it said `would make 2 submissions`, counting them as one).
    expect((await rig.shark(['plan', 'p.md', '--executor', 'slurm'])).stdout).toContain('slurm: would make at least 2 submissions (sbatch calls):');
  });

  it('asks --time for the jobs a task really runs in turn: a step of one job is not K of them under --items-per-task K', async () => {
    timed(rig);
    const subs = await planned(rig, '--items-per-task', '5');
    // 90 s + a minute = 3 min for the one job; the map's two items share a task: 2 × 90 s + a minute = 4 min.
    expect(subs.map((s) => [s.step, s.sbatch.find((a) => a.startsWith('--time='))])).toEqual([['map', '--time=4'], ['one', '--time=3']]);
  });
});

describeSlurm('run --executor slurm submits what plan says', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-subs-');
  });
  afterEach(() => rig.cleanup());

  it('submits a {pool} step\'s jobs one sbatch each, however large the pool', async () => {
    pooled(rig, 2);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '-j', '4'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const records = jobcompLines(rig.dir).filter((l) => / Name=shark:p:(one|two) /.test(l));
    expect(records).toHaveLength(6);
    // No array: each job its own sbatch.
    expect(records.filter((l) => l.includes(' ArrayJobId='))).toEqual([]);
  });

  it('asks --time for the jobs a task runs, as plan shows: one job is not K of them under --items-per-task K', async () => {
    timed(rig);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--items-per-task', '5'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const limits = (name: string): string[] => jobcompLines(rig.dir).filter((l) => l.includes(` Name=shark:p:${name} `)).map((l) => / TimeLimit=(\S+)/.exec(l)![1]!);
    expect(limits('one')).toEqual(['3']);
    expect(limits('map')).toEqual(['4']);
  }, 60_000);

  it('submits a map of more than 1000 tasks as the arrays plan shows', async () => {
    bigMap(rig, 1003);
    const plan = await planned(rig, '-j', '3');
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '3', '--slurm-opt=--hold'], { env, timeoutMs: 120_000 });
    try {
      let queued: string[] = [];
      for (let i = 0; i < 200 && queued.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 250));
        queued = execFileSync('squeue', ['-h', '-o', '%i|%j|%E'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('|shark:p:big|'));
      }
      expect(queued.map((l) => /_\[(\d+-\d+%\d+)\]/.exec(l)?.[1]).sort()).toEqual(plan.map((s) => /--array=(.*)/.exec(s.sbatch.find((a) => a.startsWith('--array='))!)![1]).sort());
      expect(queued.filter((l) => /afterany:\d+/.test(l))).toHaveLength(1);
    } finally {
      child.process.kill('SIGINT');
      await child.ended;
    }
  }, 120_000);

  it('after a run killed outright, plan counts the jobs the next run adopts as adopted, not submitted, and run agrees', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Left behind', '', `${fence}shark-run`,
      `cat /data/in/* >> ${rig.path('counter')}; sleep 2; cp /data/in/* /data/out/+`, fence, ''].join('\n'));
    for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
    const first = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '2'], { env, timeoutMs: 120_000 });
    await runningUnder(first, rig.dir, 60_000, 'shark:p:left-behind');
    first.process.kill('SIGKILL');
    await first.ended;
    // Its tasks end on Slurm, their results in the dead run's workspaces; one more item is new.
    await until(() => !squeueNames().includes('shark:p:left-behind'), 60_000, 'the dead run\'s tasks ended');
    rig.write('in/c.txt', 'c\n');
    const ran = await rig.shark(['plan', 'p.md', '--json', '--executor', 'slurm']);
    expect(ran.code, ran.stderr).toBe(0);
    const plan = JSON.parse(ran.stdout) as { slurm: Planned[]; slurmAdopted: unknown[] };
    expect(plan.slurm.map((s) => [s.step, s.jobs, s.tasks])).toEqual([['left-behind', 1, 1]]);
    expect(plan.slurmAdopted).toEqual([{ step: 'left-behind', block: 'left-behind', jobs: 2 }]);
    const text = (await rig.shark(['plan', 'p.md', '--executor', 'slurm'])).stdout;
    expect(text).toContain('slurm: would adopt 2 jobs a dead run left in Slurm (not submitted again):\n  left-behind  2 jobs\n');
    expect(text).toContain('1 job for 1 job: sbatch');
    const second = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json'], { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout.split('\n').filter((l) => l.includes('"adopted":true'))).toHaveLength(2);
    expect(rig.lines().sort()).toEqual(['a', 'b', 'c']);
  }, 120_000);

  it('does not count as adoptable the jobs a run still alive has in Slurm (it said a dead run left them; run waits for that run)', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Alive', '', `${fence}shark-run`,
      'sleep 3; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
    const first = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '2'], { env, timeoutMs: 120_000 });
    try {
      await runningUnder(first, rig.dir, 60_000, 'shark:p:alive');
      const ran = await rig.shark(['plan', 'p.md', '--json', '--executor', 'slurm']);
      expect(ran.code, ran.stderr).toBe(0);
      expect((JSON.parse(ran.stdout) as { slurmAdopted: unknown[] }).slurmAdopted).toEqual([]);
      expect((await rig.shark(['plan', 'p.md', '--executor', 'slurm'])).stdout).not.toContain('dead run');
    } finally {
      expect((await first.ended).code).toBe(0);
    }
  }, 120_000);

  it('warns that it could not check for jobs to adopt when the controller does not answer (it said nothing)', async () => {
    rig.write('p.md', ['# Once', '', `${fence}shark-run`, 'echo one > /data/one.txt', fence, ''].join('\n'));
    const first = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(first.code, first.stderr).toBe(0);
    // The store has recorded a submission; now the controller is out of reach.
    rig.write('p.md', ['# Once', '', `${fence}shark-run`, 'echo two > /data/one.txt', fence, ''].join('\n'));
    rig.write('down/squeue', '#!/bin/sh\necho "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2\nexit 1\n');
    chmodSync(rig.path('down/squeue'), 0o755);
    const down = { ...env, PATH: `${rig.path('down')}:${process.env['PATH']}` };
    for (const json of [[], ['--json']]) {
      const ran = await rig.shark(['plan', 'p.md', '--executor', 'slurm', ...json], { env: down });
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stderr).toContain('shark: warning: --executor slurm: cannot tell which jobs a dead run left in Slurm to adopt: squeue exited 1: slurm_load_jobs error: Unable to contact slurm controller (connect failure)');
    }
  }, 60_000);
});
