import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecOutcome, ExecRequest } from '../executor.js';
import { adoptable, adoptableAmong, type Adoptable, type Submitted } from './adopt.js';
import { isFinished } from './parse.js';
import { slurmLiteral, stepSubmitOptions, type SubmitOptions } from './args.js';
import type { SlurmClient } from './client.js';
import { writeAtomically } from '../../lockfile/atomic-write.js';
import { specOf, writeManifest, type TaskEnvironment } from './manifest.js';
import { Tracker, type Entry, type Submission } from './tracker.js';
import { appendToLog } from '../job-log.js';
import { singleQuoted as sq } from '../../pipeline/shell-words.js';
import { maxOf } from '../../fold.js';
import { fullestTask, partsOf } from './grouping.js';

/** What a run asks of the Slurm executor (`--executor slurm`). */
export interface SlurmSettings {
  readonly client: SlurmClient;
  /** A directory every node sees, in the store (`<store>/meta/slurm`): manifests, status files, Slurm's own logs. */
  readonly dir: string;
  /** The pipeline's name, in every job name. */
  readonly pipeline: string;
  /** Array tasks running at once (`-j`). */
  readonly throttle: number;
  /** Map items each array task runs in turn (`--items-per-task`): tiny items cost a scheduling round each. */
  readonly itemsPerTask: number;
  /** `--slurm-opt` words, for every submission. */
  readonly extra: readonly string[];
  /** Secret values by name: they reach the node through sbatch's environment, never a file. */
  readonly secrets: ReadonlyMap<string, string>;
  /** How often Slurm is asked for the state of what was submitted. */
  readonly pollMs: number;
  /** How to start the node-side task: `[node, task-main.js]`. */
  readonly taskCommand: readonly string[];
  /** A file that exists once the run stops starting jobs (absent under `-k`): the nodes check it before each job, and make it on a failure. */
  readonly stopFile?: string;
}

/** What `shark run --executor slurm` chooses; the rest of SlurmSettings comes from the run. */
export interface SlurmRunOptions {
  readonly client: SlurmClient;
  readonly itemsPerTask: number;
  readonly extra: readonly string[];
  readonly pollMs?: number;
}

/** The node-side task: this Node and task-main.js, at the same paths on every node (a shared install). */
export const TASK_COMMAND: readonly string[] = [process.execPath, fileURLToPath(new URL('./task-main.js', import.meta.url))];

/**
 * Slurm's side of a job, beside its ExecRequest: its key (how a later run
 * recognises it), the step it belongs to (a map's jobs become one array),
 * and the Slurm requests.
 */
export interface SlurmJobHint {
  readonly key: string;
  /** The step: its jobs announced together (`expect`) are submitted together. */
  readonly group: string;
  readonly block: string;
  readonly environment: TaskEnvironment;
  readonly extra: readonly string[];
  readonly exclusive: boolean;
  /** `adopted`: a dead run's job, taken over (nothing was submitted for it). */
  readonly queued: (adopted?: boolean) => void;
  /** Told once: when a poll sees the task running, or when it ended, with the start the node recorded. */
  readonly running: (started?: number) => void;
  /**
   * When the node says the command started and ended (the polls see it running late, or never), the
   * node it ran on (what its lineage names, not the submitting host) and the Slurm task.
   */
  readonly ran?: (started: number, ended: number, where: { readonly host: string; readonly task: string }) => void;
}

const CANCELLED: ExecOutcome = { status: 'cancelled' };

/** A step's jobs on their way to one submission. */
interface Gathering {
  readonly entries: Entry[];
  /** Jobs of the step not yet over: each comes (`run`) or is over without coming (`settled`). */
  expected: number;
}

/**
 * Runs jobs as Slurm jobs. The jobs of one step are gathered into one
 * submission, made once each has come or is over without coming (cached
 * meanwhile by another run, failed to prepare, skipped): a job array with a manifest line per task
 * (several items per task with `itemsPerTask`), throttled by `-j`, or several
 * in turn past Slurm's array size (grouping.ts). Before it submits, it asks
 * Slurm for this user's jobs that the store recorded as submitted by a run
 * (`by-job/`), whose manifests hold the same keys (left by a run that died),
 * and adopts them instead. Once the run is interrupted it submits nothing
 * more, and cancels what it submitted, also as the process exits; once it
 * stops at a failure it submits nothing more, and cancels what waits.
 */
export class SlurmExecutor {
  private readonly gathering = new Map<string, Gathering>();
  private readonly tracker: Tracker;
  /** What dead runs left, asked once per step (a step of `{pool}` jobs flushes once per job). */
  private readonly adoptions = new Map<string, Promise<Map<string, Adoptable>>>();
  /** Submissions' manifests, read once. */
  private readonly seen = new Map<string, Submitted>();
  /** This run's own submissions: never adopted. */
  private readonly own = new Set<string>();
  /** The directories of submissions whose sbatch has not answered yet. */
  private readonly submitting = new Set<string>();
  /** Set at the run's first failure (without `-k`): nothing more is submitted. */
  private stopping = false;
  /** A second Ctrl-C exits at once: what the run submitted is cancelled first. */
  private readonly beforeExit = (): void => this.settings.client.cancelBeforeExit(this.tracker.live(), [...this.submitting]);

  constructor(private readonly settings: SlurmSettings) {
    // What a dead run's stop kept from starting is submitted again, as this run's own jobs of the step.
    this.tracker = new Tracker(settings.client, settings.pollMs, (entries) => {
      for (const group of new Set(entries.map((e) => e.hint.group))) void this.flush(entries.filter((e) => e.hint.group === group), false);
    });
    mkdirSync(join(settings.dir, 'by-job'), { recursive: true });
    process.on('exit', this.beforeExit);
  }

  /** `jobs` jobs of `group` are coming: they are submitted together once each has come or is over (`settled`). */
  expect(group: string, jobs: number): void {
    if (jobs > 0) this.gathering.set(group, { entries: [], expected: jobs });
  }

  /**
   * A job of `group` is over, whether it came or not. While its step's
   * jobs are still gathered it cannot have come (those wait for the
   * submission): it never will, and is waited for no more.
   */
  settled(group: string): void {
    const g = this.gathering.get(group);
    if (g === undefined) return;
    g.expected--;
    this.gathered(group, g);
  }

  run(req: ExecRequest, hint: SlurmJobHint): Promise<ExecOutcome> {
    if (req.signal.aborted || this.stopping) return Promise.resolve(CANCELLED);
    return new Promise((resolve) => {
      const entry: Entry = { req, hint, resolve, statusPath: '', running: false };
      const g = this.gathering.get(hint.group);
      // A job of a step not announced (a `{pool}` step's) goes alone.
      if (g === undefined) return void this.flush([entry]);
      g.entries.push(entry);
      this.gathered(hint.group, g);
    });
  }

  /** Cancels everything this run submitted and waits (a little) for Slurm to let go of it. */
  cancelAll(): Promise<void> {
    return this.tracker.cancelAll();
  }

  /**
   * The run stops starting jobs (its first failure, without `-k`): nothing
   * more is submitted and what waits in the queue is cancelled (what runs
   * finishes, as on this machine).
   */
  stop(): void {
    this.stopping = true;
    this.tracker.stop();
  }

  /**
   * The tasks a dead run of this store submitted that Slurm still queues or
   * runs and this run did not take over: once the document changed (`sleep
   * 40` made `sleep 3`), no run ever will, and they hold the cluster for
   * nothing. Asked as the run ends; none when Slurm does not answer.
   */
  async leftBehind(): Promise<string[]> {
    const found = await this.settings.client.ownJobs();
    if (!found.ok) return [];
    const live = found.value.filter((j) => !isFinished(j.status));
    return [...new Set([...adoptableAmong(live, this.settings.dir, this.own, this.seen).values()].map((a) => a.taskId))].sort();
  }

  /** The run is over: nothing of it is left to cancel as the process exits. */
  close(): void {
    process.off('exit', this.beforeExit);
  }

  private gathered(group: string, g: Gathering): void {
    if (g.entries.length < g.expected) return;
    this.gathering.delete(group);
    if (g.entries.length > 0) void this.flush(g.entries);
  }

  /** Submits a step's jobs gathered together, but none once the run is interrupted or stopped, not even between two of its arrays. */
  private async flush(entries: readonly Entry[], adopting = true): Promise<void> {
    const first = entries[0]!.hint;
    const name = jobName(this.settings.pipeline, first.block);
    const adopted = this.halted(entries) || !adopting ? new Set<Entry>() : await this.adopt(first.group, entries);
    const rest = entries.filter((e) => !adopted.has(e));
    let at = 0;
    let before: string | undefined;
    for (const part of partsOf(rest.length, this.settings.itemsPerTask)) {
      const jobs = rest.slice(at, at + part.jobs);
      at += part.jobs;
      if (this.halted(jobs)) for (const e of jobs) e.resolve(CANCELLED);
      else before = await this.submit(name, jobs, part.afterPrevious ? before : undefined);
    }
  }

  /** Whether the run has stopped submitting: interrupted, or stopped at a failure. */
  private halted(entries: readonly Entry[]): boolean {
    return this.stopping || entries[0]!.req.signal.aborted;
  }

  /** Jobs a dead run left queued or running (or done) with the same keys, whatever their name: waited for, not submitted again. */
  private async adopt(group: string, entries: readonly Entry[]): Promise<Set<Entry>> {
    let found = this.adoptions.get(group);
    if (found === undefined) this.adoptions.set(group, (found = adoptable(this.settings.client, this.settings.dir, this.own, this.seen)));
    const byKey = await found;
    const taken = new Set<Entry>();
    for (const e of entries) {
      const old = byKey.get(e.hint.key);
      if (old === undefined) continue;
      byKey.delete(e.hint.key);
      taken.add(e);
      this.tracker.adopt(e, old);
    }
    return taken;
  }

  /** Submits `entries` as one job or array (after the job `after` has ended, when given); its job id, or undefined if sbatch refused it. */
  private async submit(name: string, entries: Entry[], after?: string): Promise<string | undefined> {
    const s = this.settings;
    const dir = join(s.dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60)}-${Date.now()}-${randomBytes(3).toString('hex')}`);
    mkdirSync(join(dir, 'status'), { recursive: true, mode: 0o700 });
    const tasks: Entry[][] = [];
    for (let at = 0; at < entries.length; at += s.itemsPerTask) tasks.push(entries.slice(at, at + s.itemsPerTask));
    const specs = tasks.map((task, t) => task.map((e, k) => {
      e.statusPath = join(dir, 'status', `${t}-${k}.json`);
      return specOf(e.req, e.hint.environment, e.hint.key, e.statusPath, e.hint.exclusive, s.stopFile);
    }));
    const manifest = join(dir, 'manifest.jsonl');
    writeManifest(manifest, specs);
    const script = `#!/bin/sh\nexec ${[...s.taskCommand, manifest].map(sq).join(' ')}\n`;
    const { req, hint } = entries[0]!;
    const array = tasks.length > 1;
    const options: SubmitOptions = {
      ...stepSubmitOptions({
        name, tasks: tasks.length, throttle: s.throttle, itemsPerTask: fullestTask(entries.length, s.itemsPerTask),
        threads: hint.exclusive ? 'all' : req.cpus, memoryBytes: req.memory,
        timeoutSeconds: maxOf(entries, (e) => e.req.timeout ?? 0, 0) || undefined,
        extra: [...s.extra, ...hint.extra], ...(after === undefined ? {} : { after }),
      }),
      output: join(slurmLiteral(dir), array ? 'slurm-%a.out' : 'slurm-0.out'),
      workdir: dir,
    };
    const secrets = JSON.stringify(Object.fromEntries(s.secrets));
    this.submitting.add(dir);
    const submitted = await s.client.submit(script, options, undefined, { SHARK_SLURM_SECRETS: secrets });
    this.submitting.delete(dir);
    if (!submitted.ok) {
      // Reached the controller after all (a timeout on a busy one): its job would run what is reported failed.
      const orphans = await s.client.cancelIn(dir);
      const cancelled = orphans.length === 0 ? '' : ` (it had reached Slurm after all: job ${orphans.join(', ')} cancelled)`;
      const message = `sbatch refused the job: ${submitted.message}${cancelled}`;
      for (const e of entries) {
        appendToLog(e.req.logPath, `shark: ${message}`);
        e.resolve({ status: 'failed', reason: 'environment', exitCode: null, message });
      }
      return undefined;
    }
    const jobId = submitted.value;
    this.own.add(jobId);
    writeAtomically(join(s.dir, 'by-job', jobId), dir, 0o644);
    const submission: Submission = { jobId, dir, tasks: tasks.map((task, t) => ({ id: array ? `${jobId}_${t}` : jobId, entries: task, log: join(dir, array ? `slurm-${t}.out` : 'slurm-0.out') })) };
    for (const e of entries) e.hint.queued();
    this.tracker.watch(submission);
    return jobId;
  }
}

/** `shark:<pipeline>:<block>`: what squeue shows. */
export function jobName(pipeline: string, block: string): string {
  return `shark:${pipeline}:${block}`.replace(/[,\s\u0000-\u001f]/g, '_');
}

/** The pipeline's name in job names: its file name without `.md`. */
export function pipelineName(path: string): string {
  return basename(path).replace(/\.md$/i, '');
}
