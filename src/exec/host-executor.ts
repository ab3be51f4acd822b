import { existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExecOutcome, ExecRequest, Executor } from './executor.js';
import { Launcher, NOT_STARTED } from './host-launcher.js';
import { longTimer } from './long-timer.js';
import { unaliasLinks } from './workspace-alias.js';
import { singleQuoted } from '../pipeline/shell-words.js';
import { makeScratchDir } from '../scratch-dir.js';

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;
const KILL_GRACE_MS = 3000;
/**
 * Bytes of script passed as `sh -c`'s argument: Linux refuses to start a
 * program with one argument of 128 KiB or more (`Argument list too long`),
 * and the environment shares the space, so a longer script goes in a file.
 */
const LONGEST_ARGUMENT = 64 * 1024;

/**
 * Runs a job with `/bin/sh` on this machine. /data paths in the command point
 * into the job's workspace. With its launchers (host-launcher.ts), the only
 * module that starts processes for the host's jobs.
 */
export class HostExecutor implements Executor {
  readonly queues = true;
  private readonly idle = new Map<string, Launcher[]>();
  /** The launcher each job ran on: a job queued behind it goes there. */
  private readonly on = new WeakMap<object, Launcher>();
  private readonly aborts = new WeakMap<AbortSignal, Set<() => void>>();

  async run(req: ExecRequest): Promise<ExecOutcome> {
    if (req.signal.aborted) return { status: 'cancelled' };
    // Made when needed: for the workspace's alias and a long script's file.
    let scratch: string | undefined;
    const scratchDir = (): string => (scratch ??= makeScratchDir('shark-'));
    // The workspace path is spliced into shell text unquoted: give it a name the shell cannot misread.
    let root = req.workspace.root;
    if (!SAFE_PATH.test(root)) {
      root = join(scratchDir(), 'ws');
      symlinkSync(req.workspace.root, root);
    }
    const cwd = req.cwd === undefined ? req.pipelineDir
      : req.cwd.startsWith('/data/') || req.cwd === '/data' ? root + req.cwd
      : isAbsolute(req.cwd) ? req.cwd : resolve(req.pipelineDir, req.cwd);
    try {
      // A `cwd=` is looked for; the document's own directory is taken as there (a `cd` failing still fails the job).
      if (req.cwd !== undefined && !existsSync(cwd)) {
        writeFileSync(req.logPath, `shark: working directory ${cwd} does not exist\n`, { flag: 'a' });
        return { status: 'failed', reason: 'internal', exitCode: null, message: `working directory ${cwd} does not exist` };
      }
      const key = JSON.stringify(req.env);
      const after = req.queued === undefined ? undefined : req.turn?.after;
      const ahead = after === undefined ? undefined : this.on.get(after);
      // Jobs with a time limit are not queued: the one ahead could be killed just as it starts.
      const queued = req.timeout === undefined && ahead?.endsWith(after!) === true && ahead.key === key ? ahead : undefined;
      // The job ahead has no launcher (it ended, or never ran): this one starts now, in the share it passed on.
      if (after !== undefined && queued === undefined) req.queued!.begun();
      let launcher = queued ?? this.take(key, req.env);
      if (req.turn !== undefined) this.on.set(req.turn, launcher);
      let ending: 'cancelled' | 'timeout' | undefined;
      const stop = (why: 'cancelled' | 'timeout'): void => {
        if (ending !== undefined) return;
        ending = why;
        launcher.kill('SIGTERM');
        const dying = launcher;
        setTimeout(() => dying.kill('SIGKILL'), KILL_GRACE_MS).unref();
      };
      const onAbort = (): void => stop('cancelled');
      const aborts = this.abortsOf(req.signal);
      aborts.add(onAbort);
      const timer = req.timeout === undefined ? undefined : longTimer(() => stop('timeout'), req.timeout * 1000);
      const script = deliverable(req.script(root), scratchDir);
      let ended = await launcher.start(cwd, script, req.logPath, req.turn, queued === undefined ? undefined : req.queued, req.secrets);
      // The launcher died before the job ahead of this one ended: this one runs on a new launcher, behind the job ahead
      // of it when that one was queued too and went to a new one first (the queue keeps its order: each is told in turn).
      if (ended.code === NOT_STARTED && launcher.dead && ending === undefined && !req.signal.aborted) {
        const moved = after === undefined ? undefined : this.on.get(after);
        const behind = moved !== undefined && moved !== launcher && moved.key === key && moved.endsWith(after!) ? moved : undefined;
        launcher = behind ?? this.take(key, req.env);
        if (req.turn !== undefined) this.on.set(req.turn, launcher);
        if (behind === undefined) req.queued?.begun();
        ended = await launcher.start(cwd, script, req.logPath, req.turn, behind === undefined ? undefined : req.queued, req.secrets);
      }
      const { code, lostLog } = ended;
      aborts.delete(onAbort);
      timer?.clear();
      if (code === 0 && root !== req.workspace.root) unaliasLinks(req.workspace.root, root, req.outputs);
      this.give(key, launcher);
      if (ending === 'cancelled' || code === NOT_STARTED) return { status: 'cancelled' };
      if (ending === 'timeout') return { status: 'timeout', message: `timed out after ${req.timeout}s` };
      if (lostLog !== undefined) return lostLogFailure(lostLog, code);
      if (code === 0) return { status: 'ok' };
      if (code === null) return { status: 'failed', reason: 'signal', exitCode: null, message: 'the job launcher died' };
      return { status: 'failed', reason: code > 128 ? 'signal' : 'exit', exitCode: code, message: code > 128 ? `killed by signal ${code - 128}` : `exit status ${code}` };
    } finally {
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * What to call when `signal` aborts: one listener per signal, not one
   * added and removed per job (2,000 trivial jobs: ~1 % of the thread that
   * starts them).
   */
  private abortsOf(signal: AbortSignal): Set<() => void> {
    let calls = this.aborts.get(signal);
    if (calls === undefined) {
      const these = (calls = new Set());
      this.aborts.set(signal, these);
      signal.addEventListener('abort', () => {
        for (const call of [...these]) call();
      }, { once: true });
    }
    return calls;
  }

  private take(key: string, env: Readonly<Record<string, string>>): Launcher {
    const pool = this.idle.get(key) ?? [];
    this.idle.set(key, pool);
    for (let l = pool.pop(); l !== undefined; l = pool.pop()) if (!l.dead) return l;
    return new Launcher(key, { ...process.env, ...env });
  }

  /**
   * Back to the idle launchers, once the last job queued on it has ended:
   * once, though the jobs queued on it end together (the one ahead failed,
   * and those behind it never started), or two jobs would be given it.
   */
  private give(key: string, launcher: Launcher): void {
    const pool = this.idle.get(key)!;
    if (!launcher.dead && launcher.free && !pool.includes(launcher)) pool.push(launcher);
  }
}

/**
 * A job whose log could not be written (a full disk): the store refused a
 * write, whatever the command's status (given too when it failed, most
 * likely of the same full disk).
 */
export function lostLogFailure(why: string, code: number | null): ExecOutcome {
  const status = code === 0 || code === null ? '' : `; ${code > 128 ? `killed by signal ${code - 128}` : `exit status ${code}`}`;
  return { status: 'failed', reason: 'store', exitCode: code, message: `cannot write the job's log: ${why}: its output after that was dropped${status}` };
}

/**
 * The script as the launcher is given it: itself, or when too long to be
 * one argument, `/bin/sh FILE` of a private file in `dir()` holding it (the
 * same shell, reading the same text; the key, made from the command, is the same).
 */
function deliverable(script: string, dir: () => string): string {
  if (Buffer.byteLength(script) < LONGEST_ARGUMENT) return script;
  const file = join(dir(), 'job.sh');
  writeFileSync(file, script, { mode: 0o600 });
  return `/bin/sh ${singleQuoted(file)}`;
}
