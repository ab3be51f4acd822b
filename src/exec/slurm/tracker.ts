import { appendFileSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { inTheWay } from '../../store/safe-path.js';
import type { ExecOutcome, ExecRequest } from '../executor.js';
import type { Adoptable } from './adopt.js';
import type { SlurmClient } from './client.js';
import { readStatus } from './manifest.js';
import { isFinished, type JobState } from './parse.js';
import type { SlurmJobHint } from './slurm-executor.js';

/** One job waiting on Slurm, and how to hand back its outcome. */
export interface Entry {
  readonly req: ExecRequest;
  readonly hint: SlurmJobHint;
  readonly resolve: (outcome: ExecOutcome) => void;
  statusPath: string;
  running: boolean;
}

/** One Slurm job or array task and the jobs it runs in turn. */
interface Task {
  readonly id: string;
  readonly entries: readonly Entry[];
  /** Slurm's own output of the task (`--output`): what the node printed before or around Shark. */
  readonly log: string;
  /** A task a dead run submitted: its outputs are in that run's workspace. */
  readonly adopted?: Adoptable;
  /** Polls that found it completed without a status file (a network filesystem may show it late). */
  late: number;
}

export interface Submission {
  readonly jobId: string;
  readonly dir: string;
  readonly tasks: readonly { readonly id: string; readonly entries: readonly Entry[]; readonly log: string }[];
}

/** Why a job may pend that no waiting will change: the request itself does not fit. */
const NEVER = new Set(['PartitionConfig', 'BadConstraints', 'PartitionNodeLimit', 'PartitionTimeLimit', 'InvalidAccount', 'InvalidQOS', 'QOSMaxCpuPerJobLimit', 'QOSMaxMemoryPerJob', 'QOSMaxWallDurationPerJobLimit', 'AssocMaxCpuPerJobLimit', 'AssocMaxMemPerJob', 'AssocMaxWallDurationPerJobLimit']);

/** States in which Slurm, not the job, ended a task. */
const SLURM_ENDED = new Set<string>(['cancelled', 'timeout', 'preempted', 'node-fail', 'out-of-memory']);

/** Polls that may find a completed task's status file missing before it counts as lost. */
const LATE_POLLS = 5;
/** Polls in a row Slurm may fail to answer before the jobs are given up. */
const SILENT_POLLS = 60;
/** How long cancelling waits for Slurm to let go of the tasks. */
const CANCEL_WAIT_MS = 20_000;

/**
 * Watches submitted tasks until each ends, with one `squeue` per poll for
 * all of them, and turns how each ended into the jobs' outcomes: the status
 * file the node wrote when there is one, else Slurm's state (time limit,
 * out of memory, node failure, cancelled by someone else), with Slurm's
 * output of the task appended to the job's log for the failure report.
 */
export class Tracker {
  private readonly tasks = new Set<Task>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private silent = 0;
  private cancelled = false;
  private drained: (() => void)[] = [];

  constructor(private readonly client: SlurmClient, private readonly pollMs: number) {}

  watch(submission: Submission): void {
    for (const t of submission.tasks) this.tasks.add({ ...t, late: 0 });
    this.schedule();
  }

  adopt(entry: Entry, old: Adoptable): void {
    entry.statusPath = old.statusPath;
    entry.hint.queued();
    this.tasks.add({ id: old.taskId, entries: [entry], log: old.slurmLog, adopted: old, late: 0 });
    this.schedule();
  }

  async cancelAll(): Promise<void> {
    this.cancelled = true;
    const ids = [...new Set([...this.tasks].map((t) => t.id))];
    if (ids.length === 0) return;
    await this.client.cancel(ids);
    this.schedule(0);
    await new Promise<void>((done) => {
      const timer = setTimeout(done, CANCEL_WAIT_MS);
      this.drained.push(() => (clearTimeout(timer), done()));
    });
    // Whatever Slurm still holds after that is ours no more.
    for (const t of this.tasks) this.end(t, { status: 'cancelled' });
  }

  private schedule(ms = this.pollMs): void {
    if (this.timer !== undefined || this.polling) return;
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.tasks.size === 0) return this.drain();
    this.polling = true;
    // Asked by array: its tasks that never started are one record of the array's own id.
    const report = await this.client.state([...new Set([...this.tasks].map((t) => jobOf(t.id)))]);
    this.polling = false;
    if (!report.ok) {
      if (++this.silent >= SILENT_POLLS) {
        for (const t of this.tasks) this.end(t, { status: 'failed', reason: 'environment', exitCode: null, message: `Slurm stopped answering: ${report.message}` });
      }
      return this.next();
    }
    this.silent = 0;
    const byId = new Map(report.value.jobs.map((j) => [j.id, j]));
    const unknown = new Set(report.value.unknown);
    for (const t of [...this.tasks]) {
      const state = byId.get(t.id) ?? byId.get(jobOf(t.id));
      if (state === undefined) {
        if (unknown.has(jobOf(t.id))) this.finish(t, undefined);
      } else if (state.status === 'pending' && state.reason !== undefined && NEVER.has(state.reason)) {
        void this.client.cancel([t.id]);
        for (const e of t.entries) noteSlurm(e.req.logPath, t, state);
        this.end(t, { status: 'failed', reason: 'environment', exitCode: null, message: `Slurm will never start task ${t.id}: it is pending for ${state.reason} (the request does not fit the partition, account or QOS; see --slurm-opt and the block's {threads}, {memory}, {timeout})` });
      } else if (state.status === 'running') {
        for (const e of t.entries) if (!e.running) (e.running = true), e.hint.running();
      } else if (isFinished(state.status)) {
        this.finish(t, state);
      }
    }
    this.next();
  }

  private next(): void {
    if (this.tasks.size === 0) this.drain();
    else this.schedule(this.cancelled ? Math.min(this.pollMs, 500) : this.pollMs);
  }

  private drain(): void {
    for (const d of this.drained.splice(0)) d();
  }

  private finish(t: Task, state: JobState | undefined): void {
    const statuses = t.entries.map((e) => readStatus(e.statusPath));
    if (state?.status === 'completed' && statuses.some((s) => s === undefined) && t.late++ < LATE_POLLS) return;
    t.entries.forEach((e, n) => {
      const status = statuses[n];
      // When Slurm itself ended the task (scancel, its time limit, preemption…), a job the node saw killed says only that it was killed: Slurm says why.
      const slurmEnded = state !== undefined && SLURM_ENDED.has(state.status);
      const outcome = status === undefined || (status.outcome.status !== 'ok' && slurmEnded) ? fromSlurm(t.id, state, this.cancelled)
        : status.outcome.status === 'cancelled' && !this.cancelled ? stoppedOutside(t.id, state)
        : where(status.outcome, t.id, status.host);
      if (outcome.status !== 'ok' && outcome.status !== 'cancelled') noteSlurm(e.req.logPath, t, state);
      if (outcome.status === 'ok' && t.adopted !== undefined) takeOver(t.adopted, e.req);
      if (status !== undefined) {
        // Started and ended between two polls: announced now, with the node's time, before its end
        // (not when cancelled: the node may have written that before the command started).
        if (!e.running && status.outcome.status !== 'cancelled') (e.running = true), e.hint.running(status.started);
        e.hint.ran?.(status.started, status.ended);
      }
      e.resolve(outcome);
    });
    this.tasks.delete(t);
  }

  private end(t: Task, outcome: ExecOutcome): void {
    for (const e of t.entries) e.resolve(outcome);
    this.tasks.delete(t);
  }
}

function jobOf(taskId: string): string {
  return taskId.split('_')[0]!;
}

/** A failure the node reported names the Slurm task and node it ran on. */
function where(outcome: ExecOutcome, id: string, host: string): ExecOutcome {
  if (outcome.status === 'failed' || outcome.status === 'timeout') return { ...outcome, message: `${outcome.message} (Slurm task ${id} on ${host})` };
  return outcome;
}

/** How a task ended when the node left no status for a job: Slurm's word is all there is. */
function fromSlurm(id: string, state: JobState | undefined, cancelledHere: boolean): ExecOutcome {
  if (state === undefined) {
    return cancelledHere ? { status: 'cancelled' } : { status: 'failed', reason: 'internal', exitCode: null, message: `Slurm no longer knows task ${id}, and it left no status` };
  }
  const what = ended(id, state);
  switch (state.status) {
    case 'timeout':
      return { status: 'timeout', message: `${what}: its time limit` };
    case 'cancelled':
      return cancelledHere ? { status: 'cancelled' } : { status: 'failed', reason: 'signal', exitCode: state.exitCode ?? null, message: `${what}: cancelled outside Shark` };
    case 'failed':
      return { status: 'failed', reason: 'exit', exitCode: state.exitCode ?? null, message: `${what} before the job could report` };
    default:
      return { status: 'failed', reason: 'signal', exitCode: state.exitCode ?? null, message: what };
  }
}

/**
 * The node stopped a job on a signal (SIGTERM, SIGINT) while this run
 * cancelled nothing and Slurm names no reason of its own: a failure, never
 * `cancelled`, which the run would take for its own interruption and skip.
 */
function stoppedOutside(id: string, state: JobState | undefined): ExecOutcome {
  const what = state === undefined ? `Slurm task ${id} left no record` : ended(id, state);
  return { status: 'failed', reason: 'signal', exitCode: null, message: `the node stopped the job on a signal Shark did not send: ${what}` };
}

/** `Slurm task ID ended STATE (exit E, signal S)`: how Slurm says a task ended. */
function ended(id: string, state: JobState): string {
  return `Slurm task ${id} ended ${state.slurmState}${state.exitCode === undefined ? '' : ` (exit ${state.exitCode}${state.signal ? `, signal ${state.signal}` : ''})`}`;
}

/** Adds what Slurm says of the task, and what the node printed outside the job, to the job's log. */
function noteSlurm(logPath: string, t: Task, state: JobState | undefined): void {
  let printed = '';
  try {
    printed = readFileSync(t.log, 'utf8').trimEnd();
  } catch {
    // No output.
  }
  const line = state === undefined ? `shark: Slurm task ${t.id}: no record left` : `shark: Slurm task ${t.id}: ${state.slurmState}${state.exitCode === undefined ? '' : `, exit ${state.exitCode}`}${state.reason ? ` (${state.reason})` : ''}`;
  appendToLog(logPath, printed === '' ? line : `${line}\n${printed}`);
}

/** Adds lines to a job's log (creating it: the failure report names it, even when the job never ran). */
export function appendToLog(logPath: string, text: string): void {
  try {
    appendFileSync(logPath, `${text}\n`);
  } catch {
    // The log is for people; the outcome says it all too.
  }
}

/**
 * An adopted job's outputs and log move from the dead run's workspace into
 * this run's. Nothing is taken through a link the job left in place of a
 * directory above an output (it leads to host files, not the job's): that
 * output stays missing, and the log says why.
 */
function takeOver(old: Adoptable, req: ExecRequest): void {
  const refused: string[] = [];
  for (const o of req.outputs) {
    const blocked = inTheWay(old.workspace, dirname(o.path)) ?? inTheWay(req.workspace.root, dirname(o.path));
    if (blocked !== undefined) {
      refused.push(`shark: ${o.path} not taken over: ${blocked} (Shark takes nothing through a link)`);
      continue;
    }
    const from = old.workspace + o.path;
    const to = req.workspace.root + o.path;
    if (lstatSync(from, { throwIfNoEntry: false }) === undefined) continue;
    mkdirSync(dirname(to), { recursive: true });
    // The run prepared an empty directory for a map's shared output: the old one replaces it.
    if (lstatSync(to, { throwIfNoEntry: false })?.isDirectory() === true && readdirSync(to).length === 0) rmSync(to, { recursive: true });
    renameSync(from, to);
  }
  try {
    copyFileSync(old.logPath, req.logPath);
  } catch {
    // A job that printed nothing has no log.
  }
  if (refused.length > 0) appendToLog(req.logPath, refused.join('\n'));
}
