import { inBlock } from '../pipeline/block-ids.js';
import { stepOfJob, type Pipeline, type Step } from '../pipeline/pipeline.js';
import { baseIdentity, stepIdentity } from '../plan/jobs.js';
import type { Metadata, RunJobRow } from '../store/metadata.js';

/** A run's row of a job, and that job's id and line as the document has them now. */
export interface RowNow {
  readonly row: RunJobRow;
  readonly job: string;
  readonly line: number;
}

/**
 * The steps `target` names in the document as it is now: a block (or a
 * sweep's instances of it), a step, or one job (`step[item]`).
 */
export function stepsNamed(pipeline: Pipeline, target: string): { steps: Step[]; job?: string } {
  const blocks = pipeline.blocks.filter((b) => inBlock(b.id, target));
  if (blocks.length > 0) return { steps: blocks.flatMap((b) => b.steps.map((id) => pipeline.stepsById.get(id)!)) };
  const step = pipeline.stepsById.get(target);
  if (step !== undefined) return { steps: [step] };
  // A sweep's job is its instance's step and item (`double[T=A][x.txt]`): the step is the longest id before a bracket.
  const owner = stepOfJob(pipeline, target);
  return owner === undefined ? { steps: [] } : { steps: [owner], job: target };
}

/**
 * The rows of run `runId` that are the jobs of `steps` as the document has
 * them now, found by what the jobs write (their identity, `plan/jobs.ts`),
 * not by their ids: a block inserted above another takes its id
 * (format.md), and `plan` too finds a moved block's result by identity.
 */
export function rowsNow(meta: Metadata, rows: readonly RunJobRow[], steps: readonly Step[]): RowNow[] {
  const stepOfKey = new Map<string, Step>();
  for (const step of steps) for (const key of meta.keysOfIdentity(stepIdentity(step))) stepOfKey.set(key, step);
  // A failed job's key may be no result's nor the step's last attempt's (it failed, was fixed and ran again): its row says what it writes.
  const unfinished = rows.length === 0 ? new Map<string, string>() : meta.unfinishedIdentities(rows[0]!.run_id);
  const stepOfIdentity = unfinished.size === 0 ? new Map<string, Step>() : new Map(steps.map((s) => [stepIdentity(s), s]));
  const found: RowNow[] = [];
  for (const row of rows) {
    const written = unfinished.get(row.job);
    const step = stepOfKey.get(row.key) ?? (written === undefined ? undefined : stepOfIdentity.get(baseIdentity(written)));
    if (step !== undefined) found.push({ row, job: step.id + row.job.slice(row.step.length), line: step.at.line });
  }
  return found;
}

/**
 * The step of the document now that a run's row was a job of, when it is
 * still there: for saying what an id named in that run.
 */
export function stepNow(meta: Metadata, pipeline: Pipeline, row: RunJobRow): Step | undefined {
  const identity = meta.result(row.key)?.identity;
  if (identity === undefined) return undefined;
  const base = baseIdentity(identity);
  return pipeline.steps.find((s) => stepIdentity(s) === base);
}
