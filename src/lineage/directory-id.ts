import { isTreeEntries } from '../store/stored-shapes.js';
import { isUnder } from '../pipeline/data-path.js';
import { descend, overlay, type Part } from '../plan/trees.js';
import { sortEntries, treeId } from '../store/content-id.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { parseStored } from '../store/damaged-database.js';
import { treeEntriesOf } from '../store/tree-text.js';

/**
 * The tree id of directory `path` as several jobs wrote it together (a
 * map's items, two sweep instances' files): their outputs at or under it,
 * overlaid as the run composed them, so the id is the one `why` and a
 * reader of the directory give it. Computed, never stored: a query opens the
 * store to read. Undefined when the outputs clash (a run refuses that).
 */
export function directoryId(meta: Metadata, dir: string, outputs: readonly Readonly<Record<string, string>>[]): SnapshotId | undefined {
  const path = dir.replace(/\/$/, '');
  const made = new Map<SnapshotId, readonly TreeEntry[]>();
  const entriesOf = (id: SnapshotId): readonly TreeEntry[] | undefined => made.get(id) ?? recordedEntries(meta, id);
  const compose = (entries: readonly TreeEntry[]): SnapshotId => {
    const sorted = sortEntries(entries);
    const id = treeId(sorted);
    made.set(id, sorted);
    return id;
  };
  const parts: Part[] = [];
  outputs.forEach((out, n) => {
    const by = `job ${n + 1}`;
    for (const [written, id] of Object.entries(out)) {
      const p = written.replace(/\/$/, '');
      if (p === path) for (const e of entriesOf(id) ?? []) parts.push({ rel: e.name, id: e.id, by });
      else if (isUnder(p, path)) parts.push({ rel: p.slice(path.length + 1), id, by });
    }
  });
  const composed = overlay(path, undefined, parts, entriesOf, compose);
  return composed.ok ? composed.id : undefined;
}

/**
 * The id of `path` as jobs' outputs hold it: an output's own, an entry of a
 * directory one of them wrote whole above it, else the directory their
 * outputs at or below it compose (`directoryId`). Undefined when they do not
 * hold it. What a lineage compares with the id a cached result read, to
 * know whether those jobs wrote the bytes it read.
 */
export function idWithin(meta: Metadata, path: string, outputs: readonly Readonly<Record<string, string>>[]): SnapshotId | undefined {
  const p = path.replace(/\/$/, '');
  for (const out of outputs) {
    for (const [written, id] of Object.entries(out)) {
      const w = written.replace(/\/$/, '');
      if (w === p && !id.startsWith('tree:')) return id;
      if (isUnder(p, w)) return descend(id, p.slice(w.length + 1), (tree) => recordedEntries(meta, tree));
    }
  }
  return directoryId(meta, p, outputs);
}

/**
 * Whether the directory `id` read at `path` holds what `outputs` wrote below
 * it (true when they wrote nothing there): its reader saw that writer's bytes.
 * Not so for a fan-in under `-e`, which does not see the instances another
 * step pulled in, though they wrote beside what it read (`Pipeline.hidden`).
 */
export function holdsWrites(meta: Metadata, path: string, id: SnapshotId, outputs: Readonly<Record<string, string>>): boolean {
  let below = false;
  for (const [written, made] of Object.entries(outputs)) {
    const w = written.replace(/\/$/, '');
    if (!isUnder(w, path)) continue;
    below = true;
    if (descend(id, w.slice(path.length + 1), (tree) => recordedEntries(meta, tree)) === made) return true;
  }
  return !below;
}

/**
 * Whether `outputs` hold a directory above `path`, written whole, whose tree
 * has no such entry: the job wrote the directory, not `path`. A tree with
 * no record (gc forgot it before its entries were kept) says nothing either
 * way (false): the job stays the producer it was taken for.
 */
export function lacksEntry(meta: Metadata, path: string, outputs: Readonly<Record<string, string>>): boolean {
  for (const [written, id] of Object.entries(outputs)) {
    const w = written.replace(/\/$/, '');
    if (!isUnder(path, w)) continue;
    let unknown = false;
    const entriesOf = (tree: SnapshotId): readonly TreeEntry[] | undefined => {
      const entries = recordedEntries(meta, tree);
      unknown ||= entries === undefined && tree.startsWith('tree:');
      return entries;
    };
    return descend(id, path.slice(w.length + 1), entriesOf) === undefined && !unknown;
  }
  return false;
}

/**
 * A directory's entries as recorded when it was stored, also after gc freed
 * it (`freed_trees`): what a run's data held, which the lineage and exports
 * of older runs describe, not what the store holds now.
 */
export function recordedEntries(meta: Metadata, id: SnapshotId): readonly TreeEntry[] | undefined {
  if (!id.startsWith('tree:')) return undefined;
  const cache = parsedTrees.get(meta) ?? new ParsedTrees();
  parsedTrees.set(meta, cache);
  const known = cache.get(id);
  if (known !== undefined) return known;
  const text = meta.trees.recorded(id);
  if (text === undefined) return undefined;
  // Read as Shark writes it when it is (`treeEntriesOf`: a million entries in half the time), else judged as JSON.
  const entries = treeEntriesOf(text) ?? parseStored<TreeEntry[]>(text, 'a tree', isTreeEntries);
  cache.set(id, entries);
  return entries;
}

/** How many entries the trees kept parsed for one store hold at most (a few tens of MB), bar the last one read. */
const KEPT_ENTRIES = 500_000;

/**
 * Trees already read and parsed, the most recently used last: a query asks
 * of the same directory once per place its bytes are at (an empty file in a
 * directory of thousands), which read it again each time. A tree's id is its
 * content, so a kept one never goes stale; one not recorded is not kept (a
 * run may record it later).
 */
class ParsedTrees {
  private readonly trees = new Map<SnapshotId, readonly TreeEntry[]>();
  private entries = 0;

  get(id: SnapshotId): readonly TreeEntry[] | undefined {
    const tree = this.trees.get(id);
    if (tree === undefined) return undefined;
    this.trees.delete(id);
    this.trees.set(id, tree);
    return tree;
  }

  set(id: SnapshotId, tree: readonly TreeEntry[]): void {
    this.trees.set(id, tree);
    this.entries += tree.length;
    for (const [old, kept] of this.trees) {
      if (this.entries <= KEPT_ENTRIES || old === id) break;
      this.trees.delete(old);
      this.entries -= kept.length;
    }
  }
}

const parsedTrees = new WeakMap<Metadata, ParsedTrees>();
