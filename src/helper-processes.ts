import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The commands Shark runs for itself (zfs, mount, sbatch, squeue…), as
 * opposed to jobs. A terminal's Ctrl-C goes to its whole foreground process
 * group: a helper in Shark's own group would die mid-way, and a store
 * operation in flight would fail as if the store had, while Shark is
 * stopping in order (cancelling its jobs, keeping what is committed). So
 * each helper starts in a session of its own (`detached`: setsid), which no
 * terminal signal reaches. Shark still waits for each, and kills those still
 * running when it exits (a second Ctrl-C quits at once). Jobs are not
 * helpers: their launchers have groups of their own, which Shark kills to
 * cancel them (host-launcher.ts).
 */

/** For `execFileSync` (which blocks: Shark cannot exit while it runs). `execFile` ignores `detached`: use `runHelper`. */
export const HELPER = { detached: true } as const;

export interface HelperOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Where it runs (else Shark's current directory). */
  readonly cwd?: string | undefined;
  /** Written to the command's standard input (else it reads nothing). */
  readonly stdin?: string;
  /** The command is killed (SIGTERM) after this long. */
  readonly timeoutMs?: number;
  /** The command is killed (SIGTERM) when this aborts. */
  readonly signal?: AbortSignal;
}

export interface HelperOutput {
  /** The exit status; null when it did not run (`error`) or was killed (`killedBy`). */
  readonly code: number | null;
  readonly killedBy: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it could not be started (`ENOENT`: not installed). */
  readonly error?: NodeJS.ErrnoException;
  /** Killed by Shark: its time was up, or it was cancelled. */
  readonly stopped?: 'timeout' | 'aborted';
}

/** Runs `file` with `args` (no shell) in a session of its own, and resolves when it has ended; never rejects. */
export function runHelper(file: string, args: readonly string[], o: HelperOptions): Promise<HelperOutput> {
  return new Promise((done) => {
    let child: ChildProcess;
    // Before the spawn: a stop signal that came between it and the helper being counted killed Shark outright.
    const release = holdStops();
    try {
      child = spawn(file, args, { ...HELPER, env: o.env, cwd: o.cwd, stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    } catch (e) {
      release();
      done({ code: null, killedBy: null, stdout: '', stderr: '', error: e as NodeJS.ErrnoException });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let stopped: HelperOutput['stopped'];
    let error: NodeJS.ErrnoException | undefined;
    const stop = (why: 'timeout' | 'aborted'): void => {
      stopped ??= why;
      killGroup(child);
    };
    const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), o.timeoutMs);
    const onAbort = (): void => stop('aborted');
    if (o.signal?.aborted === true) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => (error ??= e));
    child.stdin?.on('error', () => undefined); // the command may exit before reading it all
    child.stdin?.end(o.stdin);
    started(child);
    child.on('close', (code, killedBy) => {
      release();
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      // One that could not start closes with a negative errno as its code.
      if (error !== undefined) done({ code: null, killedBy: null, stdout, stderr, error });
      else done({ code, killedBy, stdout, stderr, ...(stopped === undefined ? {} : { stopped }) });
    });
  });
}

/** What went wrong, in a few words, for a helper that did not exit 0. */
export function helperFailure(file: string, r: HelperOutput): string {
  if (r.error !== undefined) return r.error.code === 'ENOENT' ? `${file} not found` : `cannot run ${file}: ${r.error.message}`;
  if (r.stopped === 'aborted') return `${file} was cancelled`;
  if (r.killedBy !== null) return `${file} was killed (${r.killedBy})`;
  return `${file} exited ${r.code}`;
}

const running = new Set<ChildProcess>();

/** Helpers being started or running (`holdStops`). */
let held = 0;

/**
 * While helpers are started or run: a command that handles no Ctrl-C or
 * SIGTERM of its own (`plan` resolving a git import) would die of it, its
 * helpers, out of the terminal's reach, living on; such a signal ends it
 * with 130 instead (`exit` kills them). Taken before a helper is spawned
 * (a signal in between killed Shark outright, the helper living on), and
 * released, by the function returned, once it has ended.
 */
function holdStops(): () => void {
  if (held++ === 0) {
    process.on('exit', killAll);
    for (const signal of STOPS) if (process.listenerCount(signal) === 0) process.once(signal, quit);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held > 0) return;
    process.off('exit', killAll);
    for (const signal of STOPS) process.off(signal, quit);
  };
}

/** Kills `child` and what it started if Shark exits before it ends. */
function started(child: ChildProcess): void {
  if (child.pid === undefined) return;
  running.add(child);
  child.once('exit', () => running.delete(child));
}

const STOPS = ['SIGINT', 'SIGTERM'] as const;

/** Ends Shark with 130, unless the command has come to handle the signal itself since. */
function quit(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) === 0) process.exit(130);
}

function killAll(): void {
  for (const child of running) killGroup(child);
}

/** The helper leads its own group: the group goes, with anything the helper started. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Ended meanwhile.
  }
}
