import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CasObjects } from './cas-objects.js';
import type { FreedRows } from './freed-rows.js';
import { pidAlive } from './liveness.js';
import { freedBytes, used } from './disk-usage.js';
import { removeTree } from './owner-access.js';
import type { Collected, SnapshotId, Stuck, TreeEntry, Unreadable } from './snapshot-store.js';
import { deniedPath, listable } from './unreadable.js';
import { readWords } from '../read-problem.js';
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
export async function collectCas(store: CasParts, keep: ReadonlySet<SnapshotId>, dryRun: boolean, spare?: ReadonlySet<string>, signal?: AbortSignal): Promise<Collected> {
  // A folder the user cannot read is stepped round, and said: nothing in it is counted or freed.
  const unreadable: Unreadable[] = [];
  const hidden = (path: string, why: string): void => void unreadable.push({ path, why });
  const left = leftoversIn(store.tmp, spare, hidden);
  const bytes = freedBytes(left);
  const stuck = dryRun ? [] : removeAll(left);
  const leftovers = stuck.length === 0
    ? { count: left.length, bytes }
    : { count: left.length - stuck.length, bytes: bytes - freedBytes(stuck.map((s) => s.path)), stuck };
  const live = new Set<string>();
  const mark = (id: SnapshotId): void => {
    if (live.has(id)) return;
    live.add(id);
    for (const e of store.entries(id) ?? []) mark(e.id);
  };
  for (const id of keep) mark(id);
  const doomed = [...store.objects.all(hidden)].filter((o) => !live.has(o.id));
  // Disk given back, as `du` counts it and as the workspaces are counted: 10,000 small objects were said to free 0.1 MB, not 43.
  // An object linked elsewhere too (a kept workspace's input) gives back nothing.
  const sizeOf = (o: (typeof doomed)[number]): number => {
    const st = statSync(o.path);
    return st.nlink > 1 ? 0 : used(st);
  };
  const found = { leftovers, ...(unreadable.length > 0 ? { unreadable } : {}) };
  if (dryRun) return { count: doomed.length, bytes: doomed.reduce((n, o) => n + sizeOf(o), 0), ...found };
  // Recorded first, so that fsck and export tell what older runs' results name from damage.
  const trees = store.trees.unreachable(live);
  store.freed.mark([...doomed.map((o) => o.id), ...trees], 'gc');
  const stopped = pacedSignal(signal);
  const removed = { count: 0, bytes: 0 };
  for (const o of doomed) {
    // Stopped here, what is left is what a gc killed here leaves: marked freed, reachable from nothing kept.
    if (await stopped()) break;
    removed.bytes += sizeOf(o);
    store.objects.remove(o.id);
    removed.count++;
  }
  // A tree left behind would make a result look whole after its files are gone; its entries stay apart (freed_trees), for lineage.
  store.trees.forget(trees);
  return { ...removed, ...found, ...(removed.count < doomed.length ? { interrupted: true } : {}) };
}

/**
 * Whether `signal` has stopped a loop that never waits: every 50 ms it lets
 * the event loop turn, as a signal's handler runs only then (removing a
 * million objects would otherwise hear Ctrl-C once they are all gone).
 */
function pacedSignal(signal: AbortSignal | undefined): () => Promise<boolean> {
  let turned = Date.now();
  return async () => {
    if (signal === undefined) return false;
    if (Date.now() - turned >= 50) {
      await new Promise((resolve) => setImmediate(resolve));
      turned = Date.now();
    }
    return signal.aborted;
  };
}

/**
 * Removes the workspaces, staging and trash in `tmp` of processes that are
 * gone (killed runs): their names hold their pids. Not those in `spare`
 * (host paths): a dead run's workspaces that its Slurm jobs still use.
 * What cannot be removed is left for `collectCas` to report.
 */
export function removeLeftovers(tmp: string, spare?: ReadonlySet<string>): void {
  removeAll(leftoversIn(tmp, spare));
}

function leftoversIn(tmp: string, spare: ReadonlySet<string> = new Set(), unreadable: (dir: string, why: string) => void = () => {}): string[] {
  // By name: the run may have named the store by another path (a symbolic link, a mount).
  const kept = new Set([...spare].map((p) => basename(p)));
  return listable(tmp, unreadable, true).filter((name) => {
    const pid = Number(/^(?:ws|in|trash)-(\d+)-/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid > 0 && !pidAlive(pid) && !kept.has(name);
  }).map((name) => join(tmp, name));
}

/** Removes each of `paths`, opening the modes a job left to their owner; returns those it could not remove (another user's files), and why. */
function removeAll(paths: readonly string[]): Stuck[] {
  const stuck: Stuck[] = [];
  for (const path of paths) {
    try {
      removeTree(path);
    } catch (e) {
      const at = deniedPath(e);
      if (at === undefined) throw e;
      stuck.push({ path, at, why: readWords(e)! });
    }
  }
  return stuck;
}
