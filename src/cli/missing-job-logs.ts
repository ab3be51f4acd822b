import { someOf } from '../counted.js';
import type { RunSession } from '../exec/executor.js';
import { rowsNow, stepNow, stepsNamed, type RowNow } from '../lineage/rows-now.js';
import { inBlock } from '../pipeline/block-ids.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { sweepJobProblem } from '../plan/job-picks.js';
import type { Metadata, RunJobRow, RunRow } from '../store/metadata.js';
import { earlierLog } from './earlier-logs.js';

/**
 * The run's jobs of `target` as the document names it now (`rows-now.ts`):
 * its jobs moved under another id are found, and another block's jobs that
 * had its id are not. A name the document no longer has is looked up among
 * the run's own names.
 */
export function jobsOf(meta: Metadata, pipeline: Pipeline | undefined, runId: number, target: string): RowNow[] {
  const { steps, job } = pipeline === undefined ? { steps: [], job: undefined } : stepsNamed(pipeline, target);
  if (steps.length === 0) {
    // A job named exactly is looked up alone: a run of a million jobs was read whole for one.
    const one = meta.runJob(runId, target);
    const rows = one !== undefined ? [one] : meta.runJobs(runId).filter((j) => inBlock(j.block, target) || j.step === target);
    return rows.map((row) => ({ row, job: row.job, line: row.line }));
  }
  const found = rowsNow(meta, meta.runJobs(runId), steps);
  return job === undefined ? found : found.filter((j) => j.job === job);
}

/** The run `logs` shows, and what it was asked for: where else to look when the run has no log of it. */
export interface Elsewhere {
  readonly session: RunSession;
  /** The document's runs, newest first. */
  readonly runs: readonly RunRow[];
  readonly run: RunRow;
  readonly file: string;
  readonly target: string;
}

/** Ids as a reader looks for one: `n[N=2]` before `n[N=10]`. */
const BY_NAME = new Intl.Collator('en', { numeric: true });

/** Why a block, step or job of the document has no job in the run (and where its last log is), or that nothing matches. */
export function noJob(e: Elsewhere): string {
  const { session: { meta, pipeline }, run, target } = e;
  const kind = pipeline.blocks.some((b) => inBlock(b.id, target)) ? 'block' : pipeline.stepsById.has(target) ? 'step' : undefined;
  // A publish copies files out of the store: it is no job, and keeps no log, though it ran.
  const publish = pipeline.blocks.some((b) => inBlock(b.id, target) && b.kind === 'publish') || pipeline.stepsById.get(target)?.kind === 'publish';
  if (publish) return `\`${target}\` is a shark-publish block: publishing keeps no log`;
  const rows = meta.runJobs(run.id);
  const last = earlierLog(e.runs, run, (id) => jobsOf(meta, pipeline, id, target).length > 0, e);
  // One job of a step (`step[item]`): one a stopped run never reached has no row, as its skipped steps have none;
  // one a run's targets left out has none either. An item no run had is a name that matches nothing.
  const named = kind === undefined ? stepsNamed(pipeline, target) : undefined;
  const step = named?.steps[0]?.id;
  // A map whose every job the run recorded had no such item then: it matches nothing, unless an earlier run had it.
  const whole = named?.job !== undefined && recordedWhole(meta, run, step!);
  const item = named?.job === undefined ? undefined
    : whole ? (last !== '' ? `${step} had no such item in run ${run.id}` : undefined)
    : run.status !== 'ok' ? whyNotRun(run.id, run.status, 'it')
    : last !== '' ? leftOutItem(meta, run, step!) ?? whyNotRun(run.id, run.status, 'it') : undefined;
  if (item !== undefined) return `job \`${target}\` has no row in run ${run.id}: ${(whole ? undefined : killedUnrecorded(run, 'it')) ?? `it did not run (${item})`}${last}`;
  // A job of a sweep's map named without its instance (`area[robin.txt]`): said as `plan` and `run` say it.
  if (kind === undefined) return sweepJobProblem(pipeline, pipeline.steps, target) ?? noMatch(rows, run.id, target);
  const other = rows.find((j) => inBlock(j.block, target) || j.step === target);
  return `${kind} \`${target}\` has no job in run ${run.id}: ${other === undefined ? killedUnrecorded(run, 'they') ?? `its jobs did not run (${whyNotRun(run.id, run.status, 'they')})` : otherBlock(meta, pipeline, run.id, target, other)}${last}`;
}

/**
 * Whether `run` recorded a row for every job it began `step` with: then
 * an item with no row was no item of the map in that run, whatever stopped
 * the run, and matches nothing (not "skipped after the failure").
 */
function recordedWhole(meta: Metadata, run: RunRow, step: string): boolean {
  // A run whose targets named some items of the map began it with those alone: the others were left out.
  if (leftOutItem(meta, run, step) !== undefined) return false;
  const jobs = meta.runRows.jobsOfStep(run.id, step);
  return jobs !== undefined && meta.runRows.ofStep(run.id, step).length === jobs;
}

/** Why the run has no job of an item of `step`, when its targets named only some items of that map (`RunSummary.partial`). */
function leftOutItem(meta: Metadata, run: RunRow, step: string): string | undefined {
  const json = meta.db.prepare<[number], { partial: string | null }>("SELECT json_extract(summary, '$.partial') AS partial FROM runs WHERE id = ?").get(run.id)?.partial ?? null;
  return json !== null && (JSON.parse(json) as string[]).includes(step) ? `left out by run ${run.id}'s targets` : undefined;
}

/** That nothing of run `runId` (its `rows`) has the name `target`, and which blocks it has. */
export function noMatch(rows: readonly RunJobRow[], runId: number, target: string): string {
  // In document order, as the run went; a sweep's instances (one line) by name, `n[N=2]` before `n[N=10]`.
  const lines = new Map<string, number>();
  for (const j of rows) lines.set(j.block, Math.min(lines.get(j.block) ?? Infinity, j.line));
  const blocks = [...lines.keys()].sort((a, b) => lines.get(a)! - lines.get(b)! || BY_NAME.compare(a, b));
  return `no job of run ${runId} matches \`${target}\` (blocks: ${someOf(blocks)})`;
}

/** What `target` named in a run whose rows of that name are another block's jobs. */
function otherBlock(meta: Metadata, pipeline: Pipeline, runId: number, target: string, row: RunJobRow): string {
  const now = stepNow(meta, pipeline, row);
  const where = now === undefined ? `no longer in the document (line ${row.line} then)` : `now \`${now.blockId}\` (line ${now.at.line})`;
  return `run ${runId}'s \`${target}\` was another block, ${where}`;
}

/**
 * A run killed (`kill -9`: it never recorded its end) leaves no row of the
 * jobs it was running, and once `gc` drops its leases (`interrupted-logs.ts`),
 * nothing that tells them from those it never reached.
 */
function killedUnrecorded(run: RunRow, they: 'it' | 'they'): string | undefined {
  if (run.status !== 'interrupted' || run.ended !== null) return undefined;
  return `run ${run.id} was killed, and left no record of whether ${they === 'it' ? 'it' : 'its jobs'} started`;
}

/** Why a block (`they`) or one job (`it`) of the document has no job in a run that ran (a skipped job leaves no row in the run's record). */
function whyNotRun(runId: number, status: string, they: 'it' | 'they'): string {
  const was = they === 'it' ? 'was' : 'were';
  if (status === 'failed') return `run ${runId} failed, and ${they} ${was} skipped after the failure`;
  if (status === 'interrupted') return `run ${runId} was interrupted before ${they} ran`;
  if (status === 'running') return `run ${runId} has not reached ${they === 'it' ? 'it' : 'them'} yet`;
  return `run ${runId} did not need ${they === 'it' ? 'it' : 'them'}`;
}
