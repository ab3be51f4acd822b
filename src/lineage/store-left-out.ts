import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { sortEntries, treeId } from '../store/content-id.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';

/**
 * A directory `why` walks without the stores in it: the store it asks (by
 * its real path) and any pipeline's `.shark/` holding a store database. Its
 * objects, database and logs are Shark's bookkeeping, not data anyone asks
 * about (`why .` beside a pipeline).
 */
export function withoutStores(store: string, dir: string, entries: readonly TreeEntry[]): readonly TreeEntry[] {
  const real = realOrNull(store);
  const isStore = (full: string, name: string): boolean =>
    (name === '.shark' && existsSync(join(full, 'shark.sqlite'))) || (real !== null && realOrNull(full) === real);
  // Only a directory can be a store (a link to one is kept as a link, not walked).
  const kept = entries.filter((e) => !e.id.startsWith('tree:') || !isStore(join(dir, e.name), e.name));
  return kept.length === entries.length ? entries : kept;
}

/** A directory's content id and entries without the stores in it: its id as the walk answers for it. */
export function treeWithoutStores(store: string, dir: string, hashed: { id: SnapshotId; entries?: readonly TreeEntry[] }): { id: SnapshotId; entries?: readonly TreeEntry[] } {
  if (hashed.entries === undefined) return hashed;
  const entries = withoutStores(store, dir, hashed.entries);
  return entries === hashed.entries ? hashed : { id: treeId(sortEntries(entries)), entries };
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
