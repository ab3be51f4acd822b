import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ROOT, Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { jobcompLines, outputsOf, runningUnder, squeueNames } from './run-rig.js';

const fence = '```';
/** Poll Slurm often: the tests wait for tasks that take a second each on a two-CPU node. */
const env = { SHARK_SLURM_POLL_MS: '250' };

/**
 * `shark run --executor slurm` against the real controller and node: the
 * same results as a local run, one array per map, nothing submitted twice,
 * failures and cancellations reported with what Slurm says.
 */
describeSlurm('shark run --executor slurm', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-run-');
  });
  afterEach(() => rig.cleanup());

  it('runs the example pipeline with the bytes of a local run, and a second run submits nothing', async () => {
    const local = new Rig('shark-slurm-local-');
    try {
      for (const r of [local, rig]) {
        cpSync(join(ROOT, 'pipelines/example.md'), r.path('example.md'));
        cpSync(join(ROOT, 'pipelines/example-data'), r.path('example-data'), { recursive: true });
      }
      expect((await local.shark(['run', 'example.md'])).code).toBe(0);
      const ran = await rig.shark(['run', 'example.md', '--executor', 'slurm', '-j', '2'], { env });
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      expect(ran.stdout).toContain('queued   habitat-per-species: jobs submitted to Slurm');
      expect(await outputsOf(rig, 'example.md')).toEqual(await outputsOf(local, 'example.md'));
      expect(rig.read('_shark/summary.csv')).toBe(local.read('_shark/summary.csv'));

      // The controller's records: one array (three tasks) for the map, one job for the reduce.
      const records = jobcompLines(rig.dir);
      const map = records.filter((l) => l.includes('Name=shark:example:habitat-per-species '));
      expect(map).toHaveLength(3);
      expect(new Set(map.map((l) => /ArrayJobId=(\d+)/.exec(l)?.[1]))).toEqual(new Set([expect.stringMatching(/^\d+$/)]));
      expect(records.filter((l) => l.includes('Name=shark:example:summary '))).toHaveLength(1);

      const again = await rig.shark(['run', 'example.md', '--executor', 'slurm'], { env });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/ok: 0 run, 6 cached/);
      expect(jobcompLines(rig.dir)).toHaveLength(records.length);
    } finally {
      local.cleanup();
    }
  });

  it('runs a 200-item map as one array, byte-identical to a local run, and plan shows the array', async () => {
    const local = new Rig('shark-slurm-local-');
    const doc = ['# Map', '', `${fence}shark-run`, 'cut -c1-3 /data/in/* | tr a-z A-Z > /data/out/+', fence, '', `${fence}shark-publish`, '/data/out/', fence, ''].join('\n');
    try {
      for (const r of [local, rig]) {
        r.write('p.md', `${fence}shark-import\nin/ /data/in/\n${fence}\n\n${doc}`);
        for (let i = 0; i < 200; i++) r.write(`in/item-${String(i).padStart(3, '0')}.txt`, `item number ${i}\n`);
      }
      expect((await local.shark(['run', 'p.md'])).code).toBe(0);
      const planned = JSON.parse((await rig.shark(['plan', 'p.md', '--json', '--executor', 'slurm', '--items-per-task', '25', '-j', '2'])).stdout) as { slurm: { step: string; jobs: number; tasks: number; sbatch: string[] }[] };
      expect(planned.slurm).toEqual([expect.objectContaining({ jobs: 200, tasks: 8, sbatch: expect.arrayContaining(['--array=0-7%2']) })]);

      const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--items-per-task', '25', '-j', '2'], { env, timeoutMs: 120_000 });
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/ok: 201 run/); // the import and the 200 items
      expect(await outputsOf(rig, 'p.md')).toEqual(await outputsOf(local, 'p.md'));
      expect(rig.read('_shark/out/item-137.txt')).toBe('ITE\n');
      const tasks = jobcompLines(rig.dir).filter((l) => l.includes('Name=shark:p:'));
      expect(tasks).toHaveLength(8);
      expect(new Set(tasks.map((l) => /ArrayJobId=(\d+)/.exec(l)?.[1])).size).toBe(1);
    } finally {
      local.cleanup();
    }
  }, 150_000);

  it('creates the directory of a path cut at `$` and each item\'s directory of `+/` before a task runs', async () => {
    rig.write('in/a', 'chr1 x\n');
    rig.write('in/b', 'chr2 y\n');
    rig.write('p.md', [
      `${fence}shark-import`, 'in/ /data/aligned/', fence, '',
      `${fence}shark-run`, 'for s in a b; do echo $s > /data/out/$s.txt; done', fence, '',
      `${fence}shark-run`, `awk -v out=/data/split/+/ '{ print > (out $1 ".txt") }' /data/aligned/*`, fence, '',
      `${fence}shark-publish`, '/data/out/', '/data/split/', fence, '',
    ].join('\n'));
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/out/b.txt')).toBe('b\n');
    expect(rig.read('_shark/split/b/chr2.txt')).toBe('chr2 y\n');
  });

  it('reports a failing array task with its item, its exit status and its log, and keeps the others', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Map', '', `${fence}shark-run`,
      'grep -q bad /data/in/* && { echo "this one is bad" >&2; exit 3; }; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (const name of ['a', 'b', 'bad', 'c']) rig.write(`in/${name}.txt`, `${name}\n`);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json', '-k'], { env });
    expect(ran.code).toBe(1);
    const events = ran.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = events.filter((e) => e['type'] === 'job-failed');
    expect(failed).toEqual([expect.objectContaining({ job: expect.stringContaining('bad.txt'), reason: 'exit', exitCode: 3, tail: expect.stringContaining('this one is bad') })]);
    expect(events.filter((e) => e['type'] === 'job-done' && String(e['job']).startsWith('map['))).toHaveLength(3);
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status === 'run').map((j) => j.item)).toEqual(['bad.txt']);
  });

  it('announces every job\'s start before its end, at the time the node started it, even for a task shorter than a poll', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Quick', '', `${fence}shark-run`, 'sleep 0.5; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (const name of ['a', 'b', 'c', 'd']) rig.write(`in/${name}.txt`, `${name}\n`);
    // A poll every 4 s: the tasks start and end between two.
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json', '-j', '4'], { env: { SHARK_SLURM_POLL_MS: '4000' } });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const events = ran.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; job?: string; time: string; seconds?: number });
    const jobs = events.filter((e) => e.type === 'job-done' && e.job!.startsWith('quick[')).map((e) => e.job!);
    expect(jobs).toHaveLength(4);
    for (const job of jobs) {
      const of = events.filter((e) => e.job === job);
      expect(of.map((e) => e.type), job).toEqual(['job-queued', 'job-start', 'job-storing', 'job-done']);
      const [, start, storing, done] = of as [unknown, { time: string }, { time: string }, { time: string; seconds: number }];
      // Storing from when the command ended on the node: between its start and job-done.
      expect(Date.parse(storing.time), job).toBeGreaterThanOrEqual(Date.parse(start.time));
      expect(Date.parse(storing.time), job).toBeLessThanOrEqual(Date.parse(done.time));
      // Started when the node says: its start and the command's duration end no later than job-done is sent.
      expect(Date.parse(start.time) + done.seconds * 1000, job).toBeLessThanOrEqual(Date.parse(done.time) + 5);
      expect(done.seconds).toBeGreaterThanOrEqual(0.4);
    }
  });

  it('never tells a job storing before it was told started, when its command ended before a poll saw its task running', async () => {
    // Two items per task, `a` quick, `b` four seconds: the first poll (2 s) sees the task running once `a` has ended.
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Pair', '', `${fence}shark-run`,
      'case /data/in/* in *b.txt) sleep 4;; esac; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json', '--items-per-task', '2'], { env: { SHARK_SLURM_POLL_MS: '2000' } });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const events = ran.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; job?: string; time: string });
    for (const item of ['a.txt', 'b.txt']) {
      const of = events.filter((e) => e.job === `pair[${item}]`);
      expect(of.map((e) => e.type), item).toEqual(['job-queued', 'job-start', 'job-storing', 'job-done']);
      const [, start, storing, done] = of.map((e) => Date.parse(e.time));
      expect(storing, item).toBeGreaterThanOrEqual(start!);
      expect(storing, item).toBeLessThanOrEqual(done!);
    }
  });

  it('tells a job the CPUs Slurm granted in SHARK_THREADS, not -j', async () => {
    rig.write('p.md', ['# All', '', `${fence}shark-run {threads=all}`, 'echo "$SHARK_THREADS $SLURM_CPUS_ON_NODE" > /data/all.txt', fence, '',
      '# Two', '', `${fence}shark-run {threads=2}`, 'echo "$SHARK_THREADS" > /data/two.txt', fence, '',
      '# Undeclared', '', `${fence}shark-run`, 'echo "$SHARK_THREADS" > /data/one.txt', fence, '',
      `${fence}shark-publish`, '/data/all.txt', '/data/two.txt', '/data/one.txt', fence, ''].join('\n'));
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '-j', '8'], { env });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const [threads, cpus] = rig.read('_shark/all.txt').trim().split(' ');
    expect(threads).toBe(cpus);
    expect(threads).not.toBe('8');
    expect(rig.read('_shark/two.txt')).toBe('2\n');
    expect(rig.read('_shark/one.txt')).toBe('1\n');
  });

  it('enforces {timeout} on the node, and fails a job Slurm would never start instead of waiting for ever', async () => {
    rig.write('p.md', ['# Slow', '', `${fence}shark-run {timeout=2}`, 'sleep 60; echo x > /data/x.txt', fence, '', '# Huge', '', `${fence}shark-run {threads=512}`, 'echo y > /data/y.txt', fence, ''].join('\n'));
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json', '-k'], { env });
    expect(ran.code).toBe(1);
    // No warning about -j: under Slurm the cluster grants threads.
    expect(ran.stderr).not.toContain('more than -j');
    const failed = ran.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['type'] === 'job-failed');
    expect(failed).toEqual(expect.arrayContaining([
      expect.objectContaining({ job: 'slow', reason: 'timeout', message: expect.stringMatching(/^timed out after 2s \(Slurm task \d+ on /) }),
      expect.objectContaining({ job: 'huge', reason: 'environment', message: expect.stringContaining('pending for PartitionConfig') }),
    ]));
    expect(squeueNames()).not.toContain('shark:p:huge');
    // The log the failure names exists and holds Slurm's word for the task.
    const huge = failed.find((e) => e['job'] === 'huge')!;
    expect(readFileSync(String(huge['log']), 'utf8')).toMatch(/^shark: Slurm task \d+: PENDING \(PartitionConfig\)$/m);
  });

  it('reports a job cancelled outside Shark with Slurm\'s state', async () => {
    // A block of its own name: the job the test before ran as `slow` may still be ending in this directory.
    // `&&`: Slurm's SIGTERM may reach `sleep` before the job's shell, which would then go on, write the file and end 0
    // (a job that did succeed, and is taken as such); killed, the command ends with the signal's status.
    rig.write('p.md', ['# Cancelled', '', `${fence}shark-run`, 'sleep 120 && echo late > /data/slow.txt', fence, ''].join('\n'));
    const child = rig.start(['run', 'p.md', '--executor', 'slurm'], { env, timeoutMs: 120_000 });
    const id = await runningUnder(child, rig.dir, 60_000, 'shark:p:cancelled');
    const { execFileSync } = await import('node:child_process');
    execFileSync('scancel', [id]);
    const ended = await child.ended;
    // What the run printed, should it ever end otherwise: the state Slurm reported is in it.
    expect(ended.code, `${ended.stdout}\n${ended.stderr}`).toBe(1);
    expect(ended.stdout).toMatch(/FAILED +cancelled/);
    expect(ended.stdout).toContain('CANCELLED');
    expect(ended.stdout).toContain('cancelled outside Shark');
    expect((await rig.plan('p.md')).jobs[0]!.status).toBe('run');
  });

  it('Ctrl-C cancels everything it submitted: squeue is empty afterwards', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Slow map', '', `${fence}shark-run`, 'sleep 120; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (const name of ['a', 'b', 'c', 'd', 'e']) rig.write(`in/${name}.txt`, `${name}\n`);
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '2'], { env, timeoutMs: 120_000 });
    await runningUnder(child, rig.dir);
    expect(squeueNames().filter((n) => n === 'shark:p:slow-map').length).toBeGreaterThan(0);
    child.process.kill('SIGINT');
    const ended = await child.ended;
    expect(ended.code).toBe(130);
    expect(ended.stdout).toContain('interrupted');
    expect(squeueNames()).not.toContain('shark:p:slow-map');
  });

  it('a run that died leaves its jobs to the next run, which waits for them instead of submitting again', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Adopt', '', `${fence}shark-run`, 'sleep 4; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
    const first = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '2'], { env, timeoutMs: 120_000 });
    await runningUnder(first, rig.dir);
    first.process.kill('SIGKILL');
    await first.ended;
    const second = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json'], { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const names = jobcompLines(rig.dir).filter((l) => l.includes('Name=shark:p:adopt '));
    expect(new Set(names.map((l) => /ArrayJobId=(\d+)/.exec(l)?.[1]))).toHaveProperty('size', 1);
    expect((await rig.plan('p.md')).summary).toEqual({ cached: 3, run: 0, blocked: 0 });
  });

  it('adopts what a dead run of another pipeline sharing the step left, though its jobs have another name', async () => {
    const doc = (heading: string): string => [`${fence}shark-import`, 'in/ /data/in/', fence, '', `# ${heading}`, '', `${fence}shark-run`,
      `cat /data/in/* >> ${rig.path('counter')}; sleep 4; cp /data/in/* /data/out/+`, fence, ''].join('\n');
    rig.write('a.md', doc('Adopt A'));
    rig.write('b.md', doc('Adopt B'));
    for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
    const first = rig.start(['run', 'a.md', '--executor', 'slurm', '-j', '2'], { env, timeoutMs: 120_000 });
    await runningUnder(first, rig.dir, 60_000, 'shark:a:adopt-a');
    first.process.kill('SIGKILL');
    await first.ended;
    const second = await rig.shark(['run', 'b.md', '--executor', 'slurm'], { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(rig.lines().sort()).toEqual(['a', 'b']);
    expect(jobcompLines(rig.dir).filter((l) => l.includes('Name=shark:b:'))).toEqual([]);
    expect((await rig.plan('b.md')).summary).toEqual({ cached: 3, run: 0, blocked: 0 });
  });

  it('names the tasks a dead run left that the edited document no longer needs, to cancel (they ran on in silence)', async () => {
    const doc = (seconds: number): string => [`${fence}shark-run`, `sleep ${seconds}; echo done > /data/a.txt`, fence, ''].join('\n');
    rig.write('l.md', doc(60));
    const first = rig.start(['run', 'l.md', '--executor', 'slurm'], { env, timeoutMs: 120_000 });
    const id = await runningUnder(first, rig.dir);
    first.process.kill('SIGKILL');
    await first.ended;
    try {
      rig.write('l.md', doc(0));
      const second = await rig.shark(['run', 'l.md', '--executor', 'slurm', '--json'], { env });
      expect(second.code, second.stdout + second.stderr).toBe(0);
      const end = second.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; summary?: { slurmLeftBehind?: string[] } }).find((e) => e.type === 'run-end')!;
      expect(end.summary!.slurmLeftBehind).toEqual([id]);
      rig.write('l.md', doc(1));
      const third = await rig.shark(['run', 'l.md', '--executor', 'slurm'], { env });
      expect(third.stdout).toContain(`warning: Slurm still holds 1 task a killed run submitted that this run did not take over (no job of the document needs it now): cancel with \`scancel ${id}\``);
    } finally {
      execFileSync('scancel', [id]);
    }
  }, 150_000);
});
