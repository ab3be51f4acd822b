import type { Plan } from '../plan/planner.js';
import { isMap, stepOfJob, type Pipeline } from '../pipeline/pipeline.js';
import type { Metadata, RunJobRow, RunRow } from '../store/metadata.js';
import { listAt } from '../multimap.js';
import type { LeasedJob } from '../store/job-leases.js';
import { blockView, jobsDone, type BlockView, type Leased, type Made, type Progress } from './block-view.js';

export type { BlockView, JobView, ViewStatus } from './block-view.js';

export interface RunView {
  readonly id: number;
  readonly status: string;
  readonly started: number;
  readonly done: number;
  /** The run's jobs: all of them, or, with `partial`, those known so far (a map's items are known once its inputs are made). */
  readonly total: number;
  readonly partial?: boolean;
  /** What the page's banner says of it while it is in progress. */
  readonly label: string;
}

/** Everything that changes while the page is open: sent whole over server-sent events. */
export interface PageState {
  readonly run: RunView | undefined;
  readonly blocks: readonly BlockView[];
  readonly note?: string;
}

/**
 * Each block's status, from the plan (what would run now, and why) and the
 * latest run's records: while a run is live, its records win, so the page
 * shows jobs finishing; a job it has not recorded is running only while its
 * command runs (`leased`: a forced job the plan calls cached too),
 * else waiting, or cached as the plan made before the run said. After it,
 * the plan says what is cached, and the records say which run made it.
 * A run of other options (`ownRecords`) is no run of this page's: only
 * its records of this page's own jobs count.
 */
export function pageState(pipeline: Pipeline, plan: Plan | undefined, meta: Metadata, run: RunRow | undefined, leased: readonly LeasedJob[], note?: string): PageState {
  const all = run === undefined ? [] : meta.runJobs(run.id);
  const allByJob = new Map(all.map((r) => [r.job, r]));
  const own = ownRecords(plan, all, allByJob, run?.status === 'running' ? leased : []);
  const { rows } = own;
  // Live once it is known to be a run of this page's options: before it recorded or started any of the plan's jobs, it could be either.
  const live = run?.status === 'running' && own.matched && !own.foreign;
  const progress: Progress = {
    live, byJob: own.foreign ? new Map(rows.map((r) => [r.job, r])) : allByJob, leased: new Set(live ? own.leased : []),
    begun: live ? meta.runRows.begun(run.id) : new Map(),
    isMap: (id) => {
      const step = pipeline.stepsById.get(id);
      return step !== undefined && isMap(step);
    },
  };
  const made = madeBy(meta, [...rows.map((r) => r.key), ...(live ? [] : otherResults(plan, allByJob))]);
  const plannedOf = groupBy(plan?.jobs ?? [], (j) => j.block);
  const rowsOf = groupBy(rows, (r) => r.block);
  const leasedOf = groupBy(leasedSteps(pipeline, progress), (l) => l.block);
  const blocks = pipeline.blocks.map((b) => blockView(b, plannedOf.get(b.id) ?? [], rowsOf.get(b.id) ?? [], leasedOf.get(b.id) ?? [], progress, made, run, plan !== undefined));
  // The blocks' counts, which hold what the run knows of its maps; `{manual}` jobs are none of the run's.
  const manual = plan?.jobs.filter((j) => j.status === 'manual').length ?? 0;
  const total = Math.max(blocks.reduce((n, v) => n + v.total, 0) - manual, rows.length);
  const partial = blocks.some((v) => v.partial === true);
  const done = rows.filter((r) => r.status !== 'running').length;
  const runView = run === undefined ? undefined : {
    id: run.id, status: run.status, started: run.started, done, total, ...(partial ? { partial } : {}),
    // A run that ended is said to have (`/events` readers see the label whatever the status).
    label: run.status !== 'running' ? `run ${run.id} ${run.status === 'ok' ? 'ended' : run.status}${own.foreign ? ', with other options or another text of the document than this page\'s' : `: ${jobsDone(done, total, partial)}`}`
      : own.foreign ? `run ${run.id} in progress, with other options or another text of the document than this page's (-e, -i, an edit)` : `run ${run.id} in progress: ${jobsDone(done, total, partial)}`,
  };
  return { run: runView, blocks, ...(note !== undefined ? { note } : {}) };
}

/**
 * The latest run's records that are of this page's jobs. A run of other
 * options (`-e`, `-i`) records the same jobs under other keys: a job the
 * plan knows the key of (of the result it reuses, or the one it would run)
 * and the run recorded, or started, under another makes the run `foreign`;
 * under the same, `matched`. Of a foreign run, only what it recorded under
 * the plan's own keys is kept (a step no option changes): a job whose key
 * the plan cannot know yet (blocked behind one that would run) could be
 * either, and is not shown as the run has it.
 */
function ownRecords(plan: Plan | undefined, rows: readonly RunJobRow[], byJob: ReadonlyMap<string, RunJobRow>, leased: readonly LeasedJob[]): {
  rows: readonly RunJobRow[]; leased: readonly string[]; foreign: boolean; matched: boolean;
} {
  const leasedKeys = new Map(leased.map((l) => [l.job, l.key]));
  const matching = new Set<string>();
  let foreign = false;
  for (const p of plan?.jobs ?? []) {
    const expected = p.status === 'cached' ? p.resultKey : p.key;
    if (expected === undefined) continue;
    const recorded = byJob.get(p.job)?.key;
    const started = leasedKeys.get(p.job);
    if (recorded === undefined && started === undefined) continue;
    if ((recorded ?? expected) === expected && (started ?? expected) === expected) matching.add(p.job);
    else foreign = true;
  }
  const matched = matching.size > 0;
  if (!foreign) return { rows, leased: leased.map((l) => l.job), foreign, matched };
  return { rows: rows.filter((r) => matching.has(r.job)), leased: leased.filter((l) => matching.has(l.job)).map((l) => l.job), foreign, matched };
}

/** The jobs whose commands the live run started and has not recorded yet, with their steps and blocks. */
function leasedSteps(pipeline: Pipeline, progress: Progress): Leased[] {
  const found: Leased[] = [];
  for (const job of progress.leased) {
    const step = progress.byJob.has(job) ? undefined : stepOfJob(pipeline, job);
    if (step !== undefined) found.push({ job, step: step.id, block: step.blockId });
  }
  return found;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) listAt(groups, key(item)).push(item);
  return groups;
}

/**
 * The results the plan reuses that are not the ones the latest run recorded
 * for the same jobs (it ran them with other options, `-e` or `-i`, or before
 * an input changed back, or never reached them): the page shows what `plan`
 * and the next `run` reuse, not what that run made.
 */
function otherResults(plan: Plan | undefined, byJob: ReadonlyMap<string, RunJobRow>): string[] {
  const keys: string[] = [];
  for (const p of plan?.jobs ?? []) {
    if (p.status !== 'cached') continue;
    const row = byJob.get(p.job);
    // Also one the latest run never reached (killed, or stopped before it): the page said a bare `cached`.
    if (p.resultKey !== undefined && (row === undefined || row.key !== p.resultKey)) keys.push(p.resultKey);
  }
  return keys;
}

/** The results behind a run's jobs, only what a job's line shows, in a few statements. */
function madeBy(meta: Metadata, keys: readonly string[]): Map<string, Made> {
  const made = new Map<string, Made>();
  const columns = ['key', 'outputs', 'started', 'ended', 'run_id', "json_extract(record, '$.env')"];
  for (const [key, outputs, started, ended, runId, env] of meta.bulk.rowsWhere<[string, string, bigint, bigint, bigint, string | null]>('results', columns, ['rowid'], [...new Set(keys)])) {
    made.set(key, { outputs: JSON.parse(outputs) as Record<string, string>, ms: Number(ended - started), env: env ?? undefined, runId: Number(runId) });
  }
  return made;
}
