import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashFileSync } from './hash.js';
import type { Metadata } from './metadata.js';
import type { FileStat } from './stat-cache.js';
import type { Owner, StagedFile } from './object-write.js';
import { readError, type FailedRead } from './unreadable.js';
import { workerFile } from './worker-file.js';

/** A host file and its `lstat` (bigint, for the nanosecond times the stat cache compares). */
export interface HostFile {
  readonly path: string;
  readonly st: HostStat;
}

/** What is kept of a host file's `lstat` (a BigIntStats is one): the stat cache's fields and the mode. */
export interface HostStat extends FileStat {
  readonly mode: bigint;
}

/** Fewer misses than this are hashed on this thread: starting a worker costs more. */
export const POOL_MIN = 256;
/** Paths per message to a worker: one message per file would cost more than hashing a small one. */
const BATCH = 128;

/**
 * The SHA-256 of many host files through the stat cache: their rows read
 * as one range (one directory's files in name order), the files whose size, mtime, ctime or
 * inode changed hashed (on worker threads when there are many, so a first
 * plan of a million files uses every core) and recorded in one transaction.
 * Same answers as `Metadata.hashFile` one at a time.
 */
export async function hashHostFiles(meta: Metadata, files: readonly HostFile[]): Promise<string[]> {
  return hashMissing(meta, files, meta.stats.hashesOf(files));
}

/** `hashHostFiles` once the stat cache was read (`cached`, filled in): the misses hashed and recorded. */
export async function hashMissing(meta: Metadata, files: readonly HostFile[], cached: (string | undefined)[]): Promise<string[]> {
  const misses: number[] = [];
  cached.forEach((hash, n) => void (hash === undefined && misses.push(n)));
  if (misses.length === 0) return cached as string[];
  const paths = misses.map((n) => files[n]!.path);
  const hexes = misses.length >= POOL_MIN && pool() !== undefined ? await pool()!.hash(paths) : paths.map(hashFileSync);
  meta.stats.putMany(misses.map((n, i) => [files[n]!.path, files[n]!.st, (cached[n] = hexes[i]!)] as const));
  return cached as string[];
}

/** Worker threads running `hash-worker.js`, kept for the process but never keeping it alive when idle. */
class HashPool {
  private readonly workers: Worker[];

  constructor(url: URL, size: number) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(url);
      w.unref();
      return w;
    });
  }

  hash(paths: readonly string[]): Promise<string[]> {
    return this.each<string, string>(paths, (batch) => ({ batch }), (path) => `cannot hash ${path}`);
  }

  /** Host files (inputs) copied to their staging names, read once and hashed, and put in place under `objects` where none is (`stageSmall`): what each became. */
  stage(copies: readonly { readonly from: string; readonly to: string }[], limit: number, owner: Owner | undefined, objects?: string): Promise<(StagedFile | { readonly big: true })[]> {
    return this.each(copies, (copy) => ({ copy, limit, owner, objects }), (c) => `cannot store ${c.from}`);
  }

  /**
   * Each item's answer, `BATCH` items a message dealt to the workers as each
   * answers. The first failure (`what` says of which item) is thrown once
   * every worker has answered the batch it held, so nothing is still being
   * done for this call when it ends.
   */
  private async each<I, R>(items: readonly I[], message: (slice: readonly I[]) => unknown, what: (item: I) => string): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    let failure: Error | undefined;
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve, reject) => {
      const feed = (): void => {
        if (next >= items.length) {
          w.off('error', reject).unref();
          resolve();
          return;
        }
        const start = next;
        next += BATCH;
        w.once('message', onReply.bind(null, start));
        w.postMessage(message(items.slice(start, start + BATCH)));
      };
      const onReply = (start: number, reply: readonly (R | FailedRead)[]): void => {
        for (let i = 0; i < reply.length; i++) {
          const r = reply[i]!;
          if (typeof r === 'object' && r !== null && 'error' in r) {
            // The others stop after the batch they hold.
            next = items.length;
            failure ??= readError(r, what(items[start + i]!));
            break;
          }
          out[start + i] = r as R;
        }
        feed();
      };
      w.ref();
      w.on('error', reject);
      feed();
    })));
    if (failure !== undefined) throw failure;
    return out;
  }
}

let shared: HashPool | null | undefined;

/** The process's pool, or none where workers cannot start (the compiled worker is absent under a TS loader). */
export function pool(): HashPool | undefined {
  if (shared === undefined) {
    const url = workerFile(new URL('./hash-worker.js', import.meta.url));
    shared = url !== undefined ? new HashPool(url, Math.max(1, availableParallelism())) : null;
  }
  return shared ?? undefined;
}
