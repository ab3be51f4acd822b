import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/** The keys of results whose outputs contain any of `ids` (inside directories too): what must be recomputed. */
export function resultsReferencing(
  meta: Metadata,
  entries: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  ids: ReadonlySet<SnapshotId>,
): string[] {
  const memo = new Map<SnapshotId, boolean>();
  const touches = (id: SnapshotId): boolean => {
    if (ids.has(id)) return true;
    if (!id.startsWith('tree:')) return false;
    const known = memo.get(id);
    if (known !== undefined) return known;
    const found = (entries(id) ?? []).some((e) => touches(e.id));
    memo.set(id, found);
    return found;
  };
  return meta.allResults()
    .filter((r) => Object.values(JSON.parse(r.outputs) as Record<string, SnapshotId>).some(touches))
    .map((r) => r.key);
}
