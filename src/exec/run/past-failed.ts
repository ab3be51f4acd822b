import type { Step } from '../../pipeline/pipeline.js';
import type { DataState } from '../../plan/data-state.js';
import { jobIdOf } from '../../plan/expanded-job.js';
import type { Job } from '../../plan/jobs.js';
import { decidePast, failedPart, type Past } from '../../plan/part-made.js';
import type { JobDecision, StepDecision } from '../../plan/step-plan.js';
import type { SnapshotId } from '../../store/snapshot-store.js';
import type { RunContext } from './context.js';

/**
 * Under `--keep-going`, a step whose failed inputs are maps of which only some
 * items failed, which it joins or maps over item by item: decided with those
 * maps' directories as their done jobs made them, as `plan` decides it past a
 * map that runs some items again (plan/part-made.ts), by `decide` (run-step's own). Undefined when it is to
 * be skipped whole: without `--keep-going`, after Ctrl-C, or when it reads a
 * failed step otherwise (its whole directory, a step that made nothing).
 */
export async function decidedPastFailure(
  ctx: RunContext, step: Step, state: DataState, decide: () => Promise<StepDecision>, failed: readonly string[],
): Promise<Past | undefined> {
  // A step that failed whole (or was skipped) left nothing pending in the run's state: its readers are skipped whole.
  if (ctx.halted || step.kind === 'publish' || !failed.every((id) => ctx.partlyMade.has(id))) return undefined;
  // One at a time: each lays the failed maps' directories in the shared state for its own decision alone.
  const turn = ctx.pastTurn.then(() => decidePast(ctx.session, step, state, ctx.partlyMade, decide));
  ctx.pastTurn = turn.catch(() => undefined);
  return turn;
}

/**
 * The jobs of a step decided past a failure that can run, and the ids of the
 * others (those reading an item that was not made), to be skipped once the step has started.
 */
export function runnableJobs(step: Step, past: Past): { decision: StepDecision & { kind: 'jobs' }; skipped: string[] } {
  const jobs: JobDecision[] = [];
  const skipped: string[] = [];
  for (const d of past.decision.jobs) {
    if (past.waitsFor(d.job) === undefined) jobs.push(d);
    else skipped.push(d.job.id);
  }
  for (const { name } of past.unmade) skipped.push(jobIdOf(step.id, [name]));
  return { decision: { ...past.decision, jobs }, skipped };
}

/**
 * A map of which some jobs did not finish under `--keep-going`: what its done
 * jobs made is kept for the steps joining it (`decidedPastFailure`).
 */
export function keepPartMade(
  ctx: RunContext, step: Step, state: DataState, done: readonly { job: Job; outputs: Record<string, SnapshotId> }[],
  jobs: readonly Job[], past: Past | undefined,
): void {
  if (ctx.halted) return;
  const finished = new Set(done.map((d) => d.job));
  const notDone = [...jobs.filter((j) => !finished.has(j)), ...(past?.decision.jobs.filter((d) => past.waitsFor(d.job) !== undefined).map((d) => d.job) ?? [])];
  const part = failedPart(ctx.session, step, state, done, notDone, past?.unmade ?? []);
  if (part === undefined) return;
  ctx.partlyMade.set(step.id, part);
  // As `plan` has a map still to run: its readers find it pending, and are decided past it.
  for (const o of step.outputs) state.setPending(o.path, step.id);
}

/**
 * Why a step is skipped behind failed steps: an input of it failed, or (a
 * later command of a block, which runs after the ones above it as a script
 * would) only an earlier command of its block did, which it reads nothing from.
 */
export function skipReason(step: Step, failed: readonly string[]): string {
  const read = new Set(step.inputs.flatMap((i) => i.from));
  return failed.length > 0 && failed.every((id) => !read.has(id)) ? 'an earlier command of its block failed' : 'an input failed';
}
