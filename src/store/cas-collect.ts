import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CasObjects } from './cas-objects.js';
import type { FreedRows } from './freed-rows.js';
import { pidAlive } from './liveness.js';
import { freedBytes } from './disk-usage.js';
import type { Collected, SnapshotId, TreeEntry } from './snapshot-store.js';
import type { TreeTable } from './tree-table.js';

interface CasParts {
  readonly objects: CasObjects;
  readonly trees: TreeTable;
  readonly tmp: string;
  readonly freed: FreedRows;
  readonly entries: (id: SnapshotId) => readonly TreeEntry[] | undefined;
}

/**
 * gc of the content-addressed store: every object not reachable from `keep`
 * (following directory entries), the tree records of what is freed, and the
 * workspaces and staging left by killed runs (counted apart); what it frees
 * is noted as freed by gc. A dry run only counts.
 */
export function collectCas(store: CasParts, keep: ReadonlySet<SnapshotId>, dryRun: boolean, spare?: ReadonlySet<string>): Collected {
  const left = leftoversIn(store.tmp, spare);
  const leftovers = { count: left.length, bytes: freedBytes(left) };
  if (!dryRun) removeAll(left);
  const live = new Set<string>();
  const mark = (id: SnapshotId): void => {
    if (live.has(id)) return;
    live.add(id);
    for (const e of store.entries(id) ?? []) mark(e.id);
  };
  for (const id of keep) mark(id);
  const doomed = [...store.objects.all()].filter((o) => !live.has(o.id));
  const bytes = doomed.reduce((n, o) => n + statSync(o.path).size, 0);
  if (!dryRun) {
    // Recorded first, so that fsck and export tell what older runs' results name from damage.
    const trees = store.trees.unreachable(live);
    store.freed.mark([...doomed.map((o) => o.id), ...trees], 'gc');
    for (const { id } of doomed) store.objects.remove(id);
    // A tree left behind would make a result look whole after its files are gone; its entries stay apart (freed_trees), for lineage.
    store.trees.forget(trees);
  }
  return { count: doomed.length, bytes, leftovers };
}

/**
 * Removes the workspaces, staging and trash in `tmp` of processes that are
 * gone (killed runs): their names hold their pids. Not those in `spare`
 * (host paths): a dead run's workspaces that its Slurm jobs still use.
 */
export function removeLeftovers(tmp: string, spare?: ReadonlySet<string>): void {
  removeAll(leftoversIn(tmp, spare));
}

function leftoversIn(tmp: string, spare: ReadonlySet<string> = new Set()): string[] {
  // By name: the run may have named the store by another path (a symbolic link, a mount).
  const kept = new Set([...spare].map((p) => basename(p)));
  return readdirSync(tmp).filter((name) => {
    const pid = Number(/^(?:ws|in|trash)-(\d+)-/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid > 0 && !pidAlive(pid) && !kept.has(name);
  }).map((name) => join(tmp, name));
}

function removeAll(paths: readonly string[]): void {
  for (const p of paths) rmSync(p, { recursive: true, force: true });
}
