import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { leadsIntoData } from '../../pipeline/data-path.js';
import { shownUrls } from '../../imports/shown-url.js';
import { toResultRow, type LineageRecord } from '../../lineage/record.js';
import type { Job } from '../../plan/jobs.js';
import { keyOf } from '../../plan/key.js';
import { cachedResult } from '../../plan/step-plan.js';
import { jobLease } from '../../store/job-leases.js';
import { inTheWay } from '../../store/safe-path.js';
import { asNodeSaid } from '../slurm/task-outcome.js';
import type { SnapshotId, Workspace } from '../../store/snapshot-store.js';
import { VERSION } from '../../version.js';
import type { FailureReason } from '../events.js';
import { appendToLog, keepLog } from '../job-log.js';
import { maskText } from '../secret-mask.js';
import { tailOf } from './tail.js';
import type { RunContext } from './context.js';
import { changedWhileRunning, importedOtherBytes } from './changed-files.js';
import { linkOutOfData, runsOnHost } from './host-links.js';
import { modifiedMessage, outputProblem, type Failure } from './output-checks.js';
import { makeOutputDirs } from './output-dirs.js';
import { adoptPin, launch, pinnedMeanwhile } from './launch-job.js';
import { heldOnce, runCommandOf } from './held-job.js';

type Outputs = Record<string, SnapshotId>;

/** Asked once: it is in every job's record. */
const HOST = hostname();


/** A job whose outputs are stored and whose result waits for its batch's commit (commit-queue.ts). */
interface Staged {
  readonly outputs: Promise<Outputs | undefined>;
}

const now = (outputs: Outputs | undefined): Staged => ({ outputs: Promise.resolve(outputs) });
/** Failures found once the command ended well: its log says nothing of them unless Shark does. */
const JUDGED_AFTER = new Set<FailureReason>(['missing-output', 'bad-output', 'modified-input', 'changed-file']);

/** A job put off: another live run holds its lease (`runJob`'s `skipHeld`). */
export const PUT_OFF: unique symbol = Symbol('put off');

/**
 * Runs one job that is not cached, at most once across every process that
 * shares the store: it first takes the job's lease (its cache key); a run
 * that finds the lease held waits, and reuses the result when the holder
 * commits it; with `skipHeld` it does not wait but returns `PUT_OFF`, for
 * the caller to run the map's free jobs first. The job holds a staging slot
 * until its outputs are stored, not while its result waits to be committed
 * with others. `onStaged` is called as it takes its slot (to take the leases
 * of the jobs after it). A forced job reuses only a result committed after
 * `since` (when it was first tried, put off or not).
 */
export async function runJob(ctx: RunContext, planned: Job, forced = false, onStaged?: () => void, skipHeld = false, since = Date.now()): Promise<Outputs | undefined | typeof PUT_OFF> {
  const job = heldOnce(planned);
  let settled = true;
  try {
    // Stopped: skipped without a staging slot (the rest of a million-item map went through staging one by one after Ctrl-C).
    if (ctx.halted) return void ctx.skip(job.id, job.step);
    const staged = await ctx.staging(() => (onStaged?.(), stage(ctx, job, forced, skipHeld, since)));
    if (staged !== PUT_OFF) return staged.outputs;
    // Still to come: its step's array (under Slurm) waits for it.
    settled = false;
    return PUT_OFF;
  } finally {
    // Come and gone, or over without coming (cached meanwhile, skipped): its step's array waits for it no more.
    if (settled) ctx.slurm?.settled(job.step.id);
  }
}

/** The lease that guards running `job` (its cache key). */
export const leaseOf = (job: Job): string => jobLease(job.key);

/** Takes the leases of `jobs` in one transaction, reading which of them have a result already (leases.ts `takeAhead`). */
export function takeAhead(ctx: RunContext, jobs: readonly Job[]): boolean {
  // Stopped, the jobs are skipped: taking their leases (a transaction a group) and giving them back made Ctrl-C of a large map take minutes.
  if (ctx.halted) return false;
  const keys = new Map(jobs.map((j) => [leaseOf(j), j.key]));
  return ctx.leases.takeAhead([...keys.keys()], (names) => {
    const have = ctx.session.meta.resultKeysAmong(names.map((n) => keys.get(n)!));
    return new Set(names.filter((n) => have.has(keys.get(n)!)));
  });
}

async function stage(ctx: RunContext, job: Job, forced: boolean, skipHeld: boolean, since: number): Promise<Staged | typeof PUT_OFF> {
  if (ctx.halted) return now(void ctx.skip(job.id, job.step));
  const lease = leaseOf(job);
  // A forced job ignores the result it would have reused; only one committed while it waited (another forced run) will do.
  const doneAs = (j: Job): boolean => cachedResult(ctx.session, j) !== undefined && (!forced || (ctx.session.meta.result(j.key)?.ended ?? 0) >= since);
  // The job whose result is reused: an import another run fetched while this one waited is stored under the pin that
  // run wrote to the lock file, not under the key this run planned without it.
  let reused = job;
  const done = (): boolean => {
    reused = job;
    if (doneAs(job)) return true;
    const pinned = pinnedMeanwhile(ctx.session, job);
    if (pinned !== undefined && doneAs(pinned)) reused = pinned;
    return reused !== job;
  };
  let got;
  try {
    got = await ctx.leases.acquire(lease, ctx.signal, done, (holder) =>
      ctx.emit({ type: 'job-waiting', job: job.id, step: job.step.id, holder }), skipHeld);
    if (got.kind === 'held') return PUT_OFF;
    if (got.kind === 'done') {
      const hit = cachedResult(ctx.session, reused)!;
      if (reused !== job) adoptPin(ctx.session, reused);
      ctx.session.meta.recordRunJob(ctx.row(reused, 'cached', hit.log ?? null));
      ctx.counts.cached++;
      ctx.emit({ type: 'job-cached', job: job.id, step: job.step.id, block: job.step.blockId });
      return now(hit.outputs);
    }
  } catch (e) {
    // The database stayed locked beyond its wait (another process stuck in a transaction): the job fails, and
    // nothing is recorded of it (that would need the database too).
    return now(void unrecorded(ctx, job, `cannot take the job's lease: ${(e as Error).message}`));
  }
  if (got.kind === 'aborted') return now(void ctx.skip(job.id, job.step, 'interrupted'));
  // The lease goes with the result (in its transaction) or, when there is none, once the job is over.
  const release = (): void => ctx.leases.release(lease);
  const staged = await execute(ctx, job, lease).catch((e: unknown) => {
    release();
    throw e;
  });
  return { outputs: staged.outputs.finally(release) };
}

/** A job that failed because the store refused it (reason `store`), reported without a record. */
function unrecorded(ctx: RunContext, job: Job, message: string): void {
  const where = ctx.where(job.step.at);
  ctx.counts.failed++;
  ctx.failures.push({ job: job.id, where, reason: 'store', log: null, message });
  ctx.emit({ type: 'job-failed', job: job.id, step: job.step.id, block: job.step.blockId, where, message, reason: 'store', exitCode: null, log: null, tail: '' });
  ctx.stop();
}

async function execute(ctx: RunContext, job: Job, lease: string): Promise<Staged> {
  const { session } = ctx;
  const { store, meta } = session;
  const step = job.step;
  const t0 = Date.now();
  const logPath = ctx.logPath(job);
  const ws = await store.createWorkspace(job.id, job.items.length > 0 ? step.id : undefined);
  // Once: a workspace given back after the job's result was staged may already be the next job's.
  let disposed: Promise<void> | undefined;
  // A workspace a cluster task may still use (it was given up on: `leftRunning`) is kept for it, and for the run that takes it over.
  let taskKeeps = false;
  const dispose = (failed: boolean): Promise<void> => (taskKeeps ? Promise.resolve() : (disposed ??= store.disposeWorkspace(ws, failed).catch(() => undefined)));
  const secrets = [...(session.secrets?.values() ?? [])];
  // Set as the command is launched: a failure before then is no command's doing, and its log is empty.
  let launched = false;
  // When the command started, once it has: a failed job's record says so, as a result says when its job started.
  let commandStarted: number | undefined;
  // How its command ended, once it has: a failure judged after (its output missing, an input changed) says it (0), not null.
  let exited: number | null = null;
  const fail = async (f: Failure): Promise<Staged> => {
    // First: what the job wrote may be what filled the disk its failure is to be recorded on.
    if (f.leftRunning === true) taskKeeps = true;
    await dispose(true);
    const where = ctx.where(f.at ?? step.at);
    // The job's own last lines: the log's note of the failure below would only repeat the message.
    const tail = tailOf(logPath);
    // The report names the log and `shark logs` shows it: it says why, as an import's log does (once:
    // an executor that refused the job may have said it there already). Masked: an error may quote a secret.
    // Said too when the command ended well but the job did not (its output missing or bad, an input changed in place).
    const note = `shark: ${f.message}`;
    // Under Slurm the node said it before the task and node were named after it.
    const said = tail.includes(note) || tail.includes(`shark: ${asNodeSaid(f.message)}`);
    if ((f.unrun === true || !launched || JUDGED_AFTER.has(f.reason)) && !said) appendToLog(logPath, maskText(note, secrets));
    else keepLog(logPath);
    const failure = { reason: f.reason, exitCode: f.exitCode ?? (JUDGED_AFTER.has(f.reason) ? exited : null) };
    ctx.counts.failed++;
    ctx.failures.push({ job: job.id, where, reason: f.reason, log: logPath, message: maskText(f.message, secrets) });
    let unrecorded = '';
    try {
      meta.recordFailure(
        { identity: job.identity, key: job.key, status: 'failed', record: JSON.stringify(job.record), log: logPath, started: commandStarted ?? null, ended: Date.now(), reason: f.reason, exit_code: failure.exitCode },
        ctx.row(job, 'failed', logPath, failure),
        lease,
      );
      ctx.leases.forget(lease);
    } catch (e) {
      // The store refused this write too (a full disk, a lock held too long): the failure is reported, not recorded.
      unrecorded = ` (not recorded in the store: ${(e as Error).message})`;
    }
    ctx.emit({
      type: 'job-failed', job: job.id, step: step.id, block: step.blockId, where,
      // Masked as the job's output is: an error (Node refusing an environment) may quote a secret's value.
      message: maskText(f.message + unrecorded, secrets),
      reason: f.reason, exitCode: failure.exitCode, log: logPath, tail,
    });
    ctx.stop();
    return now(undefined);
  };
  try {
    // Found before it starts (a joined item that does not exist): the job fails without running.
    if (job.problem !== undefined) return fail({ reason: 'missing-input', message: job.problem.message, at: job.problem.at });
    // Interrupted while its workspace was made (under Slurm every job of a map is prepared at once): nothing more to do.
    if (ctx.signal.aborted) return now(void ctx.skip(job.id, step, 'interrupted'));
    await prepare(ctx, job, ws);
    // A container resolves its inputs' links in itself; the host would resolve them on its own files.
    const outside = step.kind === 'run' && runsOnHost(session.envs.current(step.env ?? ''))
      ? linkOutOfData(ws.root, job.inputs) : undefined;
    if (outside !== undefined) return fail({ reason: 'missing-input', message: outside });
    const noCwd = step.kind === 'run' && runsOnHost(session.envs.current(step.env ?? '')) ? missingCwd(session.pipelineDir, step.cwd) : undefined;
    if (noCwd !== undefined) return fail({ reason: 'missing-input', message: noCwd });
    launched = true;
    ctx.executing();
    const ran = await launch(ctx, job, ws, logPath, () => ctx.leases.running(lease, job.id));
    commandStarted = ran.started;
    exited = ran.outcome.status === 'ok' ? 0 : ran.outcome.status === 'failed' ? ran.outcome.exitCode : null;
    if (ran.outcome.status === 'cancelled') {
      // Stopped while its command ran: its log (empty when it printed nothing) is the record that it started, which `logs` shows.
      if (ran.started !== undefined) keepLog(logPath);
      return now(void ctx.skip(job.id, step));
    }
    // Checked whatever the outcome: a failed job can have damaged an input too.
    const modified = (await store.modifiedInputs?.(ws, job.id)) ?? [];
    if (modified.length > 0) {
      return fail({ reason: 'modified-input', message: modifiedMessage(modified) });
    }
    if (ran.outcome.status === 'failed') {
      const { reason, exitCode, message, leftRunning } = ran.outcome;
      return fail({ reason, exitCode, message, unrun: reason === 'environment' || reason === 'internal', ...(leftRunning !== undefined ? { leftRunning: true } : {}) });
    }
    if (ran.outcome.status === 'timeout') return fail({ reason: 'timeout', message: ran.outcome.message });
    if (ran.outcome.status === 'import-failed') return fail({ reason: 'import', message: ran.outcome.message });
    const changed = await changedWhileRunning(session, job);
    if (changed !== undefined) return fail({ reason: 'changed-file', message: `${changed} while the job ran: its result is not kept under a key that names other bytes (run again)` });
    // All checked before any is stored: a tree the store cannot keep fails whole, named, as the step's failure.
    const bad = outputProblem(ws.root, job);
    if (bad !== undefined) return fail(bad);
    const outputs: Outputs = {};
    // A Slurm node's job that ended well is stored even once Ctrl-C came: the run heard of its end a poll late,
    // and nothing would store it after this run (its workspace goes), so the next run would run it again.
    const interruptible = ran.slurm === undefined ? ctx.signal : undefined;
    for (const o of job.outputs) {
      // Stopped between files by Ctrl-C: the catch below reports the job interrupted.
      const id = ran.stored !== undefined && step.kind === 'import' && o.path === step.clause.dest ? ran.stored : await store.commit(ws, o.path, interruptible);
      if (id === undefined) {
        const blocked = inTheWay(ws.root, dirname(o.path));
        return fail({ reason: 'missing-output', message: `step did not create ${o.path}${blocked === undefined ? '' : `: ${blocked} (Shark takes nothing through a link)`}`, at: o.output.at });
      }
      outputs[o.path] = id;
    }
    const drifted = importedOtherBytes(step, ran.record.pin, outputs);
    if (drifted !== undefined) return fail({ reason: 'changed-file', message: drifted });
    // When the command ran, not when the job was queued for a slot, nor when its outputs were stored.
    const started = ran.started ?? t0;
    const ended = ran.ended ?? Date.now();
    const record: LineageRecord = {
      // Only an import's record changes as it runs (the pin it fetched); a run's key is the one it was planned with.
      key: step.kind === 'import' ? keyOf(ran.record) : job.key, identity: job.identity, record: ran.record, outputs, log: logPath, started, ended, runId: ctx.runId,
      meta: {
        block: step.blockId, step: step.id, file: session.pipeline.document.file, line: step.at.line, col: step.at.col,
        command: step.kind === 'run' ? runCommandOf(step) : step.kind === 'import' ? shownUrls(step.clause.raw) : '', env: ran.record.env,
        items: job.items.map((i) => i.name), host: ran.host ?? HOST, version: VERSION, exit: 0, ...(ran.slurm === undefined ? {} : { slurm: ran.slurm }),
      },
    };
    const committed = ctx.commits.add({ result: toResultRow(record), job: ctx.row(job, 'ok', logPath), lease }).then(async () => {
      ctx.leases.forget(lease);
      await ctx.options.attest?.(record, job.id);
      ctx.counts.executed++;
      // From the command's end (a Slurm node's clock may run ahead of this one's).
      const stored = Math.max(0, Date.now() - ended) / 1000;
      ctx.emit({ type: 'job-done', job: job.id, step: step.id, block: step.blockId, seconds: (ended - started) / 1000, stored });
      return outputs;
    }).catch(async (e: Error) => (await fail({ reason: 'store', message: `cannot record the result: ${e.message}` })).outputs);
    return { outputs: committed };
  } catch (e) {
    // Interrupted while the store set it up or took its outputs: what failed then says nothing of the store.
    if (ctx.signal.aborted) return now(void ctx.skip(job.id, step, 'interrupted'));
    return fail({ reason: 'store', message: `cannot run job: ${(e as Error).message}` });
  } finally {
    await dispose(false);
  }
}

/** Places the job's inputs and the directories its outputs go into. */
async function prepare(ctx: RunContext, job: Job, ws: Workspace): Promise<void> {
  for (const input of job.inputs) await ctx.session.store.materialize(input.id, ws, input.path);
  // In a map, a shared output directory exists for every job to write its files into; so does one the
  // command writes into under names made as it runs (`/data/out/$s.txt`), and each item's of `+/`.
  for (const o of job.outputs) makeOutputDirs(ws.root, o.path, o.output, job.items.length > 0);
}

/**
 * A host step's working directory beside the document (a `cd DIR` line, not
 * into /data) that is not there: the job cannot start, for want of what it
 * names (it was an internal error, said at the command after the `cd`).
 */
function missingCwd(pipelineDir: string, cwd: string | undefined): string | undefined {
  if (cwd === undefined || leadsIntoData(cwd)) return undefined;
  const dir = resolve(pipelineDir, cwd);
  return existsSync(dir) ? undefined : `\`cd ${cwd}\`: no directory ${dir}`;
}
