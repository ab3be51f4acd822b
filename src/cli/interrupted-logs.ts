import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jobOfLogName, logFileName, readableLogName } from '../exec/run/context.js';
import { stepsNamed } from '../lineage/rows-now.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { leasedJobs } from '../store/job-leases.js';
import type { Metadata } from '../store/metadata.js';

/** A job of an interrupted run that started and has no row: its log so far, and whether the run was killed as it ran. */
export interface CutJob {
  readonly job: string;
  readonly log: string;
  /**
   * The dead run's lease still names the job (`Leases.running`): the run was
   * killed (`kill -9`), not stopped, while its command ran, and what it
   * printed last, held back in memory, may never have reached a log.
   */
  readonly killed: boolean;
}

/**
 * The logs a run cut short left of `target`'s jobs (every step's without one): a job stopped by Ctrl-C
 * has no row (it did not end), yet ran and wrote what a user stopping a long
 * job wants to see. A map's jobs by their step's id and items, as their logs
 * are named; a log whose job has a row is that row's (it ended, ok or
 * failed), and one job named is its log alone, never its map's. A job a
 * killed run was running is one too, with or without a log.
 */
export function interruptedLogs(metaDir: string, meta: Metadata, pipeline: Pipeline | undefined, runId: number, target: string | undefined): CutJob[] {
  const dir = join(metaDir, 'logs', String(runId));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  const ended = new Set(meta.runJobs(runId).map((row) => logFileName(row.job)));
  const leased = new Map(leasedJobs(meta, runId).map((j) => [logFileName(j.job), j.job]));
  // A job's log ends in `-HASH.log` (a build's is `ENV.build.log`).
  const cut = new Set([...names.filter((n) => /-[0-9a-f]{10}\.log$/.test(n)), ...leased.keys()].filter((n) => !ended.has(n)));
  const entry = (job: string, n: string): CutJob => ({ job, log: join(dir, n), killed: leased.has(n) });
  // Every block's (the records alone, no document read): each job as its lease or its log's name keeps it.
  if (target === undefined || pipeline === undefined) return [...cut].sort().map((n) => entry(leased.get(n) ?? jobOfLogName(n), n));
  const { steps, job } = stepsNamed(pipeline, target);
  if (job !== undefined) return cut.has(logFileName(job)) ? [entry(job, logFileName(job))] : [];
  const found: CutJob[] = [];
  for (const step of steps) {
    const whole = logFileName(step.id);
    if (cut.has(whole)) found.push(entry(step.id, whole));
    // An item's log starts with its job id made readable (`area[a.txt]`): the step's own id is put back (`n[N=2]`, not `n[N_2]`).
    const prefix = readableLogName(`${step.id}[`);
    for (const n of [...cut].filter((n) => n.startsWith(prefix)).sort()) found.push(entry(step.id + jobOfLogName(n).slice(prefix.length - 1), n));
  }
  return found;
}

/** A log's size; undefined when it cannot be looked at (`show` says why). */
export function sizeOf(log: string): number | undefined {
  try {
    return statSync(log).size;
  } catch {
    return undefined;
  }
}
