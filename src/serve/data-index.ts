import { isUnder } from '../pipeline/data-path.js';
import { fromResultRow } from '../lineage/record.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, SnapshotStore } from '../store/snapshot-store.js';

export interface Produced {
  readonly id: SnapshotId;
  readonly run: number;
  readonly job: string;
  readonly block: string;
}

/** What a `/data` path is, for the result page; undefined is a 404. */
export type Resolved =
  | { readonly kind: 'data'; readonly path: string; readonly id: SnapshotId; readonly producer?: Produced; readonly writers?: readonly Produced[] }
  /** A directory several jobs wrote into (a map's outputs): its entries are their outputs. */
  | { readonly kind: 'dir'; readonly path: string; readonly entries: readonly { name: string; id?: SnapshotId }[] };

/**
 * The document's results: every output and input of the jobs its runs
 * recorded, newest run first. The server serves no byte outside `reachable`,
 * so a request can name only what these results refer to.
 */
export class DataIndex {
  readonly produced = new Map<string, Produced>();
  readonly inputs = new Map<string, SnapshotId>();
  readonly reachable = new Set<SnapshotId>();

  constructor(meta: Metadata, private readonly store: SnapshotStore, pipelinePath: string) {
    for (const run of meta.runs(pipelinePath)) {
      for (const row of meta.runJobs(run.id)) {
        if (row.status !== 'ok' && row.status !== 'cached') continue;
        const result = meta.result(row.key);
        if (result === undefined) continue;
        const r = fromResultRow(result);
        for (const [path, id] of Object.entries(r.outputs)) {
          if (!this.produced.has(path)) this.produced.set(path, { id, run: run.id, job: row.job, block: row.block });
          this.reach(id);
        }
        for (const [path, id] of r.record.inputs ?? []) {
          if (!this.inputs.has(path)) this.inputs.set(path, id);
          this.reach(id);
        }
      }
    }
  }

  private reach(id: SnapshotId): void {
    if (this.reachable.has(id)) return;
    this.reachable.add(id);
    for (const e of this.store.entries(id) ?? []) this.reach(e.id);
  }

  /** A normalised `/data` path (no `..`): a result, something inside one, or a directory of results. */
  resolve(path: string): Resolved | undefined {
    const exact = this.produced.get(path);
    if (exact !== undefined) return { kind: 'data', path, id: exact.id, producer: exact };
    for (const [out, p] of this.produced) {
      if (!isUnder(path, out)) continue;
      const inside = this.walk(p.id, path.slice(out.length + 1).split('/'));
      if (inside !== undefined) return { kind: 'data', path, id: inside, producer: p };
    }
    const input = this.inputs.get(path);
    // A directory many jobs wrote into, as a later job read it whole.
    const writers = [...this.produced.entries()].filter(([out]) => isUnder(out, path)).map(([, p]) => p);
    if (input !== undefined) return { kind: 'data', path, id: input, ...(writers.length > 0 ? { writers } : {}) };
    const entries = new Map<string, SnapshotId | undefined>();
    for (const [out, p] of this.produced) {
      if (!isUnder(out, path)) continue;
      const rest = out.slice(path.length + 1);
      const name = rest.split('/')[0]!;
      entries.set(name, rest.includes('/') ? undefined : p.id);
    }
    if (entries.size === 0) return undefined;
    return { kind: 'dir', path, entries: [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, id]) => (id === undefined ? { name } : { name, id })) };
  }

  private walk(id: SnapshotId, names: readonly string[]): SnapshotId | undefined {
    let at: SnapshotId | undefined = id;
    for (const name of names) {
      at = this.store.entries(at)?.find((e) => e.name === name)?.id;
      if (at === undefined) return undefined;
    }
    return at;
  }
}
