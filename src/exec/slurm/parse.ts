/**
 * What Slurm's command-line tools print, turned into values. Pure: the
 * client (client.ts) runs the commands, these functions read their output,
 * so every format is unit-tested without a cluster.
 *
 * Formats are the stable, line-oriented ones (`squeue -h -o`, `scontrol -o`,
 * `sacct -n -P`), not `--json`, whose schema changes with every OpenAPI
 * version (v0.0.38 in Slurm 22.05, v0.0.40 in 23.11, …).
 */

export type JobStatus =
  | 'pending'
  | 'running'
  | 'completed'
  | 'failed'
  | 'timeout'
  | 'cancelled'
  | 'preempted'
  | 'node-fail'
  | 'out-of-memory';

/** One job, or one task of a job array, as Slurm last reported it. */
export interface JobState {
  /** `123` for a job, `123_4` for task 4 of array job 123. */
  readonly id: string;
  /** The job id, or the array's job id for a task. */
  readonly jobId: string;
  readonly arrayTask: number | undefined;
  readonly name: string;
  readonly status: JobStatus;
  /** Slurm's own word for it (`CANCELLED`, `NODE_FAIL`, …), for messages. */
  readonly slurmState: string;
  /** Once it ended (from scontrol or sacct; squeue does not say). */
  readonly exitCode: number | undefined;
  /** The signal that ended it, if any. */
  readonly signal: number | undefined;
  /** Why it waits (`Resources`, `Priority`, …) or ended (`NonZeroExitCode`); undefined for `None`. */
  readonly reason: string | undefined;
}

const STATUS: Readonly<Record<string, JobStatus>> = {
  PENDING: 'pending',
  REQUEUED: 'pending',
  REQUEUE_FED: 'pending',
  REQUEUE_HOLD: 'pending',
  RESV_DEL_HOLD: 'pending',
  SPECIAL_EXIT: 'pending',
  RUNNING: 'running',
  CONFIGURING: 'running',
  COMPLETING: 'running',
  RESIZING: 'running',
  SUSPENDED: 'running',
  STOPPED: 'running',
  SIGNALING: 'running',
  STAGE_OUT: 'running',
  POWER_UP_NODE: 'running',
  UPDATE_DB: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  BOOT_FAIL: 'failed',
  TIMEOUT: 'timeout',
  DEADLINE: 'timeout',
  CANCELLED: 'cancelled',
  REVOKED: 'cancelled',
  PREEMPTED: 'preempted',
  NODE_FAIL: 'node-fail',
  OUT_OF_MEMORY: 'out-of-memory',
};

/**
 * Slurm's state word as a status. sacct writes `CANCELLED by 0`, squeue may
 * append `+` to a state with flags: only the first word counts. A word this
 * table does not know is `failed`: a state Shark cannot read must not be
 * waited on forever, and a failure is never cached.
 */
export function statusOf(slurmState: string): JobStatus {
  const word = slurmState.trim().split(/\s+/)[0]?.replace(/\+$/, '') ?? '';
  return STATUS[word] ?? 'failed';
}

export function isFinished(status: JobStatus): boolean {
  return status !== 'pending' && status !== 'running';
}

/** `sbatch --parsable`: `123` or `123;cluster`. */
export function parseSubmitted(stdout: string): string | undefined {
  const id = stdout.trim().split('\n').at(-1)?.split(';')[0]?.trim() ?? '';
  return /^\d+$/.test(id) ? id : undefined;
}

/** `EXIT:SIGNAL` as scontrol and sacct print it. */
export function parseExitCode(text: string): { exitCode: number; signal: number | undefined } | undefined {
  const m = /^(\d+):(\d+)$/.exec(text.trim());
  if (m === null) return undefined;
  const signal = Number(m[2]);
  return { exitCode: Number(m[1]), signal: signal === 0 ? undefined : signal };
}

/** Splits `123_4` into its job and task; `123` has no task; a range (`123_[5-9%2]`) is not one job. */
export function splitId(id: string): { jobId: string; arrayTask: number | undefined } | undefined {
  const m = /^(\d+)(?:_(\d+))?$/.exec(id.trim());
  if (m === null) return undefined;
  return { jobId: m[1]!, arrayTask: m[2] === undefined ? undefined : Number(m[2]) };
}

/** The `squeue -o` format `parseSqueue` reads: id, state, reason, then the name (last, so it may hold the separator). */
export const SQUEUE_FORMAT = '%i|%T|%r|%j';

/** `squeue -h -r -o SQUEUE_FORMAT`: one line per job or array task. */
export function parseSqueue(stdout: string): JobState[] {
  const jobs: JobState[] = [];
  for (const line of stdout.split('\n')) {
    const [id = '', state = '', reason = '', ...name] = line.split('|');
    const ids = splitId(id);
    if (ids === undefined || state === '') continue;
    jobs.push({ id: id.trim(), ...ids, name: name.join('|'), status: statusOf(state), slurmState: state.trim(), exitCode: undefined, signal: undefined, reason: reasonOf(reason) });
  }
  return jobs;
}

/** A job the controller holds, as `squeue -h -r -o HELD_FORMAT` lists it: its job id (an array's, for a task) and working directory. */
export interface HeldJob {
  readonly jobId: string;
  readonly workdir: string;
}

/** Id, then the working directory (last, so it may hold the separator). */
export const HELD_FORMAT = '%i|%Z';

export function parseHeld(stdout: string): HeldJob[] {
  const jobs: HeldJob[] = [];
  for (const line of stdout.split('\n')) {
    const [id = '', ...workdir] = line.split('|');
    const ids = splitId(id);
    if (ids !== undefined) jobs.push({ jobId: ids.jobId, workdir: workdir.join('|') });
  }
  return jobs;
}

/**
 * `scontrol -o show job ID`: one line of `Key=Value` per job or task. Values
 * are unquoted and may hold spaces (JobName, WorkDir, Comment), so only the
 * keys read here are picked out; the name is what lies between `JobName=`
 * and ` UserId=`, which scontrol always prints next.
 */
export function parseScontrolJobs(stdout: string): JobState[] {
  const jobs: JobState[] = [];
  for (const line of stdout.split('\n')) {
    const field = (key: string): string | undefined => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1];
    const jobId = field('JobId');
    const state = field('JobState');
    if (jobId === undefined || state === undefined) continue;
    const arrayJobId = field('ArrayJobId');
    const task = field('ArrayTaskId');
    let id = jobId;
    if (arrayJobId !== undefined && task !== undefined) {
      if (!/^\d+$/.test(task)) continue; // the record of an array's tasks not yet started
      id = `${arrayJobId}_${task}`;
    }
    const ids = splitId(id);
    if (ids === undefined) continue;
    // While a job runs scontrol says ExitCode=0:0: an exit code means something only once it ended.
    const exit = isFinished(statusOf(state)) ? parseExitCode(field('ExitCode') ?? '') : undefined;
    const name = / JobName=(.*?) UserId=/.exec(line)?.[1] ?? '';
    jobs.push({ id, ...ids, name, status: statusOf(state), slurmState: state, exitCode: exit?.exitCode, signal: exit?.signal, reason: reasonOf(field('Reason') ?? '') });
  }
  return jobs;
}

/** The `sacct -o` fields `parseSacct` reads, name last. */
export const SACCT_FIELDS = 'JobID,State,ExitCode,JobName';

/** `sacct -n -P -X -o SACCT_FIELDS`: one line per job or task (`-X`: no steps). */
export function parseSacct(stdout: string): JobState[] {
  const jobs: JobState[] = [];
  for (const line of stdout.split('\n')) {
    const [id = '', state = '', exit = '', ...name] = line.split('|');
    const ids = splitId(id);
    if (ids === undefined || state === '') continue;
    const code = isFinished(statusOf(state)) ? parseExitCode(exit) : undefined;
    jobs.push({ id: id.trim(), ...ids, name: name.join('|'), status: statusOf(state), slurmState: state.trim().split(/\s+/)[0] ?? state, exitCode: code?.exitCode, signal: code?.signal, reason: undefined });
  }
  return jobs;
}

/** `scontrol ping`: whether the primary controller answers. */
export function controllerUp(stdout: string): boolean {
  return /\bis UP\b/.test(stdout);
}

/** Node states (`sinfo -h -o %T`) in which a node takes jobs; suffixes (`*` not responding, `~` powered down, …) disqualify. */
export function usableNodeStates(stdout: string): { usable: number; states: string[] } {
  const states = stdout.split('\n').map((s) => s.trim()).filter((s) => s !== '');
  const usable = states.filter((s) => /^(idle|mixed|allocated|completing|planned)$/.test(s)).length;
  return { usable, states };
}

function reasonOf(text: string): string | undefined {
  const r = text.trim();
  return r === '' || r === 'None' || r === '(null)' ? undefined : r;
}
