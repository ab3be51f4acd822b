import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CasObjects } from './cas-objects.js';
import { pidAlive } from './liveness.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import type { TreeTable } from './tree-table.js';

interface CasParts {
  readonly objects: CasObjects;
  readonly trees: TreeTable;
  readonly tmp: string;
  readonly entries: (id: SnapshotId) => readonly TreeEntry[] | undefined;
}

/**
 * gc of the content-addressed store: every object not reachable from `keep`
 * (following directory entries), the tree records of what is freed, and the
 * workspaces and staging left by killed runs. A dry run only counts.
 */
export function collectCas(store: CasParts, keep: ReadonlySet<SnapshotId>, dryRun: boolean): { count: number; bytes: number } {
  if (!dryRun) {
    for (const name of readdirSync(store.tmp)) {
      const pid = Number(/^(?:ws|in|trash)-(\d+)-/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) rmSync(join(store.tmp, name), { recursive: true, force: true });
    }
  }
  const live = new Set<string>();
  const mark = (id: SnapshotId): void => {
    if (live.has(id)) return;
    live.add(id);
    for (const e of store.entries(id) ?? []) mark(e.id);
  };
  for (const id of keep) mark(id);
  let count = 0;
  let bytes = 0;
  for (const { id, path } of [...store.objects.all()]) {
    if (live.has(id)) continue;
    count++;
    bytes += statSync(path).size;
    if (!dryRun) store.objects.remove(id);
  }
  // A tree left behind would make a result look whole after its files are gone.
  if (!dryRun) store.trees.prune(live);
  return { count, bytes };
}
