import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LimitFunction } from 'p-limit';
import type { Step } from '../../pipeline/pipeline.js';
import { demandOf } from '../resources.js';
import type { Demand, Scheduler } from '../scheduler.js';
import type { Position } from '../../diagnostics.js';
import { rowItem, type Job } from '../../plan/jobs.js';
import type { LineageRecord } from '../../lineage/record.js';
import type { RunSession } from '../executor.js';
import type { Leases } from '../../store/leases.js';
import { sha256 } from '../../store/hash.js';
import type { RunJobRow } from '../../store/metadata.js';
import type { Selection } from '../../plan/selection.js';
import type { PartMade } from '../../plan/part-made.js';
import type { FailureReason, RunBuild, RunEvent, RunSummary } from '../events.js';
import type { SlurmExecutor, SlurmRunOptions } from '../slurm/slurm-executor.js';
import { CachedRows } from './cached-rows.js';
import { CommitQueue } from './commit-queue.js';
import { patientOptimizer } from '../optimizer-budget.js';
import { StartOrder } from './start-order.js';

export interface RunOptions {
  /** Jobs at once, across all steps and items. */
  readonly jobs: number;
  readonly keepGoing: boolean;
  readonly signal: AbortSignal;
  /** Bytes the declared `{memory}` of running jobs may add up to (`--memory`); no limit when absent. */
  readonly memory?: number;
  /** How many jobs of each pool may run at once (frontmatter `pools:`, `--pool`). */
  readonly pools?: ReadonlyMap<string, number>;
  /** The steps to run and those `--force` names (plan/selection.ts); every step when absent. */
  readonly selection?: Selection;
  /** Run the jobs on a Slurm cluster (`--executor slurm`) instead of this machine. */
  readonly slurm?: SlurmRunOptions;
  /** Called with each job's record once it is committed (`run --sign`). */
  readonly attest?: (record: LineageRecord, job: string) => Promise<void>;
}

/** The name of a job's log in its run's log directory (`RunContext.logPath`): its id made readable, then a hash of it. */
export function logFileName(job: string): string {
  return `${readableLogName(job)}-${sha256(job).slice(0, 10)}.log`;
}

/** What a job's log name starts with: its id, each character a file name cannot hold as `_`, cut at 100. */
export function readableLogName(job: string): string {
  return job.replace(/[^A-Za-z0-9_.,[\]-]/g, '_').slice(0, 100);
}

/** The job a log of `logFileName` is of, as readable as its name keeps it (`area[a.txt]`). */
export function jobOfLogName(name: string): string {
  return name.replace(/-[0-9a-f]{10}\.log$/, '');
}

/** The file that exists once a run whose logs are in `logsDir` stops starting jobs (RunContext.stopFlag). */
export function stopFlagIn(logsDir: string): string {
  return join(logsDir, 'stopped');
}

/**
 * How many jobs may be staged at once (preparing, running, waiting behind a
 * running job, or storing) at `-j jobs` when a lane queues `depth` jobs
 * behind each running one: a job beyond each running one per place of the
 * queue, so that slots never wait on Shark's file work. Under Slurm every
 * job goes at once.
 */
export function stagingWidth(jobs: number, depth: number, slurm: boolean): number {
  return slurm ? Infinity : Math.max(1, jobs) * (1 + depth);
}

/** What every stage of one run shares: the session, the run's record, its budget and its tallies. */
export class RunContext {
  readonly counts = { executed: 0, cached: 0, failed: 0, skipped: 0 };
  readonly failures: { job: string; where: string; reason: FailureReason; log: string | null; message: string }[] = [];
  /** Slurm tasks a dead run submitted that are still queued or running, and that this run did not take over. */
  slurmLeftBehind: readonly string[] = [];
  /** The environments built, with their logs (build-log.ts). */
  readonly builds: RunBuild[] = [];
  /** What `step-empty` said of each map that had nothing to map over: repeated in the summary. */
  readonly empty: string[] = [];
  /** What was said of jobs `--force` names that the targets leave out, known once their maps' items were: in the summary. */
  readonly forceUnused: string[] = [];
  /** What the run's publish blocks wrote, as `published` said it: kept in the summary, so an export claims only what was published. */
  readonly published: { step: string; path: string; to: string }[] = [];
  /** Steps failed as a whole before they were reached (a later step writing inside an earlier one's directory): never said skipped too. */
  readonly failedWhole = new Set<string>();
  /** Maps skipped before their items were listed (`skip`). */
  notStarted = 0;
  /** Cached jobs that are `{precious}` results kept although their key changed: counted among `cached` too. */
  kept = 0;
  /** Set after a failure (without --keep-going): jobs not yet started are skipped. */
  stopping = false;
  /** Maps of which some jobs failed under --keep-going: what their other jobs made, for the maps joining them (past-failed.ts). */
  readonly partlyMade = new Map<string, PartMade>();
  /** The last step decided past them: the next waits its turn (past-failed.ts). */
  pastTurn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly session: RunSession,
    readonly runId: number,
    readonly options: RunOptions,
    emit: (e: RunEvent) => void,
    readonly leases: Leases,
    /** Admits what executes: `-j` slots weighted by `{threads}`, `{memory}`, pools (scheduler.ts). */
    readonly scheduler: Scheduler,
    /** Bounds jobs preparing workspaces or committing, a little beyond `-j`, so slots never wait on Shark's file work. */
    readonly staging: LimitFunction,
    readonly logsDir: string,
    /** Where jobs go under `--executor slurm`; undefined for this machine. */
    readonly slurm?: SlurmExecutor,
  ) {
    this.commits = new CommitQueue(session.meta, () => this.staging.activeCount <= 1 && this.staging.pendingCount === 0);
    this.order = new StartOrder(session.pipeline.steps);
    this.stopFlag = stopFlagIn(logsDir);
    this.cachedRows = new CachedRows(session.meta, (e) => {
      this.damage ??= e;
      this.halt();
    });
    this.emit = (e) => void (this.abandoned || emit(e));
  }

  /** Says what happens in the run; nothing once it is abandoned. */
  readonly emit: (e: RunEvent) => void;

  private abandoned = false;

  /** The store's database found damaged where the run could not say so at once (writing cached jobs' rows): the run ends on it. */
  damage: Error | undefined;

  /**
   * The run ends on an error that stops the command (its database found
   * damaged): the rows still waiting are never written, and nothing more is
   * said, as the store is closed under the steps still going (each would
   * fail again on it, "The database connection is not open"). The error is
   * all the user is told.
   */
  abandon(): void {
    this.halt();
    this.abandoned = true;
    this.cachedRows.drop();
  }

  /**
   * A file that exists once the run stops starting jobs: a host job queued
   * behind a running one (scheduler.ts lanes) is started by its launcher
   * only if it does not.
   */
  readonly stopFlag: string;

  /** Finished jobs' results, committed a batch at a time. */
  readonly commits: CommitQueue;

  /** The rows of cached jobs, written for many steps at a time. */
  readonly cachedRows: CachedRows;

  /** Steps ready at once start their jobs in the document's order. */
  readonly order: StartOrder;

  get signal(): AbortSignal {
    return this.options.signal;
  }

  private optimizer: { readonly restore: () => void } | undefined;

  /** A job's command is about to start: from now until the run ends, V8 optimizes later (optimizer-budget.ts). */
  executing(): void {
    this.optimizer ??= patientOptimizer();
  }

  /** The run ended: V8's budget is put back. */
  ended(): void {
    this.optimizer?.restore();
  }

  private readonly demands = new Map<Step, Demand>();

  /** What each job of `step` takes from the budget (computed once per step). */
  demand(step: Step): Demand {
    let d = this.demands.get(step);
    if (d === undefined) this.demands.set(step, (d = demandOf(step, Math.max(1, this.options.jobs))));
    return d;
  }

  where(at: Position): string {
    return `${this.session.pipeline.document.file}:${at.line}:${at.col}`;
  }

  stop(): void {
    if (!this.options.keepGoing) this.halt();
  }

  /** Starts no more jobs, --keep-going or not. */
  private halt(): void {
    if (this.stopping) return;
    this.stopping = true;
    try {
      writeFileSync(this.stopFlag, '');
    } catch {
      // The launchers still check the status of the job ahead of each.
    }
    this.slurm?.stop();
  }

  /** Whether jobs that have not started yet should be skipped. */
  get halted(): boolean {
    return this.stopping || this.signal.aborted;
  }

  /**
   * `unlisted`: a map skipped before its items were listed. Its jobs are
   * unknown (plan counts one per item): counted as a map not started, so
   * `skipped` stays a count of jobs.
   */
  skip(job: string, step: Pick<Step, 'id' | 'blockId'>, reason?: string, unlisted = false): void {
    if (this.failedWhole.has(step.id)) return;
    if (unlisted) this.notStarted++;
    else this.counts.skipped++;
    this.emit({ type: 'job-skipped', job, step: step.id, block: step.blockId, reason: reason ?? (this.signal.aborted ? 'interrupted' : 'an earlier job failed') });
  }

  /**
   * A log file name of its own for every job: readable, and with a hash of
   * the job id, so items that differ only in characters a file name cannot
   * hold (`a b` and `a_b`) never share a log.
   */
  logPath(job: Job): string {
    return join(this.logsDir, logFileName(job.id));
  }

  /** The job's line in this run's record: what `logs` and `lineage` read. */
  row(job: Job, status: string, log: string | null, failure?: { reason: FailureReason; exitCode: number | null }): RunJobRow {
    return {
      run_id: this.runId, job: job.id, step: job.step.id, block: job.step.blockId, line: job.step.at.line,
      item: rowItem(job.items), key: job.key, status, log,
      reason: failure?.reason ?? null, exit_code: failure?.exitCode ?? null, identity: status === 'ok' || status === 'cached' ? null : job.identity,
    };
  }

  summary(status: RunSummary['status'], started: number): RunSummary {
    const empty = this.empty.length > 0 ? { empty: this.empty } : {};
    const notStarted = this.notStarted > 0 ? { notStarted: this.notStarted } : {};
    const builds = this.builds.length > 0 ? { builds: this.builds } : {};
    const kept = this.kept > 0 ? { kept: this.kept } : {};
    const left = this.slurmLeftBehind.length > 0 ? { slurmLeftBehind: this.slurmLeftBehind } : {};
    return { run: this.runId, status, ...this.counts, ...kept, seconds: (Date.now() - started) / 1000, failures: this.failures, published: this.published, ...builds, ...empty, ...notStarted, ...left };
  }
}
