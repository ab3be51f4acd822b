import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan, PlannedJob } from '../plan/planner.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { stepSubmitOptions, sbatchArgs } from '../exec/slurm/args.js';
import { fullestTask, oneByOne, partsOf } from '../exec/slurm/grouping.js';
import { jobName, pipelineName, type SlurmRunOptions } from '../exec/slurm/slurm-executor.js';
import { adoptableAmong } from '../exec/slurm/adopt.js';
import { slurmDirIn } from '../exec/slurm/for-run.js';
import { maxOf } from '../fold.js';
import { displayWidth, padDisplay } from '../columns.js';
import { counted } from '../counted.js';
import type { Metadata } from '../store/metadata.js';
import { keysHeldAlive } from '../store/job-leases.js';

/** One Slurm submission `run --executor slurm` would make for a step's jobs that are not cached (or several alike). */
export interface PlannedSubmission {
  readonly step: string;
  readonly block: string;
  readonly name: string;
  /** null: a map whose items are not known until `waitsFor` is made (an upstream step will run). */
  readonly jobs: number | null;
  /** Array tasks of each submission; 1 is a plain job. */
  readonly tasks: number | null;
  readonly waitsFor?: readonly string[];
  /** How many sbatch alike: a `{pool}` step's jobs go one each, as the pool admits them (absent: one; null: its items are not known yet). */
  readonly submissions?: number | null;
  readonly pool?: string;
  /** A later part of a map split into several arrays, submitted to start once the part before has ended. */
  readonly afterPrevious?: true;
  readonly sbatch: readonly string[];
}

/** A step's jobs that a run which died left in Slurm: `run` adopts them (waits for them, commits their results), submitting nothing. */
export interface AdoptedJobs {
  readonly step: string;
  readonly block: string;
  readonly jobs: number;
}

/**
 * The keys of the jobs `run` would adopt: what a dead run left queued or
 * running in Slurm, or ended well with its outputs still in its workspace,
 * decided by the code the run decides with (exec/slurm/adopt.ts). A job
 * whose lease a live run holds is that run's: `run` waits for it, adopting
 * nothing (it adopts only once it takes a lease over from a dead holder).
 */
export async function adoptableKeys(options: SlurmRunOptions, meta: Metadata, metaDir: string, stderr: (s: string) => void): Promise<ReadonlySet<string>> {
  const dir = slurmDirIn(metaDir);
  // A store no run ever submitted from has nothing to adopt: Slurm is not asked (plan needs no controller).
  const records = join(dir, 'by-job');
  if (!existsSync(records) || readdirSync(records).length === 0) return new Set();
  const found = await options.client.ownJobs();
  if (!found.ok) {
    // The plan still answers (run refuses such a controller, exit 2), but it cannot say what run would adopt.
    stderr(`shark: warning: --executor slurm: cannot tell which jobs a dead run left in Slurm to adopt: ${found.message}; the plan counts them as to submit\n`);
    return new Set();
  }
  const keys = [...adoptableAmong(found.value, dir, new Set(), new Map()).keys()];
  const alive = keysHeldAlive(meta, keys);
  return new Set(keys.filter((k) => !alive.has(k)));
}

/** What the plan's jobs to run become under Slurm, grouped as the executor groups them (exec/slurm/grouping.ts); `adopted`: keys run adopts instead. */
export function plannedSubmissions(plan: Plan, pipeline: Pipeline, options: SlurmRunOptions, throttle: number, adopted: ReadonlySet<string> = new Set()): PlannedSubmission[] {
  const unknown = new Map((plan.blockedMaps ?? []).map((m) => [m.step, m.waitsFor]));
  // Imports are fetched by the submitting machine; a job blocked on an upstream that will run is submitted after it.
  const counts = perStep(plan, pipeline, (j) => (j.status === 'run' && !adopted.has(j.key ?? '')) || j.status === 'blocked');
  return [...counts].flatMap(([stepId, { block, jobs }]): PlannedSubmission[] => {
    const step = pipeline.steps.find((s) => s.id === stepId);
    const run = step?.kind === 'run' ? step : undefined;
    const name = jobName(pipelineName(pipeline.document.file), block);
    // A task runs at most `--items-per-task` jobs, and no more than its submission has: its --time covers those.
    const sbatch = (jobs: number, tasks: number, after?: string): string[] => {
      const args = sbatchArgs(stepSubmitOptions({
        name, tasks, throttle, itemsPerTask: fullestTask(jobs, options.itemsPerTask),
        threads: run?.resources.threadsDeclared ? run.resources.threads : undefined,
        memoryBytes: run?.resources.memory, timeoutSeconds: run?.timeout,
        extra: [...options.extra, ...(run?.resources.slurm ?? [])], ...(after === undefined ? {} : { after }),
      }));
      return args.ok ? args.args.filter((a) => a !== '--parsable') : [];
    };
    const pool = run?.resources.pool;
    const waitsFor = unknown.get(stepId);
    // Its items are made by an upstream step: an array (or several) of as many tasks as they turn out to be.
    if (waitsFor !== undefined) {
      if (pool !== undefined && oneByOne(pool)) return [{ step: stepId, block, name, jobs: null, tasks: 1, submissions: null, pool, waitsFor, sbatch: sbatch(1, 1) }];
      const args = sbatch(options.itemsPerTask, 2).map((a) => a.replace(/^--array=0-\d+/, '--array=0-<tasks - 1>'));
      return [{ step: stepId, block, name, jobs: null, tasks: null, waitsFor, sbatch: args }];
    }
    if (pool !== undefined && oneByOne(pool)) return [{ step: stepId, block, name, jobs, tasks: 1, submissions: jobs, pool, sbatch: sbatch(1, 1) }];
    // The id of the array before is known once it is submitted.
    return partsOf(jobs, options.itemsPerTask).map((p) => ({
      step: stepId, block, name, jobs: p.jobs, tasks: p.tasks, ...(p.afterPrevious ? { afterPrevious: true as const } : {}),
      sbatch: sbatch(p.jobs, p.tasks, p.afterPrevious ? '<array before>' : undefined),
    }));
  });
}

/** The plan's jobs to run that `run` adopts from a dead run (`adoptableKeys`), by step. */
export function adoptedJobs(plan: Plan, pipeline: Pipeline, adopted: ReadonlySet<string>): AdoptedJobs[] {
  return [...perStep(plan, pipeline, (j) => j.status === 'run' && adopted.has(j.key ?? ''))].map(([step, c]) => ({ step, ...c }));
}

/** How many of each run step's jobs `included` holds of, in the plan's order. */
function perStep(plan: Plan, pipeline: Pipeline, included: (j: PlannedJob) => boolean): Map<string, { block: string; jobs: number }> {
  const counts = new Map<string, { block: string; jobs: number }>();
  const runSteps = new Set(pipeline.steps.filter((s) => s.kind === 'run').map((s) => s.id));
  for (const j of plan.jobs) {
    if (!runSteps.has(j.step) || !included(j)) continue;
    const c = counts.get(j.step);
    if (c === undefined) counts.set(j.step, { block: j.block, jobs: 1 });
    else c.jobs++;
  }
  return counts;
}

export function renderSubmissions(subs: readonly PlannedSubmission[], adopted: readonly AdoptedJobs[] = []): string {
  const taken = adopted.length === 0 ? '' : renderAdopted(adopted);
  if (subs.length === 0) return `${taken}slurm: nothing to submit\n`;
  const width = Math.min(32, maxOf(subs, (s) => displayWidth(s.step)));
  const lines = subs.map((s) => {
    const items = `the items of ${(s.waitsFor ?? []).join(' and ')}, not known until made`;
    const what = s.jobs === null ? (s.pool !== undefined ? `one sbatch each as pool ${s.pool} admits ${items}` : `an array for ${items}`)
      : s.pool !== undefined ? `${counted(s.jobs, 'job')}, one sbatch each as pool ${s.pool} admits them`
      : `${s.afterPrevious ? 'then ' : ''}${(s.tasks ?? 1) > 1 ? `1 array of ${s.tasks} tasks` : '1 job'} for ${counted(s.jobs, 'job')}${s.afterPrevious ? ', once the one before ends' : ''}`;
    return `  ${padDisplay(s.step, width)}  ${what}: sbatch ${s.sbatch.join(' ')}`;
  });
  // A step whose items are not known yet counts as one: a {pool} step makes one per item, a map past 1,000 several.
  const total = subs.reduce((n, s) => n + (s.submissions ?? 1), 0);
  const floor = subs.some((s) => s.jobs === null) ? 'at least ' : '';
  return `${taken}slurm: would make ${floor}${counted(total, 'submission')} (sbatch calls):\n${lines.join('\n')}\n`;
}

function renderAdopted(adopted: readonly AdoptedJobs[]): string {
  const width = Math.min(32, maxOf(adopted, (a) => displayWidth(a.step)));
  const total = adopted.reduce((n, a) => n + a.jobs, 0);
  const lines = adopted.map((a) => `  ${padDisplay(a.step, width)}  ${counted(a.jobs, 'job')}`);
  return `slurm: would adopt ${counted(total, 'job')} a dead run left in Slurm (not submitted again):\n${lines.join('\n')}\n`;
}
