import type { Plan, PlannedJob } from '../plan/planner.js';
import type { BlockNode, Pipeline, Step } from '../pipeline/pipeline.js';
import { DEFAULT_PUBLISH_DIR } from '../pipeline/pipeline.js';
import type { Metadata, RunJobRow, RunRow } from '../store/metadata.js';
import { listAt } from '../multimap.js';

/** What the page shows for a block or a job; the stylesheet colours by it. */
export type ViewStatus = 'ran' | 'cached' | 'failed' | 'would-run' | 'running' | 'waiting' | 'manual' | 'publish' | 'unknown';

export interface JobView {
  readonly job: string;
  readonly item: string | null;
  readonly status: ViewStatus;
  readonly label: string;
  /** The run whose record holds its log. */
  readonly logRun?: number;
  readonly ms?: number;
  readonly env?: string;
  readonly outputs: readonly (readonly [string, string])[];
}

export interface BlockView {
  readonly id: string;
  readonly status: ViewStatus;
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** At most JOB_LIST_LIMIT of its `total` jobs, the ones that most need looking at first (failed, running, …). */
  readonly jobs: readonly JobView[];
}

/**
 * Jobs listed per block, on the page and in each update: a map of a million
 * items made a page of hundreds of megabytes, sent again whole at every
 * change. The block's label and counts still cover all of them.
 */
export const JOB_LIST_LIMIT = 200;

/** What a job's result shows: read for all of a run's jobs at once. */
interface Made {
  readonly outputs: Record<string, string>;
  readonly ms: number;
  readonly env: string | undefined;
  readonly runId: number;
}

export interface RunView {
  readonly id: number;
  readonly status: string;
  readonly started: number;
  readonly done: number;
  readonly total: number;
}

/** Everything that changes while the page is open: sent whole over server-sent events. */
export interface PageState {
  readonly run: RunView | undefined;
  readonly blocks: readonly BlockView[];
  readonly note?: string;
}

const ORDER: readonly ViewStatus[] = ['failed', 'running', 'waiting', 'would-run', 'ran', 'cached', 'manual', 'publish', 'unknown'];

/** What a live run is doing: its jobs' rows so far, and the jobs whose commands it started and has not yet recorded (`leasedJobs`). */
interface Progress {
  readonly live: boolean;
  readonly byJob: ReadonlyMap<string, RunJobRow>;
  readonly leased: ReadonlySet<string>;
}

/**
 * Each block's status, from the plan (what would run now, and why) and the
 * latest run's records: while a run is live, its records win, so the page
 * shows jobs finishing; a job it has not recorded is running only while its
 * command runs (`leased`: a forced job the plan calls cached too),
 * else waiting, or cached as the plan made before the run said. After it,
 * the plan says what is cached, and the records say which run made it.
 */
export function pageState(pipeline: Pipeline, plan: Plan | undefined, meta: Metadata, run: RunRow | undefined, leased: readonly string[], note?: string): PageState {
  const rows = run === undefined ? [] : meta.runJobs(run.id);
  const live = run?.status === 'running';
  const progress: Progress = { live, byJob: new Map(rows.map((r) => [r.job, r])), leased: new Set(live ? leased : []) };
  const made = madeBy(meta, [...rows.map((r) => r.key), ...(live ? [] : otherResults(plan, progress.byJob))]);
  const plannedOf = groupBy(plan?.jobs ?? [], (j) => j.block);
  const rowsOf = groupBy(rows, (r) => r.block);
  const leasedOf = groupBy(leasedSteps(pipeline, progress), (l) => l.block);
  const blocks = pipeline.blocks.map((b) => blockView(b, plannedOf.get(b.id) ?? [], rowsOf.get(b.id) ?? [], leasedOf.get(b.id) ?? [], progress, made, run, plan !== undefined));
  const planned = plan?.jobs.filter((j) => j.status !== 'manual').length ?? 0;
  const runView = run === undefined ? undefined : {
    id: run.id, status: run.status, started: run.started,
    done: rows.filter((r) => r.status !== 'running').length, total: Math.max(planned, rows.length),
  };
  return { run: runView, blocks, ...(note !== undefined ? { note } : {}) };
}

/** A job whose command the run started, not yet recorded, with its step and block. */
interface Leased {
  readonly job: string;
  readonly step: string;
  readonly block: string;
}

function leasedSteps(pipeline: Pipeline, progress: Progress): Leased[] {
  const found: Leased[] = [];
  for (const job of progress.leased) {
    const step = progress.byJob.has(job) ? undefined : stepOfJob(pipeline, job);
    if (step !== undefined) found.push({ job, step: step.id, block: step.blockId });
  }
  return found;
}

/** The step a job id names: the step's id, or it followed by `[ITEMS]` (the longest such, as a sweep's instance ids have brackets too). */
function stepOfJob(pipeline: Pipeline, job: string): Step | undefined {
  for (let end = job.length; end > 0; end = job.lastIndexOf('[', end - 1)) {
    const step = pipeline.stepsById.get(job.slice(0, end));
    if (step !== undefined) return step;
  }
  return undefined;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) listAt(groups, key(item)).push(item);
  return groups;
}

/**
 * The results the plan reuses that are not the ones the latest run recorded
 * for the same jobs (it ran them with other options, `-e` or `-i`, or before
 * an input changed back): the page shows what `plan` and the next `run`
 * reuse, not what that run made.
 */
function otherResults(plan: Plan | undefined, byJob: ReadonlyMap<string, RunJobRow>): string[] {
  const keys: string[] = [];
  for (const p of plan?.jobs ?? []) {
    if (p.status !== 'cached') continue;
    const row = byJob.get(p.job);
    if (row !== undefined && p.resultKey !== undefined && row.key !== p.resultKey) keys.push(p.resultKey);
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

function blockView(
  b: BlockNode, plannedJobs: readonly PlannedJob[], rows: readonly RunJobRow[], leased: readonly Leased[], progress: Progress,
  made: ReadonlyMap<string, Made>, run: RunRow | undefined, havePlan: boolean,
): BlockView {
  if (b.kind === 'publish') {
    const label = `publishes ${b.inputs.join(' ')} to ${b.block.arg ?? DEFAULT_PUBLISH_DIR}/`;
    return { id: b.id, status: 'publish', label, done: 0, total: 0, jobs: [] };
  }
  if (b.kind === 'build' && plannedJobs.length === 0) return { id: b.id, status: 'unknown', label: `builds the environment ${b.env ?? ''}`, done: 0, total: 0, jobs: [] };
  const { byJob, live } = progress;
  // Jobs the run found that the plan did not foresee (items of a directory that changed since, a map after what it waited on).
  const foreseen = new Set(plannedJobs.map((p) => p.job));
  const rowsUnforeseen = rows.filter((r) => !foreseen.has(r.job));
  const leasedUnforeseen = leased.filter((l) => !foreseen.has(l.job));
  // A step the plan could only say was blocked stands for jobs it could not name: once the live run names them, they replace it.
  const named = new Set(live ? [...rowsUnforeseen.map((r) => r.step), ...leasedUnforeseen.map((l) => l.step)] : []);
  const planned = plannedJobs.filter((p) => !(p.status === 'blocked' && named.has(p.step)));
  const jobs: JobView[] = planned.map((p) => jobView(p, byJob.get(p.job), progress, made, run));
  for (const r of rowsUnforeseen) jobs.push(jobView(undefined, r, progress, made, run));
  for (const l of leasedUnforeseen) jobs.push({ job: l.job, item: l.job.length > l.step.length ? l.job.slice(l.step.length + 1, -1) : null, ...running(run), outputs: [] });
  if (jobs.length === 0) return { id: b.id, status: 'unknown', label: havePlan ? 'no jobs' : 'status unknown (no plan)', done: 0, total: 0, jobs };
  const status = ORDER.find((s) => jobs.some((j) => j.status === s)) ?? 'unknown';
  const done = jobs.filter((j) => j.status === 'ran' || j.status === 'cached' || j.status === 'failed').length;
  const count = jobs.length === 1 ? '' : ` (${done}/${jobs.length} jobs)`;
  const first = jobs.find((j) => j.status === status)!;
  const label = status === 'running' && jobs.length > 1 ? `running in run ${run?.id ?? '?'}: ${done}/${jobs.length} jobs done`
    : status === 'would-run' && jobs.length > 1 ? `${first.label} — ${jobs.filter((j) => j.status === 'would-run').length} of ${jobs.length} jobs`
    : `${first.label}${count}`;
  return { id: b.id, status, label, done, total: jobs.length, jobs: listed(jobs) };
}

/** The jobs a block lists: all of them, or JOB_LIST_LIMIT by how much they need looking at, in their order. */
function listed(jobs: readonly JobView[]): readonly JobView[] {
  if (jobs.length <= JOB_LIST_LIMIT) return jobs;
  const rank = (j: JobView): number => ORDER.indexOf(j.status);
  const picked = jobs.map((j, n) => [rank(j), n] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, JOB_LIST_LIMIT);
  return picked.map(([, n]) => n).sort((a, b) => a - b).map((n) => jobs[n]!);
}

/** A job whose command the live run started (`leasedJobs`) and has not yet recorded. */
function running(run: RunRow | undefined): { status: ViewStatus; label: string } {
  return { status: 'running', label: `running in run ${run?.id ?? '?'}` };
}

function jobView(p: PlannedJob | undefined, row: RunJobRow | undefined, progress: Progress, made: ReadonlyMap<string, Made>, run: RunRow | undefined): JobView {
  const { live } = progress;
  const job = p?.job ?? row?.job ?? '?';
  const item = p?.items[0] ?? row?.item ?? null;
  // Not live, the run's record of a job the plan finds cached counts only when it is the result the plan reuses.
  if (!live && row !== undefined && p?.status === 'cached' && p.resultKey !== undefined && row.key !== p.resultKey) {
    const reused = made.get(p.resultKey);
    const extra = reused === undefined ? {} : { ms: reused.ms, ...(reused.env !== undefined ? { env: reused.env } : {}) };
    const label = p.reasons.length > 0 ? p.reasons.join('; ') : reused === undefined ? 'cached' : `cached (made in run ${reused.runId})`;
    return { job, item, outputs: p.outputs ?? [], ...extra, status: 'cached', label };
  }
  const record = row !== undefined ? made.get(row.key) : undefined;
  const extra = {
    ...(row?.log !== null && row?.log !== undefined && run !== undefined ? { logRun: run.id } : {}),
    ...(record !== undefined ? { ms: record.ms, ...(record.env !== undefined ? { env: record.env } : {}) } : {}),
  };
  const outputs = record !== undefined ? Object.entries(record.outputs) : p?.outputs ?? [];
  const base = { job, item, outputs, ...extra };
  if (row !== undefined && run !== undefined && (live || p === undefined || p.status === 'cached' || row.status === 'failed')) {
    if (row.status === 'ok') return { ...base, status: 'ran', label: `ran in run ${run.id}` };
    if (row.status === 'cached') {
      const from = record !== undefined && record.runId !== run.id ? ` (made in run ${record.runId})` : '';
      return { ...base, status: 'cached', label: `cached${from}` };
    }
    if (row.status === 'failed') {
      const exit = row.exit_code === null || row.exit_code === undefined ? undefined : `exit status ${row.exit_code}`;
      const why = row.reason === 'exit' && exit !== undefined ? exit : [row.reason ?? 'failed', exit].filter((w) => w !== undefined).join(', ');
      return { ...base, status: 'failed', label: `failed in run ${run.id} (${why})` };
    }
  }
  if (p === undefined) return { ...base, status: 'unknown', label: row?.status ?? 'unknown' };
  if (live && progress.leased.has(job)) return { ...base, ...running(run) };
  // Not started yet: it waits for its inputs, a free slot, or another run's lease (a cached one is recorded as soon as its step starts).
  if (live && p.status !== 'manual' && p.status !== 'cached') return { ...base, status: 'waiting', label: `waiting in run ${run?.id ?? '?'}` };
  const reasons = p.reasons.join('; ');
  switch (p.status) {
    case 'cached':
      return { ...base, status: 'cached', label: p.reasons.length > 0 ? reasons : 'cached' };
    case 'run':
      return { ...base, status: 'would-run', label: p.reasons.some((r) => r.startsWith('no previous result')) ? `never run — would run now: ${reasons}` : `would run now: ${reasons}` };
    case 'blocked':
      return { ...base, status: 'would-run', label: `would run after its inputs: ${reasons}` };
    case 'manual':
      return { ...base, status: 'manual', label: `manual: ${reasons}` };
  }
}
