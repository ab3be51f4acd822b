import { isMap, type Step } from '../../pipeline/pipeline.js';
import type { DataState } from '../../plan/data-state.js';
import type { Job } from '../../plan/jobs.js';
import { completeStep, decideStep, emptyMapNote, stepPolicy, type JobDecision, type StepDecision } from '../../plan/step-plan.js';
import { damagedDatabase } from '../../store/damaged-database.js';
import type { StepMemo } from '../../store/step-memos.js';
import type { SnapshotId } from '../../store/snapshot-store.js';
import type { RunJobRow } from '../../store/metadata.js';
import type { RunEvent } from '../events.js';
import { stagingWidth, type RunContext } from './context.js';
import { DEEPEST } from '../lane-pace.js';
import { stepFailed, type StepOutcome } from './step-failed.js';
import { PUT_OFF, runJob, takeAhead } from './run-job.js';
import { oneByOne } from '../slurm/grouping.js';
import { publish } from './publish-step.js';
import { MAX_BATCH } from './commit-queue.js';
import { LeaseWindow } from './lease-window.js';
import { decidedPastFailure, keepPartMade, runnableJobs, skipReason } from './past-failed.js';
import { itemWriterClash, ownOutputs, treeWriterClash } from '../../plan/item-writers.js';


type Done = { job: Job; outputs: Record<string, SnapshotId> };

/**
 * One step of a run, once the steps it reads from are done: its inputs'
 * ids, its jobs (one per map item), the cached ones reused, the others run
 * in the shared budget; then what its jobs wrote, composed, becomes known.
 */
export async function runStep(ctx: RunContext, step: Step, state: DataState, envIds: ReadonlyMap<string, string>, after: readonly Promise<StepOutcome>[]): Promise<StepOutcome> {
  const deps = await Promise.all(after);
  // Failed as a whole already (a conflict found as an earlier step ended), also under --keep-going: it does not run.
  if (ctx.failedWhole.has(step.id)) return { ok: false };
  // Under --keep-going, a map joining maps of which some items failed runs the items that were made.
  const failed = step.after.filter((_, n) => deps[n]?.ok === false);
  // The step's decision as `plan` makes it: past a partly failed map, or as the state is.
  const decide = (): Promise<StepDecision> => ctx.order.inTurn(step, () =>
    decideStep(ctx.session, step, state, (name) => ({ id: envIds.get(name)! }), ctx.signal, stepPolicy(ctx.options.selection, step.id)));
  // So is one reading a map of which the targets named some jobs (plan/item-picks.ts): past the items they made.
  const picked = step.after.filter((id, n) => deps[n]?.ok === true && ctx.partlyMade.has(id));
  const past = failed.length + picked.length > 0 ? await decidedPastFailure(ctx, step, state, decide, [...failed, ...picked]) : undefined;
  if (deps.some((d) => !d.ok) && past === undefined) {
    // A publish block is no job (plan counts none): a run that stops before it publishes nothing, and says so by its status.
    // An input cut short by Ctrl-C did not fail: its readers are skipped as it was.
    if (step.kind !== 'publish') ctx.skip(step.id, step, ctx.signal.aborted ? 'interrupted' : skipReason(step, failed), isMap(step));
    return { ok: false };
  }
  if (step.kind === 'publish') return publish(ctx, step, state);
  const { session } = ctx;
  const runnable = past === undefined ? undefined : runnableJobs(step, past);
  const decision = runnable?.decision ?? await decide();
  // Ctrl-C while a large map was decided: it is a map not started, as one not reached.
  if (decision.kind === 'interrupted') return (ctx.skip(step.id, step, 'interrupted', isMap(step)), { ok: false });
  if (decision.kind === 'blocked') return stepFailed(ctx, step, `waits on ${decision.step}`, 'missing-input');
  // A job named that the map turned out not to have (its items were made by this run): known only now.
  if (decision.kind === 'failed') return stepFailed(ctx, { id: step.id, at: decision.at }, decision.message, decision.reason === 'no-job' ? 'missing-input' : decision.reason);
  // A map's item output another step writes too (`plan` refuses it when the items are known then): known only now.
  const twice = itemWriterClash(session.pipeline, step, decision.jobs);
  if (twice !== undefined) return stepFailed(ctx, { id: step.id, at: twice.at }, twice.message, 'conflict');
  // Items skipped past a failure are items: the map had something to map over.
  const nothing = (runnable?.skipped.length ?? 0) > 0 ? undefined : emptyMapNote(step, decision);
  if (nothing !== undefined) (ctx.empty.push(nothing), ctx.emit({ type: 'step-empty', step: step.id, block: step.blockId, message: nothing }));
  if (decision.kind === 'jobs') ctx.forceUnused.push(...(decision.forceUnused ?? []));
  const memo = decision.memo;
  if (memo?.hit !== undefined) return recalledStep(ctx, step, decision.jobs, { key: memo.key, hit: memo.hit }, state);
  const jobs = decision.jobs.map((d) => d.job);
  const cached = decision.jobs.map((d) => d.cached);
  // Counted with the jobs skipped past a failure, as `plan` lists them.
  const skipped = runnable?.skipped ?? [];
  stepStart(ctx, step, jobs.length + skipped.length, cached.filter(Boolean).length);
  for (const job of skipped) ctx.skip(job, step, 'an input failed');
  const results: (Done | undefined)[] = [];
  const rows: RunJobRow[] = [];
  const hits: RunEvent[] = [];
  decision.jobs.forEach(({ job, cached: hit, kept }) => {
    if (hit === undefined) return;
    ctx.counts.cached++;
    // A `{precious}` job kept an earlier result: the run points at that result's key, so lineage shows what made it.
    // Without a log here, the result's own is recorded (recordRunJobs).
    rows.push({ ...ctx.row(job, 'cached', hit.log ?? null), key: hit.key });
    results.push({ job, outputs: hit.outputs });
    // Said as plan says it: the result now published may be stale, and nobody should learn that by chance.
    if (kept !== undefined) ctx.kept++;
    hits.push({ type: 'job-cached', job: job.id, step: step.id, block: step.blockId, ...(kept !== undefined ? { kept: true, reason: kept.join('; ') } : {}) });
  });
  // Announced once recorded: what the events say is cached, `logs` and `lineage` can already read.
  ctx.cachedRows.add(rows, () => {
    for (const e of hits) ctx.emit(e);
  }, (message) => void stepFailed(ctx, step, message, 'store'));
  const toRun = jobs.filter((_, n) => cached[n] === undefined);
  ctx.session.meta.expectResults(toRun.length);
  // Forced as the step is, or as one of its jobs `--force` names.
  const forced = decision.jobs.filter((d) => d.cached === undefined).map((d) => d.forced === true);
  // Under Slurm a map's jobs go as one array: submitted once each has come or is over (run-job.ts settles it).
  if (step.kind === 'run' && !oneByOne(step.resources.pool)) ctx.slurm?.expect(step.id, toRun.length);
  // Jobs are taken up as staging slots free, not all queued at once: a step of 100,000 jobs would
  // hold a pending promise and closure per job for the whole run (under Slurm, all go at once).
  // A job gives its staging slot back while its result waits for its batch's commit: a batch more.
  // Jobs enter staging in order: the first of each group takes the group's leases in one transaction.
  // The first group as large as staging holds with one job queued behind each running one; the groups grow while jobs are short.
  const slurm = ctx.slurm !== undefined;
  const leases = new LeaseWindow(stagingWidth(ctx.options.jobs, 1, slurm), (from, to) => takeAhead(ctx, toRun.slice(from, to)));
  // A job whose lease another run holds is put off until no other is left to start, then waited for: two runs
  // sharing a store share a map's jobs. Not under Slurm, whose step is submitted once all its jobs have come.
  const skipHeld = toRun.length > 1 && ctx.slurm === undefined;
  // When each job put off was first tried: forced, it reuses only a result committed since (another forced run's).
  const putOffAt = new Map<number, number>();
  const outcomes = await inWindow(toRun, stagingWidth(ctx.options.jobs, DEEPEST, slurm) + MAX_BATCH, async (job, n, again) => {
    const since = putOffAt.get(n) ?? Date.now();
    const outcome = await runJob(ctx, job, forced[n]!, toRun.length > 1 ? (): void => leases.reach(n) : undefined, skipHeld && !again, since);
    if (outcome === PUT_OFF) putOffAt.set(n, since);
    return outcome;
  });
  toRun.forEach((job, n) => results.push(outcomes[n] === undefined ? undefined : { job, outputs: outcomes[n]! }));
  const done = results.filter((r): r is Done => r !== undefined);
  // Jobs skipped past a failure: what reads the step waits for them as for a failed one.
  if (done.length < jobs.length || skipped.length > 0) {
    if (decision.partial === undefined) keepPartMade(ctx, step, state, done, jobs, past);
    return { ok: false };
  }
  // Some jobs of the map, as the targets named: its directories are not known whole. A map of the run reading it item
  // by item (plan/item-picks.ts) is decided past what they made, as past a map some of whose jobs failed.
  if (decision.partial !== undefined) {
    keepPartMade(ctx, step, state, done, done.map((d) => d.job), undefined);
    return { ok: true };
  }
  // Decided past a failure, its inputs were not whole: no memo of it.
  const decided = memo === undefined || past !== undefined ? undefined : { memo, cached: toRun.length === 0, source: { run: ctx.runId, step: step.id } };
  const completed = completeStep(session, step, done, state, decided);
  if (!completed.ok) return stepFailed(ctx, step, completed.message, 'conflict');
  // A directory it wrote whole holding a file another step writes: known only now (plan refuses it where it knows the directory).
  const inside = treeWriterClash(session.pipeline, step, () => ownOutputs(step, state), (id) => state.entries(id));
  if (inside === undefined) return { ok: true };
  if (inside.offender === step.id) return stepFailed(ctx, { id: step.id, at: inside.at }, inside.message, 'conflict');
  // A later step writes a file inside what this one wrote whole: that one fails, before it runs (and is not said skipped);
  // this one did its work (an import said `done` and then `FAILED` for another step's write).
  ctx.failedWhole.add(inside.offender);
  stepFailed(ctx, { id: inside.offender, at: inside.at }, inside.message, 'conflict');
  return { ok: true };
}

/**
 * A step its memo decided, every job cached: the run names the rows of the
 * run the memo names (`run_links`: one row, where writing a million took
 * seconds), or else writes one per job; either way its jobs are announced
 * once their rows are there. The memo keeps naming rows of a run's own.
 */
function recalledStep(ctx: RunContext, step: Step, decided: readonly JobDecision[], memo: { key: string; hit: StepMemo }, state: DataState): StepOutcome {
  const n = decided.length;
  stepStart(ctx, step, n, n);
  ctx.counts.cached += n;
  const announce = (): void => {
    for (const { job } of decided) ctx.emit({ type: 'job-cached', job: job.id, step: step.id, block: step.blockId });
  };
  let linked: boolean;
  try {
    const named = memo.hit.source;
    linked = named !== undefined && ctx.session.meta.runRows.link(named, memo.hit.jobs, { run: ctx.runId, step: step.id, block: step.blockId, line: step.at.line });
  } catch (e) {
    // Damage ends the command, said as damage met anywhere else is (`reportUncaught`).
    if (damagedDatabase(e)) throw e;
    return stepFailed(ctx, step, `cannot record the cached jobs: ${(e as Error).message}`, 'store');
  }
  if (linked) announce();
  else {
    const rows = decided.map(({ job, cached }) => ({ ...ctx.row(job, 'cached', null), key: cached!.key }));
    ctx.cachedRows.add(rows, announce, (message) => void stepFailed(ctx, step, message, 'store'));
  }
  const source = linked ? undefined : { run: ctx.runId, step: step.id };
  const completed = completeStep(ctx.session, step, [], state, { memo, cached: true, ...(source !== undefined ? { source } : {}) });
  return completed.ok ? { ok: true } : stepFailed(ctx, step, completed.message, 'conflict');
}

/**
 * A step begins with `jobs` jobs, `cached` of them cached: said, and recorded for `shark serve`,
 * which cannot count the jobs of a map over what an earlier step of this run writes until then.
 */
function stepStart(ctx: RunContext, step: Step, jobs: number, cached: number): void {
  try {
    ctx.session.meta.runRows.began(ctx.runId, step.id, jobs);
  } catch {
    // Only the page's count of the step's jobs is lost; a store refusing writes fails the jobs' own records.
  }
  ctx.emit({ type: 'step-start', step: step.id, block: step.blockId, jobs, cached });
}

/**
 * `fn` over every item, at most `width` at a time, in order of start; the
 * results in the items' order. An item `fn` puts off (`PUT_OFF`) is taken
 * again, `again`, once every other has started.
 */
async function inWindow<T, R>(items: readonly T[], width: number, fn: (item: T, n: number, again: boolean) => Promise<R | typeof PUT_OFF>): Promise<R[]> {
  const out = new Array<R>(items.length);
  const later: number[] = [];
  let next = 0;
  let lanes = 0;
  const running: Promise<void>[] = [];
  const lane = async (): Promise<void> => {
    for (;;) {
      const again = next >= items.length;
      const n = again ? later.shift() : next++;
      if (n === undefined) break;
      const r = await fn(items[n]!, n, again);
      if (r !== PUT_OFF) out[n] = r;
      else if (!again) (later.push(n), widen());
    }
    lanes--;
  };
  // A lane that found nothing left ended: one more for an item put off since, up to `width`.
  const widen = (): void => {
    while (lanes < Math.min(width, items.length) && (next < items.length || later.length > 0)) (lanes++, running.push(lane()));
  };
  widen();
  while (running.length > 0) await Promise.all(running.splice(0));
  return out;
}
