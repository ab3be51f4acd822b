import { abortable } from '../abortable.js';
import type { UnsureObject } from './object-file.js';
import type { SnapshotId } from './snapshot-store.js';
import { statAhead } from './stat-ahead.js';
import { seenAt } from './stat-slice.js';

/**
 * Objects are stat'ed on the worker this many at a time, and only when there
 * are at least AHEAD_MIN: as many as make a walk start the worker
 * (`content-id.ts`). Fewer are stat'ed here sooner than a worker starts: a
 * fully cached plan of 10,000 items waited ~120 ms idle for it (median of 15
 * in turns: 873 → 812 ms).
 */
const STAT_SLICE = 4096;
const AHEAD_MIN = 4 * STAT_SLICE;

/**
 * The objects of `ids` (under `dir`, at `pathOf`) the stat workers could not
 * vouch for, `trust` called for each of the others; undefined when they are
 * too few for the workers (`CasObjects.checkMany` looks at them here).
 * Stopped by `signal` (its reason thrown).
 */
export async function unsureAhead(
  dir: string, ids: readonly SnapshotId[], pathOf: (id: SnapshotId) => string, trust: ((id: SnapshotId) => void) | undefined,
  signal?: AbortSignal,
): Promise<UnsureObject[] | undefined> {
  // Each slice's names made when it is asked for: a million paths were held at once.
  const slices = {
    length: Math.ceil(ids.length / STAT_SLICE),
    at: (k: number) => ids.slice(k * STAT_SLICE, (k + 1) * STAT_SLICE).map((id) => pathOf(id).slice(dir.length + 1)),
  };
  // Two workers: this thread only waits for them (and trusts what they saw).
  const ahead = ids.length >= AHEAD_MIN ? statAhead(dir, slices, 16, 2, true) : undefined;
  if (ahead === undefined) return undefined;
  const unsure: UnsureObject[] = [];
  try {
    for (let k = 0; k < slices.length; k++) {
      // Once `signal` is aborted its reason is thrown: the workers, released, no longer keep the process alive.
      const stats = await abortable(ahead.get(k), signal);
      for (let i = 0; i < Math.min(STAT_SLICE, ids.length - k * STAT_SLICE); i++) {
        const id = ids[k * STAT_SLICE + i]!;
        // Only a plain file can be the object; what the worker could not stat is looked at here.
        const seen = seenAt(stats, i);
        if (seen === 'ok') trust?.(id);
        else unsure.push({ id, seen });
      }
    }
  } finally {
    ahead.close();
  }
  return unsure;
}
