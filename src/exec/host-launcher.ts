import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { outputPipe } from './output-pipe.js';
import { asExecuted, isSimple } from './simple-command.js';
import { guardProcessGroup } from './watchdog.js';
import { SecretMask } from './secret-mask.js';
import { writeFailure } from '../store/full-disk.js';
import { singleQuoted as sq } from '../pipeline/shell-words.js';
import type { Queued } from './executor.js';

interface Running {
  /** The scheduler's turn of the job (Turn), which a job queued behind it names. */
  readonly turn: object | undefined;
  readonly marker: Buffer;
  readonly log: string;
  fd: number | undefined;
  buffer: Buffer;
  /** Why the log could not be written (a full disk): the output after that is dropped. */
  lost: string | undefined;
  /** Masks secret values before the output reaches the log. */
  readonly mask: SecretMask | undefined;
  /** Called when the job starts (the shell says so, `STARTED`), if it was queued behind another. */
  readonly begun: (() => void) | undefined;
  readonly done: (ended: Ended) => void;
}

/**
 * Hangs up the launcher's process group, itself aside (it has a handler):
 * what a job left running (`helper &`, a subshell's `sleep; echo > f &`)
 * ends with the job, as it would with a container's. One that ignores the
 * hang-up (`nohup`) or left the group (`setsid`) is left.
 */
const SWEEP = 'kill -HUP 0 2>/dev/null';

/** A queued job's end when it never started: the job ahead of it failed, or the launcher died first. */
export const NOT_STARTED = Symbol('not started');

/**
 * What the shell prints, in a marker, as a queued job starts: only the shell
 * knows whether it does (the file `stopped` may appear as it decides), and a
 * job must not be said to start when it never does.
 */
const STARTED = '+';

/** How a job ended: its exit status, and why its log is incomplete when it could not be written. */
export interface Ended {
  readonly code: number | null | typeof NOT_STARTED;
  readonly lostLog?: string;
}

/**
 * A small shell that starts jobs for us. Forking a large Node process costs
 * milliseconds per job; a shell forks in a fraction of that. Each launcher
 * runs one job at a time and is the leader of its own process group, so
 * cancelling a job kills the launcher's group: the job and everything it
 * started (the launcher dies with it and is replaced). The job lines are
 * the shell's script (`sh -s`), read a buffer at a time: its `read` builtin
 * would take the pipe one byte per system call. A job may be queued behind
 * the running one: the shell starts it as that one ends, with no round trip
 * through Shark between them.
 */
export class Launcher {
  private readonly child: ChildProcess;
  /** The running job first, then the one queued behind it. */
  private readonly jobs: Running[] = [];
  dead = false;
  private readonly path: string;
  /** The launcher's output (the jobs' and its markers): a real pipe when one can be made (`outputPipe`). */
  private readonly output: Readable;

  constructor(readonly key: string, env: NodeJS.ProcessEnv) {
    this.path = env.PATH ?? '/usr/bin:/bin';
    const pipe = outputPipe();
    this.child = spawn('/bin/sh', ['-s'], {
      env,
      stdio: ['pipe', 'ignore', pipe?.write ?? 'pipe'],
      detached: true,
    });
    pipe?.spawned();
    // The launcher outlives the hang-up it sends its own group after each job (`SWEEP`); a handler, not an ignored
    // signal, so that the jobs it starts have the default (an ignored one would be inherited across exec).
    this.child.stdin!.write("trap ':' HUP\n");
    this.output = pipe?.read ?? this.child.stderr!;
    if (this.child.pid !== undefined) guardProcessGroup(this.child.pid);
    this.output.on('data', (chunk: Buffer) => this.take(chunk));
    this.output.on('error', () => undefined);
    this.child.on('exit', () => {
      this.dead = true;
      this.kill('SIGKILL');
      this.finish(null, this.jobs[0]?.buffer.length ?? 0);
      // The shell starts a queued job only after the running one's marker: none of these began.
      for (const c of this.jobs.splice(0)) c.done({ code: NOT_STARTED });
    });
    this.child.on('error', () => undefined);
    this.idle();
  }

  /** Whether no job is running or queued here. */
  get free(): boolean {
    return this.jobs.length === 0;
  }

  /** Whether a job can be queued here behind `turn`'s: that one is the last here, running or queued (the scheduler bounds how many wait). */
  endsWith(turn: object): boolean {
    return !this.dead && this.jobs.length > 0 && this.jobs[this.jobs.length - 1]!.turn === turn;
  }

  /**
   * Runs `script` in `cwd` once the jobs before it here have ended; resolves
   * with the exit status. The job's output comes back on the launcher's
   * stderr, followed by a marker line with a fresh nonce and the status, and
   * is written to `log` only if there is any (most jobs of a large map print
   * nothing; a file each would cost more than the job). The script travels
   * on one line: `printf %b` turns the escaped newlines back (every backslash
   * of the script is doubled, so no other escape can appear). A job queued
   * with `stopped` is not started if the one before it failed or that file
   * exists (a run stops at its first failure); its marker then says `-`.
   * A queued job that does start says so first (`STARTED`): `begun` is called then.
   */
  start(cwd: string, script: string, log: string, turn: object | undefined, queued?: Queued, secrets: readonly string[] = []): Promise<Ended> {
    this.busy();
    // Like make, a simple command (words and quoted words only) is executed directly, without a
    // second shell. Most other commands are one line and need no decoding (which costs a fork).
    const command = isSimple(script) ? asExecuted(script, this.path)
      : script.includes('\n')
        ? `/bin/sh -c "$(printf '%b' ${sq(script.replace(/\\/g, '\\\\').replace(/\n/g, '\\n'))})"`
        : `/bin/sh -c ${sq(script)}`;
    const nonce = freshNonce();
    // The command runs as the shell's own simple command, not in a subshell: dash starts those with
    // `vfork` (2,000 jobs: ~15 % less CPU than a subshell's `fork`). The shell goes back to `/` after
    // it, so it never keeps a workspace busy.
    // What the job left running in the background is hung up before its end is said (`SWEEP`): it would write into the
    // workspace the next job of the map is given, and into that job's log.
    const run = `cd ${sq(cwd)} && ${command} </dev/null 1>&2; shark_s=$?; cd /; ${SWEEP}; printf '\\036%s %s\\n' ${nonce} "$shark_s" >&2`;
    const begin = `printf '\\036%s ${STARTED}\\n' ${nonce} >&2; `;
    const line = this.jobs.length === 0 ? `${run}\n`
      : queued?.stopped !== undefined
        ? `if [ "$shark_s" = 0 ] && [ ! -e ${sq(queued.stopped)} ]; then ${begin}${run}; else printf '\\036%s -\\n' ${nonce} >&2; fi\n`
        : `${begin}${run}\n`;
    return new Promise((done) => {
      const mask = secrets.length > 0 ? new SecretMask(secrets) : undefined;
      const begun = this.jobs.length > 0 ? queued?.begun : undefined;
      this.jobs.push({ turn, marker: Buffer.from(`\x1e${nonce} `), log, fd: undefined, buffer: Buffer.alloc(0), lost: undefined, mask, begun, done });
      this.child.stdin!.write(line);
    });
  }

  private take(chunk: Buffer): void {
    const c = this.jobs[0];
    // Output after a job's end (a process it left behind) belongs to no job.
    if (c === undefined) return;
    c.buffer = c.buffer.length === 0 ? chunk : Buffer.concat([c.buffer, chunk]);
    const at = c.buffer.indexOf(c.marker);
    if (at < 0) {
      // Keep back only what could be the start of the marker, so that output is logged as it comes
      // (`shark shell` shows the log live): a short line held back showed only once its job ended.
      this.write(c, markerStart(c.buffer, c.marker));
      return;
    }
    const newline = c.buffer.indexOf(10, at + c.marker.length);
    if (newline < 0) {
      this.write(c, at);
      return;
    }
    const status = c.buffer.subarray(at + c.marker.length, newline).toString();
    if (status === STARTED) {
      const rest = c.buffer.subarray(newline + 1);
      // Before it: what the job ahead left running wrote, counted as this job's output, as it is once this one runs.
      c.buffer = c.buffer.subarray(0, at);
      this.write(c, at);
      c.begun?.();
      if (rest.length > 0) this.take(rest);
      return;
    }
    const code = status === '-' ? NOT_STARTED : Number(status);
    const rest = c.buffer.subarray(newline + 1);
    this.finish(typeof code === 'symbol' || Number.isInteger(code) ? code : null, at);
    // What follows the marker is the next job's.
    if (rest.length > 0) this.take(rest);
  }

  /** Appends the first `n` buffered bytes to the job's log, creating it on first use. */
  private write(c: Running, n: number): void {
    if (n === 0) return;
    const out = c.mask?.push(c.buffer.subarray(0, n)) ?? c.buffer.subarray(0, n);
    c.buffer = c.buffer.subarray(n);
    this.append(c, out);
  }

  /**
   * A log that cannot be written (a full disk) does not stop the job: its
   * output is still read, so it never blocks on a full pipe, but dropped,
   * and the job fails with reason `store` when it ends.
   */
  private append(c: Running, out: Buffer): void {
    if (out.length === 0 || c.lost !== undefined) return;
    try {
      c.fd ??= openSync(c.log, 'a');
      for (let at = 0; at < out.length;) at += writeSync(c.fd, out, at);
    } catch (e) {
      c.lost = writeFailure(e);
    }
  }

  private finish(code: number | null | typeof NOT_STARTED, outputBytes: number): void {
    const c = this.jobs.shift();
    if (c === undefined) return;
    this.write(c, outputBytes);
    // What was held back in case it began a secret: the output has ended.
    if (c.mask !== undefined) this.append(c, c.mask.end());
    if (c.fd !== undefined) {
      try {
        closeSync(c.fd);
      } catch (e) {
        c.lost ??= writeFailure(e);
      }
    }
    if (!this.dead && this.jobs.length === 0) this.idle();
    c.done(c.lost === undefined ? { code } : { code, lostLog: c.lost });
  }

  /** Signals the job and everything it started (and the launcher itself). */
  kill(signal: NodeJS.Signals): void {
    if (this.child.pid !== undefined) killGroup(this.child.pid, signal);
  }

  // An idle launcher must not keep Shark running; a busy one must.
  private idle(): void {
    this.child.unref();
    (this.output as unknown as { unref?: () => void }).unref?.();
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.output as unknown as { ref?: () => void }).ref?.();
    (this.child.stdin as unknown as { ref?: () => void }).ref?.();
  }
}

/** Where a marker cut off at the end of `buffer` begins (its 0x1e is in it once: the nonce is hex); else the end. */
function markerStart(buffer: Buffer, marker: Buffer): number {
  const at = buffer.lastIndexOf(marker[0]!);
  const tail = buffer.length - at;
  return at >= 0 && tail < marker.length && buffer.subarray(at).equals(marker.subarray(0, tail)) ? at : buffer.length;
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
