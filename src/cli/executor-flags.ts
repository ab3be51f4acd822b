import { Option, type Command } from 'commander';
import type { Plan } from '../plan/planner.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { stepSubmitOptions, sbatchArgs } from '../exec/slurm/args.js';
import { SlurmClient } from '../exec/slurm/client.js';
import { jobName, pipelineName } from '../exec/slurm/slurm-executor.js';
import type { SlurmRunOptions } from '../exec/slurm/slurm-executor.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import { collect } from './common-options.js';
import { positiveCount } from './numbers.js';
import { maxOf } from '../fold.js';
import { slurmOptWords } from '../markdown/sbatch-options.js';

export interface ExecutorFlags {
  executor?: string;
  slurmOpt?: string[];
  itemsPerTask?: string;
}


/** `--executor`, `--slurm-opt`, `--items-per-task`: where jobs run (run) or would be submitted (plan). */
export function withExecutorOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--executor <name>', 'where jobs run: this machine, or a Slurm cluster').choices(['local', 'slurm']).default('local'))
    .addOption(new Option('--slurm-opt <option>', 'pass an option to every sbatch, e.g. --slurm-opt=--partition=gpu (repeatable)').argParser(collect))
    .addOption(new Option('--items-per-task <n>', 'under Slurm, map items each array task runs in turn').default('1'));
}

/**
 * The Slurm settings the flags ask for, or undefined for the local executor.
 * Exits 2 on a malformed flag, whichever the executor: a mistake is said
 * where it was made, not once the run goes to the cluster.
 */
export function slurmFlags(flags: ExecutorFlags, stderr: (s: string) => void): SlurmRunOptions | undefined {
  const itemsPerTask = positiveCount('--items-per-task', flags.itemsPerTask, 1, stderr);
  const checked = slurmOptWords(flags.slurmOpt ?? []);
  if (!checked.ok) {
    stderr(`shark: error: --slurm-opt \`${checked.word}\`${checked.reason}${checked.notOption ? '; write --slurm-opt=--partition=gpu' : ''}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  const extra = checked.words;
  if ((flags.executor ?? 'local') !== 'slurm') return undefined;
  const poll = Number(process.env['SHARK_SLURM_POLL_MS'] ?? '');
  return { client: new SlurmClient(), itemsPerTask, extra, ...(poll > 0 ? { pollMs: poll } : {}) };
}

/** Stops before anything runs when Slurm cannot take jobs from here; warns when no node would start them yet. */
export async function requireSlurm(options: SlurmRunOptions, stderr: (s: string) => void): Promise<void> {
  const why = await options.client.available();
  if (why !== undefined) {
    stderr(`shark: error: --executor slurm: ${why}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  const idle = await options.client.noNodeTakesJobs();
  if (idle !== undefined) stderr(`shark: warning: --executor slurm: no Slurm node takes jobs now (${idle}): the jobs wait in the queue until one does\n`);
}

/** One Slurm submission `run --executor slurm` would make for a step's jobs that are not cached. */
export interface PlannedSubmission {
  readonly step: string;
  readonly block: string;
  readonly name: string;
  readonly jobs: number;
  /** Array tasks; 1 is a plain job. */
  readonly tasks: number;
  readonly sbatch: readonly string[];
}

/** What the plan's jobs to run become under Slurm: one submission per step, an array when it has several tasks. */
export function plannedSubmissions(plan: Plan, pipeline: Pipeline, options: SlurmRunOptions, throttle: number): PlannedSubmission[] {
  const counts = new Map<string, { block: string; jobs: number }>();
  const runSteps = new Set(pipeline.steps.filter((s) => s.kind === 'run').map((s) => s.id));
  // Imports are fetched by the submitting machine; a job blocked on an upstream that will run is submitted after it.
  for (const j of plan.jobs) {
    if ((j.status !== 'run' && j.status !== 'blocked') || !runSteps.has(j.step)) continue;
    const c = counts.get(j.step);
    if (c === undefined) counts.set(j.step, { block: j.block, jobs: 1 });
    else c.jobs++;
  }
  return [...counts].map(([stepId, { block, jobs }]) => {
    const step = pipeline.steps.find((s) => s.id === stepId);
    const run = step?.kind === 'run' ? step : undefined;
    const tasks = Math.ceil(jobs / options.itemsPerTask);
    const name = jobName(pipelineName(pipeline.document.file), block);
    const args = sbatchArgs(stepSubmitOptions({
      name, tasks, throttle, itemsPerTask: options.itemsPerTask,
      threads: run?.resources.threadsDeclared ? run.resources.threads : undefined,
      memoryBytes: run?.resources.memory, timeoutSeconds: run?.timeout,
      extra: [...options.extra, ...(run?.resources.slurm ?? [])],
    }));
    return { step: stepId, block, name, jobs, tasks, sbatch: args.ok ? args.args.filter((a) => a !== '--parsable') : [] };
  });
}

export function renderSubmissions(subs: readonly PlannedSubmission[]): string {
  if (subs.length === 0) return 'slurm: nothing to submit\n';
  const width = Math.min(32, maxOf(subs, (s) => s.step.length));
  const lines = subs.map((s) => `  ${s.step.padEnd(width)}  ${s.tasks > 1 ? `1 array of ${s.tasks} tasks` : '1 job'} for ${s.jobs} job${s.jobs === 1 ? '' : 's'}: sbatch ${s.sbatch.join(' ')}`);
  return `slurm: would submit ${subs.length} job${subs.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n`;
}
