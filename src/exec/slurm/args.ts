import { checkWords } from '../../markdown/sbatch-options.js';

/** What Shark asks of Slurm for one submission (a job, or a job array for a map). */
export interface SubmitOptions {
  /** The job name, which carries the pipeline and block id: what squeue shows (a later run recognises a dead run's jobs by their ids, adopt.ts). */
  readonly name: string;
  /** A job array of tasks 0..size-1 (`$SLURM_ARRAY_TASK_ID`), at most `throttle` running at once. */
  readonly array?: { readonly size: number; readonly throttle?: number };
  /** `{threads=N}` → `--cpus-per-task`. */
  readonly cpusPerTask?: number;
  /** `{memory=…}` → `--mem` (per node, MB). */
  readonly memoryMb?: number;
  /** `{timeout=…}` → `--time`, rounded up to Slurm's granularity of a minute. */
  readonly timeLimitSeconds?: number;
  /** `--output`/`--error` patterns (`%A` array job id, `%a` task, `%j` job id); separate files only when `error` is given. */
  readonly output?: string;
  readonly error?: string;
  /** `--chdir`: where the batch script starts. */
  readonly workdir?: string;
  /** `--slurm-opt` and `{slurm="…"}` words, passed as argv words (never through a shell), checked again (markdown/sbatch-options.ts). */
  readonly extra?: readonly string[];
}

export type ArgsResult = { readonly ok: true; readonly args: string[] } | { readonly ok: false; readonly message: string };

/**
 * The `sbatch` argv for `options` (the script itself goes on stdin), or why
 * the options cannot be submitted. Pure. Shark's own requests come before
 * `extra`, so that a user's `--slurm-opt` (later on the command line) wins.
 */
export function sbatchArgs(options: SubmitOptions): ArgsResult {
  const bad = (message: string): ArgsResult => ({ ok: false, message });
  // eslint-disable-next-line no-control-regex
  if (options.name === '' || /[\u0000-\u001f\u007f]/.test(options.name)) return bad(`job name ${JSON.stringify(options.name)} is empty or has a control character`);
  const args = ['--parsable', `--job-name=${options.name}`];
  if (options.array !== undefined) {
    const { size, throttle } = options.array;
    if (!positiveInt(size)) return bad(`array size must be a positive integer, not ${size}`);
    if (throttle !== undefined && !positiveInt(throttle)) return bad(`array throttle must be a positive integer, not ${throttle}`);
    args.push(`--array=0-${size - 1}${throttle === undefined ? '' : `%${throttle}`}`);
  }
  if (options.cpusPerTask !== undefined) {
    if (!positiveInt(options.cpusPerTask)) return bad(`cpus per task must be a positive integer, not ${options.cpusPerTask}`);
    args.push(`--cpus-per-task=${options.cpusPerTask}`);
  }
  if (options.memoryMb !== undefined) {
    if (!positiveInt(options.memoryMb)) return bad(`memory must be a positive whole number of MB, not ${options.memoryMb}`);
    args.push(`--mem=${options.memoryMb}M`);
  }
  if (options.timeLimitSeconds !== undefined) {
    if (!(options.timeLimitSeconds > 0) || !Number.isFinite(options.timeLimitSeconds)) return bad(`time limit must be positive, not ${options.timeLimitSeconds}`);
    args.push(`--time=${Math.ceil(options.timeLimitSeconds / 60)}`);
  }
  for (const [flag, path] of [['--output', options.output], ['--error', options.error], ['--chdir', options.workdir]] as const) {
    if (path === undefined) continue;
    if (path === '' || path.includes('\n')) return bad(`${flag} path ${JSON.stringify(path)} is empty or has a newline`);
    // A backslash anywhere in a pattern makes Slurm expand none of it (no `%a`: every task one file) and drop the backslash.
    if (flag !== '--chdir' && path.includes('\\')) return bad(`${flag} path ${JSON.stringify(path)} has a backslash, with which Slurm names no file per task: put the store in a directory whose path has none`);
    args.push(`${flag}=${path}`);
  }
  const extra = checkWords(options.extra ?? []);
  if (!extra.ok) return bad(`Slurm option \`${extra.word}\`${extra.reason}`);
  args.push(...extra.words);
  return { ok: true, args };
}

/** `path` as a literal part of an `--output` pattern: Slurm reads `%x` (and `%a`, `%j`…) in it as its own, `%%` as `%`. */
export function slurmLiteral(path: string): string {
  return path.replace(/%/g, '%%');
}

function positiveInt(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/** What one submission of a step's jobs asks for, before the paths of its files are known. */
export interface StepRequest {
  readonly name: string;
  /** Array tasks (1: a plain job). */
  readonly tasks: number;
  readonly throttle: number;
  /** The jobs the fullest task runs in turn (at most `--items-per-task`): what `--time` covers. */
  readonly itemsPerTask: number;
  /** `{threads=N}` (a count), or `all` for a whole node. */
  readonly threads: number | 'all' | undefined;
  readonly memoryBytes: number | undefined;
  readonly timeoutSeconds: number | undefined;
  /** `--slurm-opt` words, then the block's `{slurm="…"}`. */
  readonly extra: readonly string[];
  /** A job (an array) this one starts after, once it has ended: the part before of a map split into several arrays. */
  readonly after?: string;
}

/**
 * The SubmitOptions for a step's jobs: `{threads}` → `--cpus-per-task` (or
 * `--exclusive` for `all`), `{memory}` → `--mem` in MB, `{timeout}` →
 * `--time` for all the items a task runs in turn plus a minute (the
 * command's own limit is enforced on the node), `--no-requeue` (a node
 * failure is reported; the next run resubmits what has no result). Pure:
 * `plan --executor slurm` shows it, the executor submits it.
 */
export function stepSubmitOptions(r: StepRequest): SubmitOptions {
  return {
    name: r.name,
    ...(r.tasks > 1 ? { array: { size: r.tasks, throttle: r.throttle } } : {}),
    ...(typeof r.threads === 'number' ? { cpusPerTask: r.threads } : {}),
    ...(r.memoryBytes !== undefined ? { memoryMb: Math.ceil(r.memoryBytes / 2 ** 20) } : {}),
    ...(r.timeoutSeconds !== undefined && r.timeoutSeconds > 0 ? { timeLimitSeconds: r.timeoutSeconds * r.itemsPerTask + 60 } : {}),
    extra: [
      '--no-requeue', ...(r.threads === 'all' ? ['--exclusive'] : []),
      ...(r.after === undefined ? r.extra : [`--dependency=afterany:${r.after}`, ...withoutDependency(r.extra)]),
    ],
  };
}

/**
 * The user's words without their `--dependency` (`-d`): a later array of a
 * split map waits for the one before, which waited for it, so the chain
 * keeps it; after Shark's own, it would replace it (sbatch takes the last),
 * and `-j` would no longer bound the arrays together.
 */
function withoutDependency(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-d') i++;
    else if (!w.startsWith('--dependency=') && !(w.startsWith('-d') && !w.startsWith('--'))) out.push(w);
  }
  return out;
}
