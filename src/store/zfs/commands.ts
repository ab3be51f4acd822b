import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { withExclusiveLockAsync } from '../../file-mutex.js';
import { HELPER, helperFailure, runHelper } from '../../helper-processes.js';
import { classify, ZfsError, type ZfsResult } from './failure.js';
import { ownStart } from '../liveness.js';

/**
 * The `zfs`, `zpool`, `mount` and `umount` commands: the only place Shark
 * runs them, each out of a terminal's Ctrl-C (helper-processes.ts). Failures
 * are classified (failure.ts); "busy" is retried.
 */

const SBIN = ['/sbin', '/usr/sbin', '/usr/local/sbin'];

export function findBinary(name: string): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN]) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// zfs-fuse answers "dataset is busy" for a while after a mount, a write or a
// destroy; it clears within half a second. Give it 10 s before giving up.
const BUSY_DELAYS = [25, 50, 100, 100, 200, 200, ...Array<number>(46).fill(200)];

type Tool = 'zfs' | 'zpool' | 'mount' | 'umount';

const ANSWER_MS = 120_000;

/** Runs the ZFS and mount commands, retrying while zfs-fuse says "busy", and classifies failures. */
export class Commands {
  private readonly env = { ...process.env, LC_ALL: 'C' };
  /** The end of the queue of this process's commands: one at a time (`exclusive`). */
  private tail: Promise<unknown> = Promise.resolve();
  /** The lock file that makes the turns of all processes using the store one at a time (`coordinate`). */
  private lockPath: string | undefined;

  constructor(private readonly bins: Readonly<Record<Tool, string>>) {}

  /**
   * Runs `f` when this process's earlier commands have ended, and the next
   * after it, holding the store's lock when there is one (`coordinate`):
   * zfs-fuse deadlocked (every access to the pool hung, for good) when two
   * jobs' `zfs create` and the first write into the new mounts ran at once.
   * A job's commands between them (`createWorkspace`) use `runNow`.
   */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const g = (): Promise<T> => this.holdingLock(f);
    const turn = this.tail.then(g, g);
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Makes the turns of `exclusive` one at a time across processes too, with
   * the lock file `lockPath` (layout.ts `commandsLock`): three runs started
   * together on a fresh store deadlocked zfs-fuse in CI. Where it cannot be
   * made, the turns are this process's own only.
   */
  coordinate(lockPath: string): void {
    try {
      accessSync(dirname(lockPath), constants.W_OK);
      this.lockPath = lockPath;
    } catch {
      this.lockPath = undefined;
    }
  }

  private async holdingLock<T>(f: () => Promise<T>): Promise<T> {
    if (this.lockPath === undefined) return f();
    const done = await withExclusiveLockAsync(this.lockPath, f);
    if (!done.ok) throw new ZfsError({ reason: 'failed', command: 'lock', detail: done.message });
    return done.value;
  }

  run(tool: Tool, args: readonly string[], about: string): Promise<string> {
    return this.exclusive(() => this.runNow(tool, args, about));
  }

  /** The commands found in PATH (and the sbin directories), or why not. */
  static find(): ZfsResult<Commands> {
    const zfs = findBinary('zfs');
    const zpool = findBinary('zpool');
    if (zfs === undefined || zpool === undefined) return { ok: false, error: { reason: 'no-zfs' } };
    return { ok: true, value: new Commands({ zfs, zpool, mount: findBinary('mount') ?? 'mount', umount: findBinary('umount') ?? 'umount' }) };
  }

  /** `run` without waiting for the queue: only inside `exclusive`. */
  async runNow(tool: Tool, args: readonly string[], about: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      // A wedged zfs-fuse leaves commands in uninterruptible sleep: stop waiting, say so.
      let timer: NodeJS.Timeout | undefined;
      const unanswered = new Promise<{ stdout: string; stderr: string; failed: boolean }>((done) => {
        timer = setTimeout(() => done({ stdout: '', stderr: `no answer after ${ANSWER_MS / 1000} s`, failed: true }), ANSWER_MS);
      });
      const answered = runHelper(this.bins[tool], args, { env: this.env }).then((h) => {
        clearTimeout(timer);
        return { stdout: h.stdout, stderr: h.stderr || helperFailure(this.bins[tool], h), failed: h.code !== 0 };
      });
      const r = await Promise.race([answered, unanswered]);
      if (!r.failed) return r.stdout;
      const delay = BUSY_DELAYS[attempt];
      if (/busy/i.test(r.stderr) && delay !== undefined) {
        await sleep(delay);
        continue;
      }
      throw new ZfsError(classify(`${tool} ${args.join(' ')}`, r.stderr, about));
    }
  }

  runSync(tool: Tool, args: readonly string[], about: string): ZfsResult<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const options = { ...HELPER, env: this.env, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], timeout: ANSWER_MS };
        return { ok: true, value: execFileSync(this.bins[tool], args, options) };
      } catch (e) {
        const stderr = String((e as { stderr?: unknown }).stderr ?? '') || (e as Error).message;
        const delay = BUSY_DELAYS[attempt];
        if (/busy/i.test(stderr) && delay !== undefined) {
          sleepSync(delay);
          continue;
        }
        return { ok: false, error: classify(`${tool} ${args.join(' ')}`, stderr, about) };
      }
    }
  }

  /**
   * `zfs get -Hp` of `props` on `names`, as name → property → value; for a
   * snapshot's GUID (`zfs list -o guid` rounds in zfs-fuse).
   */
  getSync(props: string, names: readonly string[], recursive = false): ZfsResult<Map<string, Map<string, string>>> {
    const about = names[0] ?? '';
    const got = this.runSync('zfs', ['get', '-Hp', ...(recursive ? ['-r'] : []), '-o', 'name,property,value,source', props, ...names], about);
    return got.ok ? { ok: true, value: parseGet(got.value) } : got;
  }

  async get(props: string, names: readonly string[], recursive = false): Promise<Map<string, Map<string, string>>> {
    const about = names[0] ?? '';
    return parseGet(await this.run('zfs', ['get', '-Hp', ...(recursive ? ['-r'] : []), '-o', 'name,property,value,source', props, ...names], about));
  }
}

/**
 * `zfs get -Hp -o name,property,value,source` output as name → property →
 * value. A user property (`shark:pid`) a dataset only inherits is left out:
 * Shark sets its own on each dataset it makes, and one a user made inside
 * one of those is not Shark's (gc would take it for a dead run's).
 */
export function parseGet(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const line of text.split('\n')) {
    const [name, prop, value, source] = line.split('\t');
    if (name === undefined || prop === undefined || value === undefined) continue;
    if (prop.includes(':') && source?.startsWith('inherited') === true) continue;
    let props = out.get(name);
    if (props === undefined) out.set(name, (props = new Map()));
    props.set(prop, value);
  }
  return out;
}

/**
 * Marks a dataset as this process's, so that gc spares it while the process
 * lives: its pid, host and start time (`ownStart`: another process given the
 * pid later is not it).
 */
export function ownership(): string[] {
  const start = ownStart();
  return ['-o', `shark:pid=${process.pid}`, '-o', `shark:host=${hostname()}`, ...(start === null ? [] : ['-o', `shark:start=${start}`])];
}

