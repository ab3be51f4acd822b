import { isUnder, parentOf } from '../pipeline/data-path.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';

export type Lookup =
  | { readonly kind: 'known'; readonly id: SnapshotId }
  | { readonly kind: 'pending'; readonly step: string }
  | { readonly kind: 'missing'; readonly message: string };

/**
 * What is known of each /data path at one point of a plan or a run: its
 * snapshot id, or the step that will produce it. Subpaths are found by
 * walking directory snapshots, so reading `/data/dir/x.tif` depends only on
 * that file's id, not the whole directory's.
 */
export class DataState {
  private readonly known = new Map<string, SnapshotId>();
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
    private readonly composeTree: (entries: readonly TreeEntry[]) => SnapshotId,
  ) {}

  setKnown(path: string, id: SnapshotId): void {
    this.pending.delete(path);
    this.known.set(path, id);
  }

  setPending(path: string, step: string): void {
    this.known.delete(path);
    this.pending.set(path, step);
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    return this.entriesOf(id);
  }

  lookup(path: string): Lookup {
    const exact = this.known.get(path);
    if (exact !== undefined) return { kind: 'known', id: exact };
    const waiting = this.pending.get(path);
    if (waiting !== undefined) return { kind: 'pending', step: waiting };
    for (let dir = parentOf(path); dir.length > '/data'.length; dir = parentOf(dir)) {
      const step = this.pending.get(dir);
      if (step !== undefined) return { kind: 'pending', step };
      const id = this.known.get(dir);
      if (id !== undefined) return this.descend(id, dir, path);
    }
    // A directory nobody wrote whole, made of paths several steps wrote.
    const parts: [string, SnapshotId][] = [];
    for (const [p, step] of this.pending) if (isUnder(p, path)) return { kind: 'pending', step };
    for (const [p, id] of this.known) if (isUnder(p, path)) parts.push([p.slice(path.length + 1), id]);
    if (parts.length > 0) return { kind: 'known', id: this.nest(parts) };
    return { kind: 'missing', message: `nothing has written ${path}` };
  }

  private descend(id: SnapshotId, dir: string, path: string): Lookup {
    let current = id;
    let at = dir;
    for (const name of path.slice(dir.length + 1).split('/')) {
      const entry = this.entriesOf(current)?.find((e) => e.name === name);
      if (entry === undefined) return { kind: 'missing', message: `${path} does not exist in ${at}/` };
      current = entry.id;
      at = `${at}/${name}`;
    }
    return { kind: 'known', id: current };
  }

  /** Directory snapshots for relative paths → ids, nested as the paths say. */
  private nest(parts: [string, SnapshotId][]): SnapshotId {
    const groups = new Map<string, [string, SnapshotId][]>();
    const leaves: TreeEntry[] = [];
    for (const [rel, id] of parts) {
      const slash = rel.indexOf('/');
      if (slash < 0) leaves.push({ name: rel, id });
      else {
        const head = rel.slice(0, slash);
        groups.set(head, [...(groups.get(head) ?? []), [rel.slice(slash + 1), id]]);
      }
    }
    for (const [name, sub] of groups) leaves.push({ name, id: this.nest(sub) });
    return this.composeTree(leaves);
  }
}
