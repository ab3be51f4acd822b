import { dirname } from 'node:path';
import type { ExecOutcome, ExecRequest } from '../executor.js';
import type { Adoptable } from './adopt.js';
import type { SlurmClient } from './client.js';
import { readStatus, type TaskStatus } from './manifest.js';
import { isFinished, type JobState } from './parse.js';
import type { SlurmJobHint } from './slurm-executor.js';
import { droppedOutside, fromSlurm, noteSlurm, stoppedOutside, takeOver, where } from './task-outcome.js';

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
  /** Polls in a row that found an array task missing from its array's record. */
  missing: number;
}

export interface Submission {
  readonly jobId: string;
  readonly dir: string;
  readonly tasks: readonly { readonly id: string; readonly entries: readonly Entry[]; readonly log: string }[];
}

/** Why a job may pend that no waiting will change: the request itself does not fit, or what it waits for never will be. */
const NEVER = new Set(['DependencyNeverSatisfied', 'PartitionConfig', 'BadConstraints', 'PartitionNodeLimit', 'PartitionTimeLimit', 'InvalidAccount', 'InvalidQOS', 'QOSMaxCpuPerJobLimit', 'QOSMaxMemoryPerJob', 'QOSMaxWallDurationPerJobLimit', 'AssocMaxCpuPerJobLimit', 'AssocMaxMemPerJob', 'AssocMaxWallDurationPerJobLimit']);

/** States in which Slurm, not the job, ended a task. */
const SLURM_ENDED = new Set<string>(['cancelled', 'timeout', 'preempted', 'node-fail', 'out-of-memory']);

/** Polls that may find a completed task's status file missing before it counts as lost. */
const LATE_POLLS = 5;
/** Polls in a row that must miss an array task before it is asked about on its own (a moment's gap is no answer). */
const MISSING_POLLS = 2;
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
  /** When this run cancelled its tasks (Ctrl-C): a job said to end well since was killed mid-way, as likely as not (`outcomeOf`). */
  private cancelledAt: number | undefined;
  /** The run stopped starting jobs (its first failure, without `-k`): what has not started is cancelled. */
  private stopping = false;
  /** When cancelling stops waiting for Slurm to report the tasks ended. */
  private deadline = 0;
  private drained: (() => void)[] = [];

  /** Adopted jobs a dead run's stop kept from starting, to submit again (`onStopped`) once the poll is over. */
  private stoppedElsewhere: Entry[] = [];

  /**
   * `onStopped`: jobs adopted from a dead run whose tasks did not start them
   * because that run had stopped at a failure (its stop file): this run did
   * not stop (`-k`, or its own jobs have not failed), so they are its to run.
   */
  constructor(private readonly client: SlurmClient, private readonly pollMs: number, private readonly onStopped: (entries: Entry[]) => void = () => undefined) {}

  watch(submission: Submission): void {
    const added = submission.tasks.map((t) => ({ ...t, late: 0, missing: 0 }));
    this.track(added);
  }

  adopt(entry: Entry, old: Adoptable): void {
    entry.statusPath = old.statusPath;
    entry.hint.queued(true);
    this.track([{ id: old.taskId, entries: [entry], log: old.slurmLog, adopted: old, late: 0, missing: 0 }]);
  }

  /**
   * Cancels everything watched, and whatever is watched from now on (an
   * sbatch under way when Ctrl-C came answers later), then waits (up to
   * CANCEL_WAIT_MS after the last of them) until Slurm reports each ended.
   */
  async cancelAll(): Promise<void> {
    this.cancelled = true;
    this.cancelledAt ??= Date.now();
    const drained = new Promise<void>((done) => this.drained.push(done));
    await this.cancel([...this.tasks]);
    this.schedule(0);
    await drained;
  }

  /** Cancels what waits in the queue, now and from now on; what runs finishes. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    void this.client.cancel(idsOf([...this.tasks]), true);
  }

  /** What to `scancel` as the process exits: every task still watched. */
  live(): string[] {
    return idsOf([...this.tasks]);
  }

  private track(added: readonly Task[]): void {
    for (const t of added) this.tasks.add(t);
    if (this.cancelled) void this.cancel(added);
    else if (this.stopping) void this.client.cancel(idsOf(added), true);
    this.schedule();
  }

  private async cancel(tasks: readonly Task[]): Promise<void> {
    this.deadline = Date.now() + CANCEL_WAIT_MS;
    if (tasks.length > 0) await this.client.cancel(idsOf(tasks));
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
        // A task whose every job's node wrote how it ended is over whatever Slurm says (the status file is the truth).
        for (const t of [...this.tasks]) {
          if (t.entries.every((e) => readStatus(e.statusPath) !== undefined)) this.finish(t, undefined);
          else this.end(t, { status: 'failed', reason: 'environment', exitCode: null, message: `Slurm stopped answering: ${report.message}; ${leftRunning(t.id)}`, leftRunning: t.id });
        }
      }
      return this.next();
    }
    this.silent = 0;
    const byId = new Map(report.value.jobs.map((j) => [j.id, j]));
    const unknown = new Set(report.value.unknown);
    const missing: Task[] = [];
    for (const t of [...this.tasks]) {
      const state = byId.get(t.id) ?? byId.get(jobOf(t.id));
      t.missing = state === undefined && !unknown.has(jobOf(t.id)) && t.id !== jobOf(t.id) ? t.missing + 1 : 0;
      if (state === undefined) {
        if (unknown.has(jobOf(t.id))) this.finish(t, undefined);
        else if (t.missing >= MISSING_POLLS) missing.push(t);
      } else if (state.status === 'pending' && state.reason !== undefined && NEVER.has(state.reason)) {
        void this.client.cancel([t.id]);
        for (const e of t.entries) noteSlurm(e.req.logPath, t, state);
        const why = state.reason === 'DependencyNeverSatisfied' ? 'a job it depends on ended so that it never can start; see --slurm-opt=--dependency'
          : 'the request does not fit the partition, account or QOS; see --slurm-opt and the block\'s {threads}, {memory}, {timeout}';
        this.end(t, { status: 'failed', reason: 'environment', exitCode: null, message: `Slurm will never start task ${t.id}: it is pending for ${state.reason} (${why})` });
      } else if (state.status === 'running') {
        for (const e of t.entries) if (!e.running) (e.running = true), e.hint.running();
      } else if (isFinished(state.status)) {
        this.finish(t, state);
      }
    }
    if (missing.length > 0) await this.askDropped(missing);
    if (this.stoppedElsewhere.length > 0) this.onStopped(this.stoppedElsewhere.splice(0));
    this.next();
  }

  /**
   * Array tasks their array no longer lists while it lists others: Slurm
   * drops a task cancelled before it started from the array's record at
   * once (it keeps no record of it: `scontrol show job` says not found).
   * Asked about by their own ids (accounting, where there is some, knows
   * how they ended), those still unknown were cancelled outside Shark.
   */
  private async askDropped(tasks: readonly Task[]): Promise<void> {
    this.polling = true;
    const report = await this.client.state(tasks.map((t) => t.id));
    this.polling = false;
    if (!report.ok) return;
    const byId = new Map(report.value.jobs.map((j) => [j.id, j]));
    for (const t of tasks) {
      const state = byId.get(t.id);
      if (!this.tasks.has(t) || (state !== undefined && !isFinished(state.status))) continue;
      this.finish(t, state, state === undefined);
    }
  }

  private next(): void {
    // Whatever Slurm still holds that long after it was cancelled is ours no more.
    if (this.cancelled && Date.now() >= this.deadline) for (const t of this.tasks) this.end(t, { status: 'cancelled' });
    if (this.tasks.size === 0) this.drain();
    else this.schedule(this.cancelled ? Math.min(this.pollMs, 500) : this.pollMs);
  }

  private drain(): void {
    for (const d of this.drained.splice(0)) d();
  }

  /** `dropped`: Slurm dropped the task before it started (askDropped). */
  private finish(t: Task, state: JobState | undefined, dropped = false): void {
    const statuses = t.entries.map((e) => readStatus(e.statusPath));
    if (state?.status === 'completed' && statuses.some((s) => s === undefined) && t.late++ < LATE_POLLS) return;
    t.entries.forEach((e, n) => {
      const status = statuses[n];
      if (t.adopted !== undefined && status?.stopped === true && !this.cancelled && !this.stopping) {
        e.running = false;
        this.stoppedElsewhere.push(e);
        return;
      }
      const outcome = dropped && status === undefined ? this.droppedOutcome(t.id) : this.outcomeOf(t, state, status);
      if (outcome.status !== 'ok' && outcome.status !== 'cancelled') noteSlurm(e.req.logPath, t, state);
      if (outcome.status === 'ok' && t.adopted !== undefined) takeOver(t.adopted, e.req);
      if (status !== undefined) {
        // Started and ended between two polls: announced now, with the node's time, before its end
        // (not when cancelled: the node may have written that before the command started).
        if (!e.running && status.outcome.status !== 'cancelled') (e.running = true), e.hint.running(status.started);
        e.hint.ran?.(status.started, status.ended, { host: status.host, task: t.id });
      }
      e.resolve(outcome);
    });
    this.tasks.delete(t);
  }

  /** A task Slurm dropped before it started: cancelled by this run, or else outside Shark. */
  private droppedOutcome(id: string): ExecOutcome {
    return this.cancelled || this.stopping ? { status: 'cancelled' } : droppedOutside(id);
  }

  /** How a job of `t` ended: as the node says, unless Slurm ended the task (then Slurm says why) or the node left no word. */
  private outcomeOf(t: Task, state: JobState | undefined, status: TaskStatus | undefined): ExecOutcome {
    // Never started: the run had stopped starting jobs.
    if (status?.stopped === true) return { status: 'cancelled' };
    // When Slurm itself ended the task (scancel, its time limit, preemption…), a job the node saw killed says only that it was killed: Slurm says why.
    const slurmEnded = state !== undefined && SLURM_ENDED.has(state.status);
    // A run that stopped cancelled only what had not started: a job that had, cancelled, was cancelled by someone else.
    if (status === undefined || (status.outcome.status !== 'ok' && slurmEnded)) return fromSlurm(t.id, state, this.cancelled || (this.stopping && status === undefined), dirname(t.log));
    if (status.outcome.status === 'cancelled' && !this.cancelled) return stoppedOutside(t.id, state);
    // Cancelled by this run, a job whose program the cancel killed may have had its script go on and end well
    // (`sleep 8 && echo done || echo partial`) before its node heard: ended once the cancel came, it is not kept,
    // and runs again. No leeway for the node's clock: a cluster's agree to the millisecond (NTP), and a job that
    // ended well just before the cancel is kept.
    if (status.outcome.status === 'ok' && this.cancelledAt !== undefined && status.ended >= this.cancelledAt) return { status: 'cancelled' };
    return where(status.outcome, t.id, status.host);
  }

  private end(t: Task, outcome: ExecOutcome): void {
    for (const e of t.entries) e.resolve(outcome);
    this.tasks.delete(t);
  }
}

/**
 * What becomes of a task given up on while Slurm does not answer: it may
 * still be queued or running, with its workspace kept, and a later run
 * takes it over by its key rather than submitting it again.
 */
function leftRunning(id: string): string {
  return `task ${id} may still be queued or running: the next run takes it over (its workspace is kept), or cancel it with \`scancel ${id}\``;
}

function jobOf(taskId: string): string {
  return taskId.split('_')[0]!;
}

/**
 * The ids that cancel `tasks`: a submission of this run's by its job id (one
 * `scancel` of an array of 1,000 pending tasks, where 1,000 task ids would
 * split the array's record in as many), an adopted task by its own id (the
 * dead run's other tasks may be another run's now).
 */
function idsOf(tasks: readonly Task[]): string[] {
  return [...new Set(tasks.map((t) => (t.adopted === undefined ? jobOf(t.id) : t.id)))];
}
