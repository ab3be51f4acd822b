import { isUnder } from '../pipeline/data-path.js';
import { descend } from '../plan/trees.js';
import type { KeyRecord } from '../plan/key.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, SnapshotStore } from '../store/snapshot-store.js';

export interface Produced {
  readonly id: SnapshotId;
  /** The newest run of the document that made or reused the result: the run whose lineage the page shows. */
  readonly run: number;
  /** The run that made the result: `run`, or an earlier one whose result `run` found cached. */
  readonly madeIn: number;
  readonly job: string;
  readonly block: string;
  /** `fsck --repair` dropped the result since: its stored data was missing or damaged. */
  readonly dropped: boolean;
}

/**
 * What a `/data` path is, for the result page; undefined is a 404. `run` is
 * the run whose lineage the page shows: the newest one of the results it
 * shows (undefined: none made it, the latest run).
 */
export type Resolved =
  | { readonly kind: 'data'; readonly path: string; readonly id: SnapshotId; readonly producer?: Produced; readonly writers?: readonly Produced[]; readonly run?: number }
  /**
   * A directory several jobs wrote into (a map's outputs), or whose files
   * jobs read one by one (a map's items): its entries are those files.
   */
  | { readonly kind: 'dir'; readonly path: string; readonly entries: readonly { name: string; id?: SnapshotId }[]; readonly run?: number };

/**
 * The document's results: every output and input of the jobs its runs
 * recorded, each as the run made or reused it (the version `shark lineage
 * --run` shows: not one a later run replaced it with, and one `fsck
 * --repair` dropped since, marked so). A path is shown as the results the
 * plan reuses (`reused`: what `plan` and the next `run` with the page's
 * options use) have it, else as the newest run that wrote it has it. The
 * server serves no byte outside `reachable`, so a request can name only
 * what these results refer to.
 */
export class DataIndex {
  readonly produced = new Map<string, Produced>();
  readonly inputs = new Map<string, SnapshotId>();
  readonly reachable = new Set<SnapshotId>();

  constructor(meta: Metadata, private readonly store: SnapshotStore, pipelinePath: string, reused: ReadonlySet<string> = new Set()) {
    // A result is read once, as the newest run that made or reused it has it: that run's row names its job.
    const seen = new Set<string>();
    const runs: { run: number; rows: JobRow[] }[] = [];
    for (const run of meta.runs(pipelinePath)) {
      // Not `runJobs`: the logs it finds for cached jobs are not needed here.
      const rows = (meta.bulk.statement("SELECT job, block, key FROM run_rows WHERE run_id = ? AND status IN ('ok', 'cached') ORDER BY seq").all(run.id) as JobRow[])
        .filter((row) => !seen.has(row.key));
      for (const row of rows) seen.add(row.key);
      runs.push({ run: run.id, rows });
    }
    const results = resultsOf(meta, runs.map(({ run, rows }) => ({ run, keys: rows.map((r) => r.key) })));
    // First the results the plan reuses, then the others: a path is the first's that wrote it.
    for (const preferred of [true, false]) {
      for (const { run, rows } of runs) for (const row of rows) if (reused.has(row.key) === preferred) this.add(run, row, results.get(row.key));
    }
  }

  private add(run: number, row: JobRow, result: Result | undefined): void {
    if (result === undefined) return;
    for (const [path, id] of Object.entries(result.outputs)) {
      if (!this.produced.has(path)) this.produced.set(path, { id, run, madeIn: result.madeIn, job: row.job, block: row.block, dropped: result.dropped });
      this.reach(id);
    }
    for (const [path, id] of result.inputs) {
      if (!this.inputs.has(path)) this.inputs.set(path, id);
      this.reach(id);
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
    if (exact !== undefined) return { kind: 'data', path, id: exact.id, producer: exact, run: exact.run };
    for (const [out, p] of this.produced) {
      if (!isUnder(path, out)) continue;
      const inside = this.walk(p.id, path.slice(out.length + 1).split('/'));
      if (inside !== undefined) return { kind: 'data', path, id: inside, producer: p, run: p.run };
    }
    const input = this.inputs.get(path) ?? this.insideInput(path);
    // A directory many jobs wrote into, as a later job read it whole.
    const writers = [...this.produced.entries()].filter(([out]) => isUnder(out, path)).map(([, p]) => p);
    const run = newest(writers);
    if (input !== undefined) return { kind: 'data', path, id: input, ...(writers.length > 0 ? { writers } : {}), ...(run !== undefined ? { run } : {}) };
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
    const listed = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, id]) => (id === undefined ? { name } : { name, id }));
    return { kind: 'dir', path, entries: listed, ...(run !== undefined ? { run } : {}) };
  }

  /** A file or directory inside a frontmatter input's directory (its listing linked to pages that were not there). */
  private insideInput(path: string): SnapshotId | undefined {
    for (const [dir, id] of this.inputs) {
      if (!isUnder(path, dir)) continue;
      const inside = this.walk(id, path.slice(dir.length + 1).split('/'));
      if (inside !== undefined) return inside;
    }
    return undefined;
  }

  private walk(id: SnapshotId, names: readonly string[]): SnapshotId | undefined {
    return descend(id, names.join('/'), (t) => this.store.entries(t));
  }
}

/** The newest run of `results`' (undefined for none). */
function newest(results: readonly Produced[]): number | undefined {
  // Not `Math.max(...)`: a map's million outputs would overflow the stack.
  return results.reduce<number | undefined>((most, r) => (most === undefined || r.run > most ? r.run : most), undefined);
}

interface JobRow {
  readonly job: string;
  readonly block: string;
  readonly key: string;
}

/** What the index keeps of a result. */
interface Result {
  readonly outputs: Record<string, SnapshotId>;
  readonly inputs: KeyRecord['inputs'];
  readonly madeIn: number;
  readonly dropped: boolean;
}

/**
 * The outputs and inputs of the results of each run's `keys` (distinct
 * across runs), as that run made or reused them: all read in a few
 * statements (not the whole records); only a key with a replaced or
 * dropped version (none, mostly) is asked of the history, run by run.
 */
function resultsOf(meta: Metadata, runs: readonly { run: number; keys: readonly string[] }[]): Map<string, Result> {
  const found = new Map<string, Result>();
  const all = runs.flatMap((r) => r.keys);
  const columns = ['key', 'outputs', "json_extract(record, '$.inputs')", 'run_id'];
  for (const [key, outputs, inputs, runId] of meta.bulk.rowsWhere<[string, string, string | null, bigint | number]>('results', columns, ['rowid'], all)) {
    found.set(key, { outputs: JSON.parse(outputs) as Record<string, SnapshotId>, inputs: inputs === null ? [] : (JSON.parse(inputs) as KeyRecord['inputs']), madeIn: Number(runId), dropped: false });
  }
  const changed = new Set(meta.history.replacedAmong(all));
  if (changed.size === 0) return found;
  for (const { run, keys } of runs) {
    const own = keys.filter((k) => changed.has(k));
    if (own.length === 0) continue;
    for (const [key, v] of meta.history.ofRun(own, run)) {
      const record = JSON.parse(v.record) as KeyRecord;
      found.set(key, { outputs: JSON.parse(v.outputs) as Record<string, SnapshotId>, inputs: record.inputs, madeIn: v.run_id, dropped: v.fate === 'dropped' });
    }
  }
  return found;
}
