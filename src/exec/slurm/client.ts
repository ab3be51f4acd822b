import { spawnSync } from 'node:child_process';
import { HELPER, helperFailure, runHelper } from '../../helper-processes.js';
import { sbatchArgs, type SubmitOptions } from './args.js';
import {
  controllerUp,
  HELD_FORMAT,
  isFinished,
  parseHeld,
  parseSacct,
  parseScontrolJobs,
  parseSqueue,
  parseSubmitted,
  SACCT_FIELDS,
  splitId,
  SQUEUE_FORMAT,
  usableNodeStates,
  type HeldJob,
  type JobState,
} from './parse.js';

/**
 * The only module that runs Slurm's commands (sbatch, squeue, scontrol,
 * sacct, scancel, sinfo), each with an argv and never through a shell.
 * Expected failures (Slurm missing, the controller not answering, a
 * rejected submission) are values; what the commands print is read by the
 * pure functions of parse.ts.
 */

export type SlurmResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export interface StateReport {
  readonly jobs: JobState[];
  /** Requested ids Slurm no longer knows of (purged from the controller, and no accounting). */
  readonly unknown: string[];
}

/** How a command ended: `code` null when it could not run (`error` says why) or was killed. */
export interface CommandOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

/**
 * `jobEnvironment`: the command's environment becomes a job's (sbatch's
 * `--export=ALL`), so it is the caller's as it is, without the C locale the
 * others get for their output to be read: a job's `sort` or `wc -m` answers
 * as it does in a local run. (Slurm's messages are English in any locale.)
 */
export type Runner = (command: string, args: readonly string[], options: {
  readonly stdin?: string; readonly signal?: AbortSignal; readonly env?: Readonly<Record<string, string>>; readonly jobEnvironment?: boolean;
}) => Promise<CommandOutput>;

/** Slurm's clients retry for MessageTimeout (10 s by default) before they give up; allow them that, three times. */
const ANSWER_MS = 30_000;

/** Runs a Slurm command out of a terminal's Ctrl-C (helper-processes.ts): Ctrl-C cancels the run's jobs in order, with scancel. */
export const spawnRunner: Runner = async (command, args, options) => {
  const env = { ...process.env, ...options.env, ...(options.jobEnvironment === true ? {} : { LC_ALL: 'C' }) };
  const r = await runHelper(command, args, { env, stdin: options.stdin ?? '', timeoutMs: ANSWER_MS, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const { stdout, stderr } = r;
  if (r.code !== null) return { code: r.code, stdout, stderr };
  if (r.error?.code === 'ENOENT') return { code: null, stdout, stderr, error: `${command} not found (is Slurm installed and in PATH?)` };
  return { code: null, stdout, stderr, error: r.stopped === 'timeout' ? `${command}: no answer within ${ANSWER_MS / 1000} s` : helperFailure(command, r) };
};

/** A command run to its end before anything else happens: only as the process exits, when nothing asynchronous runs any more. */
export type SyncRunner = (command: string, args: readonly string[]) => CommandOutput;

/** How long each command may take as the process exits, and how long it waits for Slurm to let go of what it cancelled. */
const EXIT_ANSWER_MS = 10_000;
const EXIT_WAIT_MS = 5_000;

export const spawnSyncRunner: SyncRunner = (command, args) => {
  const r = spawnSync(command, args, { ...HELPER, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: EXIT_ANSWER_MS });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(r.error === undefined ? {} : { error: r.error.message }) };
};

export class SlurmClient {
  constructor(private readonly run: Runner = spawnRunner, private readonly runNow: SyncRunner = spawnSyncRunner) {}

  /**
   * Submits `script` (given to sbatch on stdin; it must start with `#!`) and
   * returns the job id (for an array, the array's job id: its tasks are `ID_0`…).
   * A failure is not proof that nothing was submitted: an sbatch that got no
   * answer in time may have reached a busy controller. Before submitting
   * again, ask findByName. `env` is added to sbatch's environment, which the
   * job inherits (sbatch's default `--export=ALL`).
   */
  async submit(script: string, options: SubmitOptions, signal?: AbortSignal, env?: Readonly<Record<string, string>>): Promise<SlurmResult<string>> {
    if (!script.startsWith('#!')) return { ok: false, message: 'a batch script must start with #! (sbatch refuses it otherwise)' };
    const args = sbatchArgs(options);
    if (!args.ok) return args;
    const r = await this.run('sbatch', args.args, { stdin: script, jobEnvironment: true, ...(signal === undefined ? {} : { signal }), ...(env === undefined ? {} : { env }) });
    if (r.code !== 0) return failed('sbatch', r);
    const id = parseSubmitted(r.stdout);
    return id === undefined ? { ok: false, message: `sbatch printed no job id: ${JSON.stringify(r.stdout.trim())}` } : { ok: true, value: id };
  }

  /**
   * The state of each job (and of every task of each array job) named by
   * `ids` (`123` or `123_4`). squeue answers for all of them at once but
   * without exit codes; jobs that ended, or that squeue no longer lists, are
   * asked of `scontrol show job` (which keeps them for MinJobAge), then of
   * `sacct` (only where the cluster has accounting).
   */
  async state(ids: readonly string[]): Promise<SlurmResult<StateReport>> {
    if (ids.length === 0) return { ok: true, value: { jobs: [], unknown: [] } };
    const bad = ids.find((id) => splitId(id) === undefined);
    if (bad !== undefined) return { ok: false, message: `not a Slurm job id: ${JSON.stringify(bad)}` };
    const byId = new Map<string, JobState>();
    const q = await this.run('squeue', ['-h', '-r', '-t', 'all', '-j', ids.join(','), '-o', SQUEUE_FORMAT], {});
    if (q.code !== 0 && !invalidJobId(q)) return failed('squeue', q);
    if (q.code === 0) for (const job of parseSqueue(q.stdout)) byId.set(job.id, job);

    // One scontrol per job (an array's tasks come together) that ended or that squeue did not list.
    const ask = new Set<string>();
    for (const job of byId.values()) if (isFinished(job.status)) ask.add(job.jobId);
    for (const id of ids) if (!covered(id, byId)) ask.add(id);
    for (const id of ask) {
      const r = await this.run('scontrol', ['-o', 'show', 'job', id], {});
      if (r.code !== 0 && !invalidJobId(r)) return failed('scontrol', r);
      if (r.code === 0) for (const job of parseScontrolJobs(r.stdout)) byId.set(job.id, job);
    }

    const missing = ids.filter((id) => !covered(id, byId));
    if (missing.length > 0) {
      const r = await this.run('sacct', ['-n', '-P', '-X', '-j', missing.join(','), '-o', SACCT_FIELDS], {});
      // No accounting (`accounting storage is disabled`) is normal on small clusters: those ids are unknown.
      if (r.code === 0) for (const job of parseSacct(r.stdout)) if (!byId.has(job.id)) byId.set(job.id, job);
    }
    return { ok: true, value: { jobs: [...byId.values()], unknown: ids.filter((id) => !covered(id, byId)) } };
  }

  /**
   * Cancels jobs (or whole arrays, or tasks); jobs that already ended or are gone are not an error.
   * `pending`: only those not started (of an array, the tasks still waiting).
   */
  async cancel(ids: readonly string[], pending = false): Promise<SlurmResult<void>> {
    if (ids.length === 0) return { ok: true, value: undefined };
    const bad = ids.find((id) => splitId(id) === undefined);
    if (bad !== undefined) return { ok: false, message: `not a Slurm job id: ${JSON.stringify(bad)}` };
    const r = await this.run('scancel', [...(pending ? ['--state=PENDING'] : []), ...ids], {});
    if (r.code === 0 || (r.code !== null && /already completing or completed|Invalid job id/i.test(r.stderr))) return { ok: true, value: undefined };
    return failed('scancel', r);
  }

  /**
   * Cancels `ids`, and this user's jobs whose working directory is one of
   * `dirs` (submissions whose sbatch had not answered yet), as the process
   * exits (a second Ctrl-C): synchronously, then waits a few seconds at most
   * until squeue lists none of them, so that the shell's prompt comes back
   * on a queue without them.
   */
  cancelBeforeExit(ids: readonly string[], dirs: readonly string[]): void {
    const all = [...ids];
    if (dirs.length > 0) {
      const q = this.runNow('squeue', ['-h', '-r', ownUser(), '-o', HELD_FORMAT]);
      const wanted = new Set(dirs);
      if (q.code === 0) for (const j of parseHeld(q.stdout)) if (wanted.has(j.workdir)) all.push(j.jobId);
    }
    if (all.length === 0) return;
    const unique = [...new Set(all)];
    this.runNow('scancel', unique);
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (Date.now() < deadline) {
      const q = this.runNow('squeue', ['-h', '-j', unique.join(','), '-o', '%i']);
      if (q.code !== 0 || q.stdout.trim() === '') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }

  /**
   * Cancels this user's jobs whose working directory is `dir`: an `sbatch`
   * that failed (a busy controller's timeout) may have reached the
   * controller all the same, and its job would run commands the run has
   * reported failed. Their ids, or none.
   */
  async cancelIn(dir: string): Promise<string[]> {
    const q = await this.run('squeue', ['-h', '-r', ownUser(), '-o', HELD_FORMAT], {});
    if (q.code !== 0) return [];
    const ids = [...new Set(parseHeld(q.stdout).filter((j) => j.workdir === dir).map((j) => j.jobId))];
    if (ids.length > 0) await this.cancel(ids);
    return ids;
  }

  /** This user's jobs and tasks named `name` (ownJobs): whether an `sbatch` that timed out submitted after all. */
  findByName(name: string): Promise<SlurmResult<JobState[]>> {
    return this.ownJobs(name);
  }

  /**
   * This user's jobs and tasks (only those named `name`, when given) that
   * the controller still holds (pending, running, or ended within
   * MinJobAge), and, where there is accounting, those of the last week:
   * among them, by their ids, what a dead run submitted (adopt.ts).
   */
  async ownJobs(name?: string): Promise<SlurmResult<JobState[]>> {
    const user = ownUser();
    // squeue and sacct read a comma as a list of names: ask for all and filter.
    const only = name === undefined || name.includes(',') ? [] : ['--name', name];
    const named = (j: JobState): boolean => name === undefined || j.name === name;
    const q = await this.run('squeue', ['-h', '-r', '-t', 'all', user, ...only, '-o', SQUEUE_FORMAT], {});
    if (q.code !== 0) return failed('squeue', q);
    const byId = new Map(parseSqueue(q.stdout).filter(named).map((j) => [j.id, j]));
    const a = await this.run('sacct', ['-n', '-P', '-X', user, ...only, '-S', 'now-7days', '-o', SACCT_FIELDS], {});
    if (a.code === 0) for (const job of parseSacct(a.stdout)) if (named(job) && !byId.has(job.id)) byId.set(job.id, job);
    return { ok: true, value: [...byId.values()] };
  }

  /**
   * Every job the controller still holds (pending, running, or ended within
   * MinJobAge), of every user and partition: what may still use the files
   * a submission left (gc asks before it removes them).
   */
  async held(): Promise<SlurmResult<HeldJob[]>> {
    const q = await this.run('squeue', ['-h', '-a', '-r', '-t', 'all', '-o', HELD_FORMAT], {});
    if (q.code !== 0) return failed('squeue', q);
    return { ok: true, value: parseHeld(q.stdout) };
  }

  /**
   * Why Slurm cannot be used from here (commands missing, the controller not
   * answering, a cluster without nodes), or undefined when it can. Nodes that
   * are all drained or down are no reason: see `noNodeTakesJobs`.
   */
  async available(): Promise<string | undefined> {
    const ping = await this.run('scontrol', ['ping'], {});
    if (ping.code === null) return ping.error ?? 'scontrol did not run';
    if (!controllerUp(ping.stdout)) return `the Slurm controller does not answer: ${firstLine(ping.stdout || ping.stderr) || `scontrol ping exited ${ping.code}`}`;
    for (const tool of ['sbatch', 'squeue', 'scancel']) {
      const r = await this.run(tool, ['--version'], {});
      // With what the tool said: `squeue --version exited 1` alone left the user guessing.
      const said = firstLine(r.stderr || r.stdout);
      if (r.code !== 0) return r.error ?? `${tool} --version exited ${r.code}${said === '' ? '' : `: ${said}`}`;
    }
    const nodes = await this.run('sinfo', ['-h', '-o', '%T'], {});
    if (nodes.code !== 0) return `sinfo: ${nodes.error ?? firstLine(nodes.stderr)}`;
    if (usableNodeStates(nodes.stdout).states.length === 0) return 'the cluster has no nodes (sinfo lists none)';
    return undefined;
  }

  /**
   * What the nodes are (`drained`, `down*`…) when none takes jobs now, or
   * undefined when one does. A drain is maintenance, not an error: jobs
   * submitted meanwhile wait in the queue, as they do when it happens
   * during a run.
   */
  async noNodeTakesJobs(): Promise<string | undefined> {
    const nodes = await this.run('sinfo', ['-h', '-o', '%T'], {});
    if (nodes.code !== 0) return undefined;
    const { usable, states } = usableNodeStates(nodes.stdout);
    return usable === 0 && states.length > 0 ? [...new Set(states)].join(', ') : undefined;
  }
}

/** squeue's and sacct's option for this user's jobs. */
function ownUser(): string {
  return `--user=${process.getuid?.() ?? process.env['USER'] ?? ''}`;
}

function covered(id: string, byId: ReadonlyMap<string, JobState>): boolean {
  if (byId.has(id)) return true;
  if (id.includes('_')) return false;
  for (const job of byId.values()) if (job.jobId === id) return true;
  return false;
}

function invalidJobId(r: CommandOutput): boolean {
  return r.code !== null && /Invalid job id|not found/i.test(r.stderr + r.stdout);
}

function failed<T>(tool: string, r: CommandOutput): SlurmResult<T> {
  return { ok: false, message: r.error ?? `${tool} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}` };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
