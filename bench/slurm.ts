import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlurmClient } from '../src/exec/slurm/client.js';
import { isFinished } from '../src/exec/slurm/parse.js';
import { fmt } from './tools.js';

const JOBS = Number(process.env['SHARK_BENCH_SLURM_JOBS'] ?? 20);
const TASKS = Number(process.env['SHARK_BENCH_SLURM_TASKS'] ?? 1000);
const RUN_TASKS = Number(process.env['SHARK_BENCH_SLURM_RUN_TASKS'] ?? 100);

/**
 * What submitting to Slurm costs on this machine, through Shark's client
 * (one `sbatch` process per call): a job per `sbatch`, against one array of
 * TASKS tasks; then how fast trivial array tasks run, submission to the last
 * one ended, which bounds a map's throughput whatever Shark does.
 * Submissions are held (`--hold`) and cancelled, so they never run.
 */
export async function benchSlurm(): Promise<string[]> {
  const slurm = new SlurmClient();
  const missing = await slurm.available();
  if (missing !== undefined) return [`slurm: skipped: ${missing} (scripts/services/start-slurm.sh starts one)`];
  const tag = `shark-bench-${process.pid}`;
  const script = '#!/bin/sh\ntrue\n';
  const submitted: string[] = [];
  const submit = async (options: Parameters<SlurmClient['submit']>[1]): Promise<number> => {
    const t0 = process.hrtime.bigint();
    const r = await slurm.submit(script, options);
    if (!r.ok) throw new Error(r.message);
    submitted.push(r.value);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const dir = mkdtempSync(join(tmpdir(), 'shark-bench-slurm-'));
  try {
    const held = { output: '/dev/null', extra: ['--hold'] };
    await submit({ name: `${tag}-warm`, ...held });
    let jobs = 0;
    for (let i = 0; i < JOBS; i++) jobs += await submit({ name: `${tag}-job`, ...held });
    // The machine is shared: the median of a few submissions of each.
    const median = async (options: Parameters<SlurmClient['submit']>[1]): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(await submit(options));
      return times.sort((a, b) => a - b)[2]!;
    };
    const one = await median({ name: `${tag}-a1`, array: { size: 1 }, ...held });
    const many = await median({ name: `${tag}-an`, array: { size: TASKS }, ...held });
    const cancelled = await slurm.cancel(submitted);
    if (!cancelled.ok) throw new Error(cancelled.message);
    submitted.length = 0;

    const t0 = Date.now();
    await submit({ name: `${tag}-run`, array: { size: RUN_TASKS }, output: '/dev/null' });
    for (;;) {
      const r = await slurm.state(submitted);
      if (!r.ok) throw new Error(r.message);
      if (r.value.jobs.length === RUN_TASKS && r.value.jobs.every((j) => isFinished(j.status))) break;
      await new Promise((done) => setTimeout(done, 200));
    }
    const ran = (Date.now() - t0) / 1000;
    submitted.length = 0;
    return [
      `slurm: submission through sbatch (held, never run): ${JOBS} jobs one by one, arrays (median of 5)`,
      `  one job per sbatch             ${fmt(jobs / JOBS)}/job  (${JOBS} jobs: ${fmt(jobs)})`,
      `  one array of 1 task            ${fmt(one)}`,
      `  one array of ${TASKS} tasks        ${fmt(many)}  (${((many - one) * 1000).toFixed(0)} ms more than 1 task: ${((Math.max(0, many - one) / (TASKS - 1)) * 1e6).toFixed(0)} µs per extra task)`,
      `  ${TASKS} jobs one by one would take ${fmt((jobs / JOBS) * TASKS)}: the array is ${((jobs / JOBS) * TASKS / many).toFixed(0)}× cheaper`,
      `slurm: ${RUN_TASKS} trivial array tasks (\`true\`), submit to last ended: ${fmt(ran)} (${(RUN_TASKS / ran).toFixed(1)} tasks/s)`,
      ...(await import('./slurm-map.js')).benchSlurmMap(),
    ];
  } finally {
    if (submitted.length > 0) await slurm.cancel(submitted);
    rmSync(dir, { recursive: true, force: true });
  }
}
