import { heard } from '../abortable.js';
import { CasObjects } from './cas-objects.js';
import { SMALL_INPUT, type Staged } from './cas-copies.js';
import type { IngestTarget } from './cas-ingest.js';
import { hashFileSync } from './hash.js';
import { hashMissing, pool, POOL_MIN, type HostFile } from './hash-files.js';
import type { SnapshotId } from './snapshot-store.js';

/** Files of a walked batch the stat cache does not know that are hashed here first, to see whether the store has them. */
const SAMPLE = 4;

/** What a walked batch of a directory being stored came to: each file's id, and whether it is stored already. */
export interface BatchIds {
  readonly ids: SnapshotId[];
  /** 1 where the file was copied in as it was read (`idsOrCopies`); 0 for those to check, and copy when missing. */
  readonly stored: Uint8Array;
}

/**
 * The ids of a walked batch of a directory being stored. Files the stat
 * cache knows are not read. When many are new to it and the first few of
 * those, hashed here, are not in the store either (data it has not seen: a
 * first run's inputs), the small ones are copied in at once on the workers,
 * each read once and hashed as it is copied: hashing them first and copying
 * the missing ones after read each twice (a fresh store's run of 2,000
 * inputs started its first job ~26 ms sooner). The others are hashed, to
 * be checked and copied once the walk is done. A copy whose bytes are
 * stored meanwhile is dropped (`adopt`).
 */
export async function idsOrCopies(target: IngestTarget, files: readonly HostFile[], signal?: AbortSignal): Promise<BatchIds> {
  const cached = target.meta.stats.hashesOf(files);
  const stored = new Uint8Array(files.length);
  const ids = new Map<number, SnapshotId>();
  const fresh = files.flatMap((f, n) => (cached[n] === undefined && f.st.size <= SMALL_INPUT ? [n] : []));
  if (fresh.length >= POOL_MIN && pool() !== undefined && unseen(target, fresh.slice(0, SAMPLE).map((n) => files[n]!))) {
    await stagedInTurn(target, fresh.map((n) => files[n]!.path), slicing(fresh.length), signal, (taken) => {
      const rows = taken.flatMap(([j, made]) => {
        if (made === undefined) return []; // Grown past SMALL_INPUT since the walk: hashed with the others.
        const n = fresh[j]!;
        ids.set(n, target.adopt(made));
        stored[n] = 1;
        return [[files[n]!.path, files[n]!.st, (cached[n] = made.file.hex)] as const];
      });
      target.meta.stats.putMany(rows);
    });
  }
  // What was not copied in (all, unless copied): hashed, those the stat cache knows not read.
  const hexes = await hashMissing(target.meta, files, cached);
  return { ids: files.map((f, n) => ids.get(n) ?? fileId(f, hexes[n]!)), stored };
}

/** Whether none of these files' bytes is stored (each hashed here); false when one cannot be read: the usual path says why. */
function unseen(target: IngestTarget, sample: readonly HostFile[]): boolean {
  try {
    return sample.every((f) => target.objects.check(fileId(f, hashFileSync(f.path))) !== 'ok');
  } catch {
    return false;
  }
}

/** Files staged a slice at a time: at most COPY_BATCH, and a quarter of them, so that adopting one slice overlaps staging the next. */
const COPY_BATCH = 4096;
export function slicing(count: number): number {
  return Math.min(COPY_BATCH, Math.max(POOL_MIN, Math.ceil(count / 4)));
}

/**
 * Stages `paths` into the store's staging area on the workers (`stageMany`),
 * `slice` at a time, each slice handed to `take` in one transaction (with
 * its indexes in `paths`; undefined for one to copy otherwise) while the next
 * is staged. Stopped by `signal` (its reason thrown) or by a failure, what
 * was staged and not taken is removed.
 */
export async function stagedInTurn(
  target: IngestTarget, paths: readonly string[], slice: number, signal: AbortSignal | undefined,
  take: (staged: readonly (readonly [number, Staged | undefined])[]) => void,
): Promise<void> {
  // A last slice too small for the workers (`stageMany`) is staged with the one before it.
  const end = (k: number): number => (paths.length - (k + slice) < POOL_MIN ? paths.length : k + slice);
  const stage = (k: number): Promise<(Staged | undefined)[]> => target.stageMany(paths.slice(k, end(k)));
  let next = paths.length > 0 ? stage(0) : undefined;
  let staged: (Staged | undefined)[] = [];
  try {
    for (let k = 0; next !== undefined; k = end(k)) {
      staged = await next;
      next = undefined;
      await heard(signal);
      next = end(k) < paths.length ? stage(end(k)) : undefined;
      // One transaction a slice, not one a file (~70 µs a file on a fresh store).
      target.meta.batch(() => take(staged.map((made, j) => [k + j, made] as const)));
    }
  } catch (e) {
    // Those adopted are no longer at their staging names; the rest are removed, with the slice staged ahead.
    target.unstage(staged);
    if (next !== undefined) target.unstage(await next.catch(() => []));
    throw e;
  }
}

/** A host file's object id: its hash, marked executable as the file is. */
export function fileId(file: HostFile, hex: string): SnapshotId {
  return CasObjects.idOf(hex, (file.st.mode & 0o111n) !== 0n);
}
