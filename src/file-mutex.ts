import { closeSync, fstatSync, lstatSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { readProblem } from './read-problem.js';
import { hostname } from 'node:os';
import { pidAlive } from './store/liveness.js';
import { writeError } from './writable-path.js';

/**
 * An exclusive lock between processes: the file `LOCK` created with O_EXCL,
 * holding `pid host`: synchronous for a read-modify-write of a small file
 * that takes milliseconds (the pins' lock file), or async around commands
 * (a ZFS store's, zfs/commands.ts).
 *
 * A waiter takes the lock over when its holder is dead (same host, pid not
 * alive) or the file is older than `STALE_MS` (a holder on another host, or
 * one that hung). Taking over happens under a second, short-lived guard file
 * and re-checks the holder there, so two waiters cannot both remove a stale
 * lock and each remove the other's fresh one.
 */
export const STALE_MS = 60_000;
const GUARD_STALE_MS = 10_000;
/** A lock file with no holder in it: its maker writes its pid right after creating it, so one this old died in between. */
const EMPTY_STALE_MS = 5_000;
const GIVE_UP_MS = 2 * STALE_MS;

export type Locked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function withExclusiveLock<T>(lockPath: string, body: () => T): Locked<T> {
  const acquired = acquire(lockPath);
  if (!acquired.ok) return acquired;
  try {
    return { ok: true, value: body() };
  } finally {
    release(lockPath, acquired.value);
  }
}

/**
 * `withExclusiveLock` for a body that awaits (commands that take a second):
 * waiting for the lock lets the event loop turn.
 */
export async function withExclusiveLockAsync<T>(lockPath: string, body: () => Promise<T>): Promise<Locked<T>> {
  const started = Date.now();
  let acquired: Locked<number>;
  for (let attempt = 0; ; attempt++) {
    const step = tryLock(lockPath, started, attempt);
    if ('ok' in step) {
      acquired = step;
      break;
    }
    if (step.wait > 0) await new Promise((r) => setTimeout(r, step.wait));
  }
  if (!acquired.ok) return acquired;
  try {
    return { ok: true, value: await body() };
  } finally {
    release(lockPath, acquired.value);
  }
}

interface Holder {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly pid: number | undefined;
  readonly host: string | undefined;
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}

function acquire(lockPath: string): Locked<number> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const step = tryLock(lockPath, started, attempt);
    if ('ok' in step) return step;
    if (step.wait > 0) sleep(step.wait);
  }
}

/** One try at the lock: taken (its file's inode), failed, or how long to wait before the next try (0: at once). */
function tryLock(lockPath: string, started: number, attempt: number): Locked<number> | { readonly wait: number } {
  try {
    const fd = openSync(lockPath, 'wx');
    try {
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      return { ok: true, value: fstatSync(fd).ino };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (code(e) !== 'EEXIST') return { ok: false, message: `cannot create ${lockPath}: ${writeError(lockPath, e)}` };
  }
  const holder = inspect(lockPath);
  if (holder === undefined) return { wait: 0 };
  // Something no shark made is in its way (a dangling link, a directory, another user's file of mode 0600): waiting for
  // it to go spun at full speed for ever (it is never removed), so it is said at once.
  if (typeof holder === 'string') return { ok: false, message: `${lockPath} is in the way and cannot be read as a lock (${holder}): remove it if no shark is running` };
  if (isStale(holder)) {
    breakStale(lockPath);
    return { wait: 0 };
  }
  if (Date.now() - started > GIVE_UP_MS) {
    return { ok: false, message: `${lockPath} is held by process ${holder.pid ?? '?'} on ${holder.host ?? '?'}; remove it if no shark is running there` };
  }
  return { wait: Math.min(50, 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()) };
}

function release(lockPath: string, ino: number): void {
  try {
    // Only our own file: after a takeover (we hung past STALE_MS) the lock is someone else's.
    if (statSync(lockPath).ino === ino) unlinkSync(lockPath);
  } catch {
    // Already gone.
  }
}

function isStale(h: Holder): boolean {
  const age = Date.now() - h.mtimeMs;
  if (age > STALE_MS || (h.pid === undefined && h.host === undefined && age > EMPTY_STALE_MS)) return true;
  return h.host === hostname() && h.pid !== undefined && !pidAlive(h.pid);
}

function breakStale(lockPath: string): void {
  const guard = `${lockPath}.break`;
  try {
    closeSync(openSync(guard, 'wx'));
  } catch (e) {
    // Another waiter is breaking it; a guard left by a process killed mid-break expires quickly.
    if (code(e) === 'EEXIST') {
      try {
        if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) unlinkSync(guard);
      } catch {
        // Gone meanwhile.
      }
    }
    sleep(5);
    return;
  }
  try {
    const now = inspect(lockPath);
    if (now !== undefined && typeof now !== 'string' && isStale(now)) unlinkSync(lockPath);
  } catch {
    // Removed by its holder meanwhile.
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // Nothing to clean up.
    }
  }
}

/** The current lock file's holder, undefined when there is none, or why what is there cannot be read as one. */
function inspect(lockPath: string): Holder | string | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'r');
  } catch (e) {
    // Gone meanwhile (its holder let go), or there and not readable: a link that leads nowhere, another's file.
    const there = lstatSync(lockPath, { throwIfNoEntry: false });
    if (there === undefined) return undefined;
    if (there.isSymbolicLink()) return 'a symbolic link';
    // Gone as it was opened, and another waiter's made since (8 processes at once): not in the way, taken in turn.
    return code(e) === 'ENOENT' ? undefined : readProblem(e);
  }
  try {
    if (fstatSync(fd).isDirectory()) return 'a directory';
    const st = fstatSync(fd);
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    // Empty while its creator is between open and write: only its age can make it stale (EMPTY_STALE_MS).
    const [pidText, host] = buf.subarray(0, n).toString('utf8').trim().split(/\s+/);
    const pid = /^[1-9][0-9]*$/.test(pidText ?? '') ? Number(pidText) : undefined;
    return { ino: st.ino, mtimeMs: st.mtimeMs, pid, host: host === '' ? undefined : host };
  } finally {
    closeSync(fd);
  }
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}
