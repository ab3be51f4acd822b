import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeSlurm, scratch, slurm, unique, waitEnded, waitFor } from './rig.js';

/**
 * The Slurm client's contract against the real controller and node
 * (scripts/services/start-slurm.sh in CI): what Shark's executor will rely
 * on when it submits jobs, arrays for maps, and cancels.
 */
describeSlurm('Slurm client against a real controller', () => {
  const { dir, cleanup } = scratch();
  const submitted: string[] = [];
  afterAll(async () => {
    await slurm.cancel(submitted);
    cleanup();
  });

  async function submit(script: string, options: Parameters<typeof slurm.submit>[1]): Promise<string> {
    const r = await slurm.submit(script, options);
    if (!r.ok) throw new Error(r.message);
    submitted.push(r.value);
    return r.value;
  }

  it('runs a job that writes a file: completed, exit 0', async () => {
    const out = join(dir, 'hello.txt');
    const id = await submit(`#!/bin/sh\necho "hello from $SLURM_JOB_ID" > '${out}'\n`, { name: unique('hello'), output: join(dir, 'hello.log') });
    const report = await waitEnded([id]);
    expect(report.jobs).toEqual([expect.objectContaining({ id, jobId: id, arrayTask: undefined, status: 'completed', slurmState: 'COMPLETED', exitCode: 0, signal: undefined })]);
    expect(readFileSync(out, 'utf8')).toBe(`hello from ${id}\n`);
  });

  it('reports a failing job as failed, with its exit code and its log', async () => {
    const log = join(dir, 'fail.log');
    const id = await submit('#!/bin/sh\necho about to fail >&2\nexit 3\n', { name: unique('fail'), output: log });
    const [job] = (await waitEnded([id])).jobs;
    expect(job).toMatchObject({ id, status: 'failed', slurmState: 'FAILED', exitCode: 3 });
    expect(readFileSync(log, 'utf8')).toContain('about to fail');
  });

  it('passes resource requests and extra options through as argv', async () => {
    const out = join(dir, 'resources.txt');
    const name = unique('res');
    const id = await submit(`#!/bin/sh\necho "$SLURM_CPUS_PER_TASK $SLURM_MEM_PER_NODE $SLURM_JOB_NAME" > '${out}'\n`, {
      name,
      cpusPerTask: 2,
      memoryMb: 200,
      timeLimitSeconds: 90,
      output: '/dev/null',
      extra: ['--comment=a comment; with $(no) shell'],
    });
    await waitEnded([id]);
    expect(readFileSync(out, 'utf8')).toBe(`2 200 ${name}\n`);
    const shown = execFileSync('scontrol', ['-o', 'show', 'job', id], { encoding: 'utf8' });
    expect(shown).toContain('TimeLimit=00:02:00');
    expect(shown).toContain('Comment=a comment; with $(no) shell');
  });

  it('runs a map as one job array: each task finds its item in a manifest', async () => {
    const items = Array.from({ length: 20 }, (_, i) => `item ${String(i).padStart(2, '0')}`);
    const manifest = join(dir, 'manifest.txt');
    writeFileSync(manifest, items.map((s) => `${s}\n`).join(''));
    mkdirSync(join(dir, 'out'));
    const script = [
      '#!/bin/sh',
      'set -eu',
      `item=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" '${manifest}')`,
      `printf '%s from task %s of %s\\n' "$item" "$SLURM_ARRAY_TASK_ID" "$SLURM_ARRAY_JOB_ID" > "${join(dir, 'out')}/$item"`,
      '',
    ].join('\n');
    const id = await submit(script, { name: unique('map'), array: { size: items.length, throttle: 8 }, output: join(dir, 'map_%A_%a.log') });
    const report = await waitEnded([id]);
    expect(report.jobs.map((j) => j.id).sort()).toEqual(items.map((_, i) => `${id}_${i}`).sort());
    expect(report.jobs.every((j) => j.jobId === id && j.status === 'completed' && j.exitCode === 0)).toBe(true);
    for (const [i, item] of items.entries()) expect(readFileSync(join(dir, 'out', item), 'utf8')).toBe(`${item} from task ${i} of ${id}\n`);
  });

  it('reports one failing task of an array with its index and exit code', async () => {
    const id = await submit('#!/bin/sh\n[ "$SLURM_ARRAY_TASK_ID" != 2 ] || exit 7\n', { name: unique('arrfail'), array: { size: 4 }, output: '/dev/null' });
    const report = await waitEnded([id]);
    const failed = report.jobs.filter((j) => j.status !== 'completed');
    expect(failed).toEqual([expect.objectContaining({ id: `${id}_2`, arrayTask: 2, status: 'failed', exitCode: 7 })]);
  });

  it('cancels a running job: cancelled', async () => {
    const id = await submit('#!/bin/sh\nsleep 300\n', { name: unique('cancel'), output: '/dev/null' });
    await waitFor([id], (r) => r.jobs.some((j) => j.status === 'running'));
    const c = await slurm.cancel([id]);
    expect(c).toEqual({ ok: true, value: undefined });
    const [job] = (await waitEnded([id])).jobs;
    expect(job).toMatchObject({ id, status: 'cancelled', slurmState: 'CANCELLED' });
    // Cancelling again, or a job Slurm never had, is not an error.
    expect((await slurm.cancel([id])).ok).toBe(true);
  });

  it('finds the jobs a run left by their name, and nothing for an unused name', async () => {
    const name = `${unique('find')},with a comma`;
    const held = await submit('#!/bin/sh\ntrue\n', { name, output: '/dev/null', extra: ['--hold'] });
    const array = await submit('#!/bin/sh\ntrue\n', { name, output: '/dev/null', array: { size: 3 }, extra: ['--hold'] });
    const found = await slurm.findByName(name);
    if (!found.ok) throw new Error(found.message);
    expect(found.value.map((j) => j.id).sort()).toEqual([held, `${array}_0`, `${array}_1`, `${array}_2`].sort());
    expect(found.value.every((j) => j.status === 'pending' && j.name === name)).toBe(true);
    expect(found.value.find((j) => j.id === held)?.reason).toMatch(/Held/);
    expect(await slurm.findByName(unique('nothing'))).toEqual({ ok: true, value: [] });
    await slurm.cancel([held, array]);
    const report = await waitEnded([held, array]);
    expect(report.jobs.map((j) => j.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('says which ids Slurm does not know, and refuses what is not a job id', async () => {
    const r = await slurm.state(['67000000']);
    expect(r).toEqual({ ok: true, value: { jobs: [], unknown: ['67000000'] } });
    expect(await slurm.state(['12; rm -rf /'])).toMatchObject({ ok: false, message: expect.stringContaining('not a Slurm job id') });
    expect(await slurm.submit('echo no shebang\n', { name: 'x' })).toMatchObject({ ok: false });
    expect(await slurm.submit('#!/bin/sh\n', { name: unique('bad'), extra: ['--partition=no-such-partition'] })).toMatchObject({ ok: false, message: expect.stringContaining('sbatch exited') });
  });

  it('leaves a record of every finished job in the controller’s job completion log', async () => {
    const config = execFileSync('scontrol', ['show', 'config'], { encoding: 'utf8' });
    expect(config).toMatch(/JobCompType\s*=\s*jobcomp\/filetxt/);
    const loc = /JobCompLoc\s*=\s*(\S+)/.exec(config)?.[1];
    expect(loc !== undefined && existsSync(loc)).toBe(true);
    const name = unique('comp');
    const id = await submit('#!/bin/sh\nexit 0\n', { name, output: '/dev/null' });
    await waitEnded([id]);
    // The record is written as the job ends; allow the controller a moment.
    let line: string | undefined;
    for (let i = 0; i < 40 && line === undefined; i++) {
      line = readFileSync(loc!, 'utf8').split('\n').find((l) => l.startsWith(`JobId=${id} `));
      if (line === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toContain(`Name=${name} `);
    expect(line).toContain('JobState=COMPLETED');
  });
});
