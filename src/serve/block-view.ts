import type { PlannedJob } from '../plan/planner.js';
import type { BlockNode } from '../pipeline/pipeline.js';
import { DEFAULT_PUBLISH_DIR } from '../pipeline/pipeline.js';
import type { RunJobRow, RunRow } from '../store/metadata.js';
import { jobCounts } from '../plan/job-counts.js';
import { counted } from '../counted.js';
import { failureWords } from '../lineage/latest-producer.js';

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
  /** Set while a live run has not yet said how many jobs a map of the block has: `total` counts those known so far. */
  readonly partial?: boolean;
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
export interface Made {
  readonly outputs: Record<string, string>;
  readonly ms: number;
  readonly env: string | undefined;
  readonly runId: number;
}

const ORDER: readonly ViewStatus[] = ['failed', 'running', 'waiting', 'would-run', 'ran', 'cached', 'manual', 'publish', 'unknown'];

/** What a live run is doing: its jobs' rows so far, and the jobs whose commands it started and has not yet recorded (`leasedJobs`). */
export interface Progress {
  readonly live: boolean;
  readonly byJob: ReadonlyMap<string, RunJobRow>;
  readonly leased: ReadonlySet<string>;
  /** How many jobs each step the run began has (`RunRows.begun`). */
  readonly begun: ReadonlyMap<string, number>;
  /** Whether a step has a job per item (a map), so that how many it has is known only once its inputs are. */
  readonly isMap: (step: string) => boolean;
}

/** A job whose command the run started, not yet recorded, with its step and block. */
export interface Leased {
  readonly job: string;
  readonly step: string;
  readonly block: string;
}

export function blockView(
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
  const { planned, standIns, later, partial } = unforeseen(plannedJobs, live ? [...rowsUnforeseen, ...leasedUnforeseen] : [], progress);
  const id = run?.id ?? '?';
  const notYet = `waiting in run ${id}: its jobs are known once its inputs are made`;
  const jobs: JobView[] = planned.map((p) => (standIns.has(p) ? { ...jobView(p, undefined, progress, made, run), label: notYet } : jobView(p, byJob.get(p.job), progress, made, run)));
  for (const r of rowsUnforeseen) jobs.push(jobView(undefined, r, progress, made, run));
  for (const l of leasedUnforeseen) jobs.push({ job: l.job, item: l.job.length > l.step.length ? l.job.slice(l.step.length + 1, -1) : null, ...running(run), outputs: [] });
  if (jobs.length === 0 && later === 0) return { id: b.id, status: 'unknown', label: havePlan ? 'no jobs' : 'status unknown (no plan)', done: 0, total: 0, jobs };
  // Jobs the run knows of and has not named yet wait; a stand-in is no job of its own.
  const status = ORDER.find((s) => jobs.some((j) => j.status === s) || (s === 'waiting' && later > 0)) ?? 'unknown';
  const done = jobs.filter((j) => j.status === 'ran' || j.status === 'cached' || j.status === 'failed').length;
  const total = jobs.length - standIns.size + later;
  const first = jobs.find((j) => j.status === status);
  const inProgress = live && (status === 'running' || status === 'waiting') && (total > 1 || partial);
  const label = inProgress ? (total === 0 ? notYet : `${status} in run ${id}: ${jobsDone(done, total, partial)}`)
    : status === 'would-run' && total > 1 ? wouldRun(first!.label, planned, jobs, done, total)
    // No job named yet, all of them known: waiting.
    : `${first?.label ?? `waiting in run ${id}`}${total > 1 ? ` (${doneKinds(jobs, done, total)})` : ''}`;
  return { id: b.id, status, label, done, total, ...(partial ? { partial } : {}), jobs: listed(jobs) };
}

/**
 * A block of several jobs, some of which would run: while none is done, the
 * first one's label and how many would run (`never run — would run now: no
 * previous result (new item) — 3 of 3 jobs`); once some are, what `plan`
 * says of its jobs (`would run now: 3 jobs — 2 cached, 1 to run (new
 * item)`), as one job's `never run` is not the block's.
 */
function wouldRun(first: string, planned: readonly PlannedJob[], jobs: readonly JobView[], done: number, total: number): string {
  if (done === 0) return `${first} — ${jobs.filter((j) => j.status === 'would-run').length} of ${total} jobs`;
  const verb = planned.some((p) => p.status === 'run') ? 'would run now' : 'would run after its inputs';
  return `${verb}: ${counted(planned.length, 'job')} — ${jobCounts(planned).parts.join(', ')}`;
}

/** How many of a block's or a run's jobs are done, of all, or of those known so far (`partial`). */
export function jobsDone(done: number, total: number, partial: boolean): string {
  return partial ? `${done} ${done === 1 ? 'job' : 'jobs'} done of ${total} known so far` : `${done}/${total} jobs done`;
}

/**
 * A map the plan could only say was blocked, its items what an earlier step
 * of the run makes, has one job standing for those the plan could not name
 * (no item; a blocked job with one is a job of its own, named from the items
 * the earlier map is known to make). The live run records how many jobs the
 * step has as it begins it (`Progress.begun`): those neither planned nor
 * named by the run yet wait (`later`). Before, their number is not known
 * (`partial`), and the stand-in stays listed, waiting, until the run names
 * some of them (a run of an older Shark records no number).
 */
function unforeseen(plannedJobs: readonly PlannedJob[], named: readonly { readonly step: string }[], progress: Progress): {
  planned: PlannedJob[]; standIns: Set<PlannedJob>; later: number; partial: boolean;
} {
  const isStandIn = (p: PlannedJob): boolean => progress.live && p.status === 'blocked' && p.items.length === 0 && progress.isMap(p.step);
  const namedOf = new Map<string, number>();
  for (const { step } of named) namedOf.set(step, (namedOf.get(step) ?? 0) + 1);
  for (const p of plannedJobs) if (!isStandIn(p)) namedOf.set(p.step, (namedOf.get(p.step) ?? 0) + 1);
  const planned: PlannedJob[] = [];
  const standIns = new Set<PlannedJob>();
  const counted = new Set<string>();
  let later = 0;
  let partial = false;
  for (const p of plannedJobs) {
    if (!isStandIn(p)) {
      planned.push(p);
      continue;
    }
    if (counted.has(p.step)) continue;
    counted.add(p.step);
    const known = progress.begun.get(p.step);
    const seen = namedOf.get(p.step) ?? 0;
    if (known !== undefined) later += Math.max(0, known - seen);
    else partial = true;
    if (known === undefined && seen === 0) (planned.push(p), standIns.add(p));
  }
  return { planned, standIns, later, partial };
}

/**
 * How a block's jobs ended, after its label: `5/5 jobs` when they ended
 * alike, else each way (`1 ran, 4 cached`): a partly cached map said
 * `ran in run 2 (5/5 jobs)` where the command line said 1 run, 4 cached.
 */
function doneKinds(jobs: readonly JobView[], done: number, total: number): string {
  const kinds = (['ran', 'cached', 'failed'] as const).map((s) => [s, jobs.filter((j) => j.status === s).length] as const).filter(([, n]) => n > 0);
  if (kinds.length <= 1) return `${done}/${total} jobs`;
  return `${kinds.map(([s, n]) => `${n} ${s}`).join(', ')}${done < total ? `, of ${total} jobs` : ''}`;
}

/**
 * The jobs a block lists: all of them in their order, or JOB_LIST_LIMIT by how
 * much they need looking at, shown so (failed and running ones first, as the
 * page says: put back in their order, two failed items of 250 were at the end).
 */
function listed(jobs: readonly JobView[]): readonly JobView[] {
  if (jobs.length <= JOB_LIST_LIMIT) return jobs;
  const rank = (j: JobView): number => ORDER.indexOf(j.status);
  const picked = jobs.map((j, n) => [rank(j), n] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, JOB_LIST_LIMIT);
  return picked.map(([, n]) => jobs[n]!);
}

/** A job whose command the live run started (`leasedJobs`) and has not yet recorded. */
function running(run: RunRow | undefined): { status: ViewStatus; label: string } {
  return { status: 'running', label: `running in run ${run?.id ?? '?'}` };
}

function jobView(p: PlannedJob | undefined, row: RunJobRow | undefined, progress: Progress, made: ReadonlyMap<string, Made>, run: RunRow | undefined): JobView {
  const { live } = progress;
  const job = p?.job ?? row?.job ?? '?';
  const item = p?.items[0] ?? row?.item ?? null;
  // Not live, a job the plan finds cached that the latest run recorded under another key (it ran other options, or
  // before an input changed back) shows the result the plan reuses (`otherResults`): that run's record is not of it.
  const reused = !live && row === undefined && p?.status === 'cached' && p.resultKey !== undefined ? made.get(p.resultKey) : undefined;
  if (p !== undefined && reused !== undefined) {
    const label = p.reasons.length > 0 ? p.reasons.join('; ') : `cached (made in run ${reused.runId})`;
    return { job, item, outputs: p.outputs ?? [], ms: reused.ms, ...(reused.env !== undefined ? { env: reused.env } : {}), logRun: reused.runId, status: 'cached', label };
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
    if (row.status === 'failed') return { ...base, status: 'failed', label: `failed in run ${run.id} (${failureWords(row)})` };
  }
  if (p === undefined) return { ...base, status: 'unknown', label: row?.status ?? 'unknown' };
  if (live && progress.leased.has(job)) return { ...base, ...running(run) };
  // Not started yet: it waits for its inputs, a free slot, or another run's lease (a cached one is recorded as soon as its step
  // starts: one the plan calls cached that a step the run began has not recorded is forced, and waits too).
  if (live && p.status !== 'manual' && (p.status !== 'cached' || progress.begun.has(p.step))) return { ...base, status: 'waiting', label: `waiting in run ${run?.id ?? '?'}` };
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

