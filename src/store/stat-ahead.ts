import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HostStat } from './hash-files.js';
import { workerFile } from './worker-file.js';

/** An entry's kind: `special` (a FIFO, a socket, a device) is never taken as a file, so the walk looks at it again itself. */
export const KIND = { unknown: 0, file: 1, dir: 2, link: 3, special: 4 } as const;

export interface StatRequest {
  readonly id: number;
  readonly dir: string;
  readonly names: readonly string[];
  /**
   * Store objects, not a walk's files: only the kind, size and `mtimeMs`
   * are wanted, and the inode only of a file that does not show its stored
   * time. No nanosecond times: a stat of numbers.
   */
  readonly objects?: true;
}

/** One slice's answer: per name its kind and, for files, the stat fields the stat cache compares. */
export interface StatSlice {
  readonly id: number;
  readonly kind: Uint8Array;
  readonly size: BigInt64Array;
  readonly mtime: BigInt64Array;
  readonly ctime: BigInt64Array;
  readonly ino: BigInt64Array;
  readonly mode: BigInt64Array;
  /** The modification time in milliseconds, as `Stats.mtimeMs` gives it (objects only). */
  readonly mtimeMs: Float64Array;
}

/** The names of a directory in slices: an array of them, or made when each is asked for (`at`). */
export interface Slices {
  readonly length: number;
  at(n: number): readonly string[] | undefined;
}

/** Slices asked for before the walk reaches them: enough to keep the worker busy, few enough to bound memory. */
export const AHEAD = 8;

/**
 * The stats of a large directory's entries, slice by slice, `lstat`ed on a
 * worker thread a few slices ahead of the walk that consumes them: on two
 * cores a warm plan of a million files no longer waits on the kernel for
 * each. Undefined where the worker cannot start (the compiled worker is
 * absent under a TypeScript loader): the walk then stats the names itself.
 * `ahead`: how many slices may be asked for beyond the one awaited.
 * `threads`: workers the slices are dealt to in turn (1 beside a walk that
 * works on each slice; more where the caller only waits, as object checks).
 * `objects`: the names are store objects (`StatRequest.objects`).
 */
export function statAhead(dir: string, slices: Slices, ahead = AHEAD, threads = 1, objects = false): StatsAhead | undefined {
  const ws = workers(threads);
  if (ws.length === 0) return undefined;
  const pending = new Map<number, { resolve: (s: StatSlice) => void; reject: (e: Error) => void }>();
  const answers = new Map<number, Promise<StatSlice>>();
  const base = nextId;
  nextId += slices.length;
  const onMessage = (s: StatSlice): void => {
    pending.get(s.id)?.resolve(s);
    pending.delete(s.id);
  };
  const onError = (e: Error): void => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const ask = (n: number): void => {
    if (n >= slices.length || answers.has(n)) return;
    answers.set(n, new Promise<StatSlice>((resolve, reject) => pending.set(base + n, { resolve, reject })));
    ws[n % ws.length]!.worker.postMessage({ id: base + n, dir, names: slices.at(n)!, ...(objects ? { objects: true as const } : {}) } satisfies StatRequest);
  };
  // Walks nest (a large subdirectory inside one): a worker keeps the process alive while any of its walks is open.
  for (const w of ws) w.hold();
  for (const w of ws) w.worker.on('message', onMessage).on('error', onError);
  let closed = false;
  return {
    get: async (n) => {
      for (let k = n; k < n + ahead; k++) ask(k);
      const answer = answers.get(n)!;
      answers.delete(n);
      return answer;
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const w of ws) {
        w.worker.off('message', onMessage).off('error', onError);
        w.release();
      }
    },
  };
}

export interface StatsAhead {
  /** Slice `n`'s stats (slices are asked for in order). */
  get(n: number): Promise<StatSlice>;
  /** Done with this directory (also when the walk stopped early). */
  close(): void;
}

/** A file's stat from a slice: what hashing through the stat cache and the executable bit need. */
export function statAt(s: StatSlice, i: number): HostStat {
  return { size: s.size[i]!, mtimeNs: s.mtime[i]!, ctimeNs: s.ctime[i]!, ino: s.ino[i]!, mode: s.mode[i]! };
}

let nextId = 0;

/** A shared stat worker, referenced while any walk uses it. */
interface Pooled {
  readonly worker: Worker;
  hold(): void;
  release(): void;
}

let pool: Pooled[] | undefined;

/** Up to `n` shared workers (started on first need, never more than the cores); none where none can start. */
function workers(n: number): readonly Pooled[] {
  const url = workerFile(new URL('./stat-worker.js', import.meta.url));
  if (url === undefined) return [];
  pool ??= [];
  const want = Math.max(1, Math.min(n, availableParallelism()));
  while (pool.length < want) pool.push(pooled(new Worker(url)));
  return pool.slice(0, want);
}

function pooled(worker: Worker): Pooled {
  worker.unref();
  let open = 0;
  return {
    worker,
    hold: () => {
      if (open++ === 0) worker.ref();
    },
    release: () => {
      if (--open === 0) worker.unref();
    },
  };
}
