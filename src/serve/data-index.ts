import { isUnder } from '../pipeline/data-path.js';
import { descend } from '../plan/trees.js';
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
  /**
   * A directory several jobs wrote into (a map's outputs), or whose files
   * jobs read one by one (a map's items): its entries are those files.
   */
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
    // A result is the same in every run that made or reused it: the newest run's row names its job, so each is read once.
    const seen = new Set<string>();
    for (const run of meta.runs(pipelinePath)) {
      // Not `runJobs`: the logs it finds for cached jobs are not needed here.
      const rows = (meta.bulk.statement("SELECT job, block, key FROM run_rows WHERE run_id = ? AND status IN ('ok', 'cached') ORDER BY seq").all(run.id) as { job: string; block: string; key: string }[])
        .filter((row) => !seen.has(row.key));
      for (const row of rows) seen.add(row.key);
      const results = resultsOf(meta, rows.map((r) => r.key));
      for (const row of rows) {
        const result = results.get(row.key);
        if (result === undefined) continue;
        for (const [path, id] of Object.entries(result.outputs)) {
          if (!this.produced.has(path)) this.produced.set(path, { id, run: run.id, job: row.job, block: row.block });
          this.reach(id);
        }
        for (const [path, id] of result.inputs) {
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
    const add = (file: string, id: SnapshotId): void => {
      if (!isUnder(file, path)) return;
      const rest = file.slice(path.length + 1);
      const name = rest.split('/')[0]!;
      entries.set(name, rest.includes('/') ? undefined : id);
    };
    for (const [out, p] of this.produced) add(out, p.id);
    for (const [file, id] of this.inputs) add(file, id);
    if (entries.size === 0) return undefined;
    return { kind: 'dir', path, entries: [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, id]) => (id === undefined ? { name } : { name, id })) };
  }

  private walk(id: SnapshotId, names: readonly string[]): SnapshotId | undefined {
    return descend(id, names.join('/'), (t) => this.store.entries(t));
  }
}

/** The outputs and inputs of many results, in a few statements (not the whole records). */
function resultsOf(meta: Metadata, keys: readonly string[]): Map<string, { outputs: Record<string, SnapshotId>; inputs: readonly (readonly [string, SnapshotId])[] }> {
  const found = new Map<string, { outputs: Record<string, SnapshotId>; inputs: readonly (readonly [string, SnapshotId])[] }>();
  for (const [key, outputs, inputs] of meta.bulk.rowsWhere<[string, string, string | null]>('results', ['key', 'outputs', "json_extract(record, '$.inputs')"], ['rowid'], keys)) {
    found.set(key, { outputs: JSON.parse(outputs) as Record<string, SnapshotId>, inputs: inputs === null ? [] : (JSON.parse(inputs) as [string, SnapshotId][]) });
  }
  return found;
}
