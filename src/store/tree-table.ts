import { isTreeEntries } from './stored-shapes.js';
import { sortEntries, treeId } from './content-id.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { damage, parseStored } from './damaged-database.js';
import { treeEntriesOf } from './tree-text.js';

/**
 * Directory snapshots made of other snapshots (`tree:HEX`), kept in the
 * metadata database and cached in memory: shared by both stores, since a
 * tree's identity depends only on its entries.
 */
export class TreeTable {
  private readonly cache = new Map<SnapshotId, readonly TreeEntry[]>();

  constructor(private readonly meta: Metadata) {}

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    if (!id.startsWith('tree:')) return undefined;
    let entries = this.cache.get(id);
    if (entries === undefined) {
      const text = this.meta.trees.get(id);
      if (text === undefined) return undefined;
      entries = treeEntriesOf(text) ?? parsedEntries(text, id);
      this.cache.set(id, entries);
    }
    return entries;
  }

  compose(entries: readonly TreeEntry[]): SnapshotId {
    const sorted = sortEntries(entries);
    const id = treeId(sorted);
    if (!this.cache.has(id)) {
      this.meta.trees.put(id, () => JSON.stringify(sorted));
      this.cache.set(id, sorted);
    }
    return id;
  }

  /** The trees not in `live`: what gc forgets. */
  unreachable(live: ReadonlySet<SnapshotId>): SnapshotId[] {
    return this.meta.trees.ids().filter((id) => !live.has(id));
  }

  /** Forgets these trees (gc, with no run going on). */
  forget(gone: readonly SnapshotId[]): void {
    this.meta.trees.drop(gone);
    for (const id of gone) this.cache.delete(id);
  }

  /** What tree `id`'s recorded entries hash to, when that is not `id` (a record edited or damaged since); undefined when sound or not recorded. */
  misrecorded(id: SnapshotId): SnapshotId | undefined {
    const entries = this.entries(id);
    const recorded = entries === undefined ? id : treeId(sortEntries(entries));
    return recorded === id ? undefined : recorded;
  }

  /** Deletes trees recorded wrong (their entries do not hash to their ids): the next run records them anew. */
  discard(bad: readonly SnapshotId[]): void {
    this.meta.trees.discard(bad);
    for (const id of bad) this.cache.delete(id);
  }

  clear(): void {
    this.cache.clear();
  }
}

/** A tree's text that is not as Shark writes it (`treeEntriesOf`), parsed as JSON: damage unless it holds a directory's entries. */
function parsedEntries(text: string, id: SnapshotId): TreeEntry[] {
  const entries = parseStored<TreeEntry[]>(text, `the entries of ${id}`, isTreeEntries);
  // Valid JSON of another shape (a key's letter changed) is damage too, not a name or an id of `undefined`.
  if (!Array.isArray(entries) || !entries.every((e) => typeof e?.name === 'string' && typeof e?.id === 'string')) {
    throw damage(`the entries of ${id} recorded in it are not a directory's`);
  }
  return entries;
}
