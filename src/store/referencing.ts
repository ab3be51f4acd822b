import { isKeyRecord, isOutputs } from './stored-shapes.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { parseStored } from './damaged-database.js';

/**
 * The keys of results whose outputs contain any of `ids` (inside
 * directories too): what must be recomputed. With `readers`, also those
 * whose job read one of `readers.ids` (its key's inputs hold it) and started
 * after `readers.since` (ms; always, without it): the bytes of a damaged
 * object keep its id, so a job that read them made its result under the
 * key of the sound ones. One that started before the last check that found
 * every object sound read sound bytes, since damage is not undone.
 */
export function resultsReferencing(
  meta: Metadata,
  entries: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  ids: ReadonlySet<SnapshotId>,
  readers?: { readonly ids: ReadonlySet<SnapshotId>; readonly since: number | undefined },
): string[] {
  const holds = (wanted: ReadonlySet<SnapshotId>): ((id: SnapshotId) => boolean) => {
    const memo = new Map<SnapshotId, boolean>();
    const touches = (id: SnapshotId): boolean => {
      if (wanted.has(id)) return true;
      if (!id.startsWith('tree:')) return false;
      const known = memo.get(id);
      if (known !== undefined) return known;
      const found = (entries(id) ?? []).some((e) => touches(e.id));
      memo.set(id, found);
      return found;
    };
    return touches;
  };
  const made = holds(ids);
  const read = readers === undefined || readers.ids.size === 0 ? undefined : holds(readers.ids);
  const since = readers?.since ?? -Infinity;
  return meta.allResults()
    .filter((r) => Object.values(parseStored<Record<string, SnapshotId>>(r.outputs, "a result's outputs", isOutputs)).some(made)
      || (read !== undefined && r.started >= since && parseStored<{ inputs: [string, SnapshotId][] }>(r.record, 'a result', isKeyRecord).inputs.some(([, id]) => read(id))))
    .map((r) => r.key);
}
