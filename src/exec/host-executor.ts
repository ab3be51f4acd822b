import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExecOutcome, ExecRequest, Executor } from './executor.js';
import { guardProcessGroup } from './watchdog.js';
import { longTimer } from './long-timer.js';
import { SecretMask } from './secret-mask.js';
import { singleQuoted as sq } from '../pipeline/shell-words.js';

interface Running {
  readonly marker: Buffer;
  readonly log: string;
  fd: number | undefined;
  buffer: Buffer;
  /** Masks secret values before the output reaches the log. */
  readonly mask: SecretMask | undefined;
  readonly done: (code: number | null) => void;
}

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;
const KILL_GRACE_MS = 3000;

/**
 * A small shell that starts jobs for us. Forking a large Node process costs
 * milliseconds per job; a shell forks in a fraction of that. Each launcher
 * runs one job at a time and is the leader of its own process group, so
 * cancelling a job kills the launcher's group: the job and everything it
 * started (the launcher dies with it and is replaced). The job lines are
 * the shell's script (`sh -s`), read a buffer at a time: its `read` builtin
 * would take the pipe one byte per system call.
 */
class Launcher {
  private readonly child: ChildProcess;
  private current: Running | undefined;
  dead = false;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn('/bin/sh', ['-s'], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: true,
    });
    if (this.child.pid !== undefined) guardProcessGroup(this.child.pid);
    this.child.stderr!.on('data', (chunk: Buffer) => this.take(chunk));
    this.child.on('exit', () => {
      this.dead = true;
      this.kill('SIGKILL');
      this.finish(null, this.current?.buffer.length ?? 0);
    });
    this.child.on('error', () => undefined);
    this.idle();
  }

  /**
   * Runs `script` in `cwd`; resolves with the exit status. The job's output
   * comes back on the launcher's stderr, followed by a marker line with a
   * fresh nonce and the status, and is written to `log` only if there is
   * any (most jobs of a large map print nothing; a file each would cost more
   * than the job). The script travels on one line: `printf %b` turns the
   * escaped newlines back (every backslash of the script is doubled, so no
   * other escape can appear).
   */
  start(cwd: string, script: string, log: string, secrets: readonly string[] = []): Promise<number | null> {
    this.busy();
    // Like make, a simple command (words and quoted words only) is executed directly, without a
    // second shell. Most other commands are one line and need no decoding (which costs a fork).
    const command = isSimple(script) ? script
      : script.includes('\n')
        ? `/bin/sh -c "$(printf '%b' ${sq(script.replace(/\\/g, '\\\\').replace(/\n/g, '\\n'))})"`
        : `/bin/sh -c ${sq(script)}`;
    const nonce = freshNonce();
    return new Promise((done) => {
      const mask = secrets.length > 0 ? new SecretMask(secrets) : undefined;
      this.current = { marker: Buffer.from(`\x1e${nonce} `), log, fd: undefined, buffer: Buffer.alloc(0), mask, done };
      this.child.stdin!.write(`( cd ${sq(cwd)} && exec ${command} ) </dev/null 1>&2 & wait $!; printf '\\036%s %s\\n' ${nonce} "$?" >&2\n`);
    });
  }

  private take(chunk: Buffer): void {
    const c = this.current;
    // Output after a job's end (a process it left behind) belongs to no job.
    if (c === undefined) return;
    c.buffer = c.buffer.length === 0 ? chunk : Buffer.concat([c.buffer, chunk]);
    const at = c.buffer.indexOf(c.marker);
    if (at < 0) {
      // Keep back what could be the start of the marker.
      this.write(c, Math.max(0, c.buffer.length - c.marker.length - 24));
      return;
    }
    const newline = c.buffer.indexOf(10, at + c.marker.length);
    if (newline < 0) {
      this.write(c, at);
      return;
    }
    const code = Number(c.buffer.subarray(at + c.marker.length, newline).toString());
    this.finish(Number.isInteger(code) ? code : null, at);
  }

  /** Appends the first `n` buffered bytes to the job's log, creating it on first use. */
  private write(c: Running, n: number): void {
    if (n === 0) return;
    const out = c.mask?.push(c.buffer.subarray(0, n)) ?? c.buffer.subarray(0, n);
    c.buffer = c.buffer.subarray(n);
    this.append(c, out);
  }

  private append(c: Running, out: Buffer): void {
    if (out.length === 0) return;
    c.fd ??= openSync(c.log, 'a');
    writeSync(c.fd, out);
  }

  private finish(code: number | null, outputBytes: number): void {
    const c = this.current;
    if (c === undefined) return;
    this.current = undefined;
    this.write(c, outputBytes);
    // What was held back in case it began a secret: the output has ended.
    if (c.mask !== undefined) this.append(c, c.mask.end());
    if (c.fd !== undefined) closeSync(c.fd);
    if (!this.dead) this.idle();
    c.done(code);
  }

  /** Signals the job and everything it started (and the launcher itself). */
  kill(signal: NodeJS.Signals): void {
    if (this.child.pid !== undefined) killGroup(this.child.pid, signal);
  }

  // An idle launcher must not keep Shark running; a busy one must.
  private idle(): void {
    this.child.unref();
    (this.child.stderr as unknown as { unref?: () => void }).unref?.();
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stderr as unknown as { ref?: () => void }).ref?.();
    (this.child.stdin as unknown as { ref?: () => void }).ref?.();
  }
}

/**
 * Runs a job with `/bin/sh` on this machine. /data paths in the command point
 * into the job's workspace. The only module that spawns processes for the host.
 */
export class HostExecutor implements Executor {
  private readonly idle = new Map<string, Launcher[]>();

  async run(req: ExecRequest): Promise<ExecOutcome> {
    if (req.signal.aborted) return { status: 'cancelled' };
    // The workspace path is spliced into shell text unquoted: give it a name the shell cannot misread.
    let root = req.workspace.root;
    let alias: string | undefined;
    if (!SAFE_PATH.test(root)) {
      alias = join(mkdtempSync(join(tmpdir(), 'shark-')), 'ws');
      symlinkSync(root, alias);
      root = alias;
    }
    const cwd = req.cwd === undefined ? req.pipelineDir
      : req.cwd.startsWith('/data/') || req.cwd === '/data' ? root + req.cwd
      : isAbsolute(req.cwd) ? req.cwd : resolve(req.pipelineDir, req.cwd);
    try {
      if (!existsSync(cwd)) {
        writeFileSync(req.logPath, `shark: working directory ${cwd} does not exist\n`, { flag: 'a' });
        return { status: 'failed', reason: 'internal', exitCode: null, message: `working directory ${cwd} does not exist` };
      }
      const launcher = this.take(req.env);
      let ending: 'cancelled' | 'timeout' | undefined;
      const stop = (why: 'cancelled' | 'timeout'): void => {
        if (ending !== undefined) return;
        ending = why;
        launcher.kill('SIGTERM');
        setTimeout(() => launcher.kill('SIGKILL'), KILL_GRACE_MS).unref();
      };
      const onAbort = (): void => stop('cancelled');
      req.signal.addEventListener('abort', onAbort, { once: true });
      const timer = req.timeout === undefined ? undefined : longTimer(() => stop('timeout'), req.timeout * 1000);
      const code = await launcher.start(cwd, req.script(root), req.logPath, req.secrets);
      req.signal.removeEventListener('abort', onAbort);
      timer?.clear();
      this.give(req.env, launcher);
      if (ending === 'cancelled') return { status: 'cancelled' };
      if (ending === 'timeout') return { status: 'timeout', message: `timed out after ${req.timeout}s` };
      if (code === 0) return { status: 'ok' };
      if (code === null) return { status: 'failed', reason: 'signal', exitCode: null, message: 'the job launcher died' };
      return { status: 'failed', reason: code > 128 ? 'signal' : 'exit', exitCode: code, message: code > 128 ? `killed by signal ${code - 128}` : `exit status ${code}` };
    } finally {
      if (alias !== undefined) rmSync(join(alias, '..'), { recursive: true, force: true });
    }
  }

  private take(env: Readonly<Record<string, string>>): Launcher {
    const key = JSON.stringify(env);
    const pool = this.idle.get(key) ?? [];
    this.idle.set(key, pool);
    for (let l = pool.pop(); l !== undefined; l = pool.pop()) if (!l.dead) return l;
    return new Launcher({ ...process.env, ...env });
  }

  private give(env: Readonly<Record<string, string>>, launcher: Launcher): void {
    if (!launcher.dead) this.idle.get(JSON.stringify(env))!.push(launcher);
  }
}

/** Shell builtins whose programs behave differently, or that only make sense inside a shell. */
const SHELL_ONLY = new Set([
  ':', '.', 'alias', 'bg', 'break', 'cd', 'chdir', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export',
  'fc', 'fg', 'getopts', 'hash', 'jobs', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set',
  'shift', 'times', 'trap', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait', 'if', 'for', 'while', 'until',
  'case', '{', '!', 'time',
]);

/** Plain words and single-quoted words, no expansion, redirection or operator: the shell would only split it. */
export function isSimple(script: string): boolean {
  if (script.includes('\n')) return false;
  const bare = script.replace(/'[^']*'/g, 'Q');
  if (!/^[A-Za-z0-9_\-./:,+=@%^ Q]+$/.test(bare)) return false;
  const first = script.trimStart().split(' ')[0]!;
  return first !== '' && !first.includes('=') && !first.includes("'") && !SHELL_ONLY.has(first);
}

/** Random bytes drawn a page at a time: a call per job cost more than the rest of writing its line. */
const randomPage = Buffer.alloc(4096);
let randomAt = randomPage.length;

/** 16 hex digits no job can guess: the end marker of its output. */
function freshNonce(): string {
  if (randomAt === randomPage.length) {
    randomFillSync(randomPage);
    randomAt = 0;
  }
  randomAt += 8;
  return randomPage.toString('hex', randomAt - 8, randomAt);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
