import type { Plan, PlannedJob } from '../plan/planner.js';
import type { BlockNode, Pipeline } from '../pipeline/pipeline.js';
import { DEFAULT_PUBLISH_DIR } from '../pipeline/pipeline.js';
import type { Metadata, RunJobRow, RunRow } from '../store/metadata.js';
import { fromResultRow } from '../lineage/record.js';

/** What the page shows for a block or a job; the stylesheet colours by it. */
export type ViewStatus = 'ran' | 'cached' | 'failed' | 'would-run' | 'running' | 'manual' | 'publish' | 'unknown';

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
  readonly jobs: readonly JobView[];
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

const ORDER: readonly ViewStatus[] = ['failed', 'running', 'would-run', 'ran', 'cached', 'manual', 'publish', 'unknown'];

/**
 * Each block's status, from the plan (what would run now, and why) and the
 * latest run's records: while a run is live, its records win, so the page
 * shows jobs finishing; after it, the plan says what is cached, and the
 * records say which run made it.
 */
export function pageState(pipeline: Pipeline, plan: Plan | undefined, meta: Metadata, run: RunRow | undefined, note?: string): PageState {
  const rows = run === undefined ? [] : meta.runJobs(run.id);
  const live = run?.status === 'running';
  const byJob = new Map(rows.map((r) => [r.job, r]));
  const blocks = pipeline.blocks.map((b) => blockView(b, plan?.jobs.filter((j) => j.block === b.id) ?? [], rows.filter((r) => r.block === b.id), byJob, meta, run, live, plan !== undefined));
  const planned = plan?.jobs.filter((j) => j.status !== 'manual').length ?? 0;
  const runView = run === undefined ? undefined : {
    id: run.id, status: run.status, started: run.started,
    done: rows.filter((r) => r.status !== 'running').length, total: Math.max(planned, rows.length),
  };
  return { run: runView, blocks, ...(note !== undefined ? { note } : {}) };
}

function blockView(
  b: BlockNode, planned: readonly PlannedJob[], rows: readonly RunJobRow[], byJob: ReadonlyMap<string, RunJobRow>,
  meta: Metadata, run: RunRow | undefined, live: boolean, havePlan: boolean,
): BlockView {
  if (b.kind === 'publish') {
    const label = `publishes ${b.inputs.join(' ')} to ${b.block.arg ?? DEFAULT_PUBLISH_DIR}/`;
    return { id: b.id, status: 'publish', label, done: 0, total: 0, jobs: [] };
  }
  if (b.kind === 'build' && planned.length === 0) return { id: b.id, status: 'unknown', label: `builds the environment ${b.env ?? ''}`, done: 0, total: 0, jobs: [] };
  const jobs: JobView[] = planned.map((p) => jobView(p, byJob.get(p.job), meta, run, live));
  // Jobs the run found that the plan did not foresee (items of a directory that changed since).
  for (const r of rows) if (!planned.some((p) => p.job === r.job)) jobs.push(jobView(undefined, r, meta, run, live));
  if (jobs.length === 0) return { id: b.id, status: 'unknown', label: havePlan ? 'no jobs' : 'status unknown (no plan)', done: 0, total: 0, jobs };
  const status = ORDER.find((s) => jobs.some((j) => j.status === s)) ?? 'unknown';
  const done = jobs.filter((j) => j.status === 'ran' || j.status === 'cached' || j.status === 'failed').length;
  const count = jobs.length === 1 ? '' : ` (${done}/${jobs.length} jobs)`;
  const first = jobs.find((j) => j.status === status)!;
  const label = status === 'running' ? `running in run ${run?.id ?? '?'}: ${done}/${jobs.length} jobs done`
    : status === 'would-run' && jobs.length > 1 ? `${first.label} — ${jobs.filter((j) => j.status === 'would-run').length} of ${jobs.length} jobs`
    : `${first.label}${count}`;
  return { id: b.id, status, label, done, total: jobs.length, jobs };
}

function jobView(p: PlannedJob | undefined, row: RunJobRow | undefined, meta: Metadata, run: RunRow | undefined, live: boolean): JobView {
  const job = p?.job ?? row?.job ?? '?';
  const item = p?.items[0] ?? row?.item ?? null;
  const result = row !== undefined ? meta.result(row.key) : undefined;
  const record = result === undefined ? undefined : fromResultRow(result);
  const extra = {
    ...(row?.log !== null && row?.log !== undefined && run !== undefined ? { logRun: run.id } : {}),
    ...(record !== undefined ? { ms: record.ended - record.started, env: record.record.env } : {}),
  };
  const outputs = Object.entries(record?.outputs ?? p?.outputs ?? {});
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
  if (live && p.status !== 'manual') return { ...base, status: p.status === 'cached' ? 'cached' : 'running', label: p.status === 'cached' ? 'cached' : `running in run ${run?.id ?? '?'}` };
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
