import type Database from 'better-sqlite3';
import { listAt } from '../multimap.js';
import { NAMED_ROWS, RENAMED_JOB } from './run-rows.js';
import { versionsOfRun, type Fate } from './result-history.js';

/**
 * Every result's outputs by path and by content id, kept by triggers on
 * `results` (whoever writes or drops a result, this follows), so that
 * `lineage` and `why` find the job behind one path or one content with an
 * index lookup instead of reading every result of a run or of the store.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS result_outputs (
  key TEXT NOT NULL, path TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, path)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS result_outputs_path ON result_outputs (path);
CREATE INDEX IF NOT EXISTS result_outputs_id ON result_outputs (id);
CREATE INDEX IF NOT EXISTS run_jobs_run_key ON run_jobs (run_id, key);
CREATE TRIGGER IF NOT EXISTS result_outputs_put AFTER INSERT ON results BEGIN
  DELETE FROM result_outputs WHERE key = NEW.key;
  INSERT OR IGNORE INTO result_outputs (key, path, id) SELECT NEW.key, o.key, o.value FROM json_each(NEW.outputs) o;
END;
CREATE TRIGGER IF NOT EXISTS result_outputs_drop AFTER DELETE ON results BEGIN
  DELETE FROM result_outputs WHERE key = OLD.key;
END;
`;

/** Creates the index (inside the caller's schema transaction), filling it from the results of an older store. */
export function migrateOutputIndex(db: Database.Database): void {
  const existed = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'result_outputs'").get() !== undefined;
  db.exec(SCHEMA);
  if (!existed) db.exec('INSERT OR IGNORE INTO result_outputs (key, path, id) SELECT r.key, o.key, o.value FROM results r, json_each(r.outputs) o');
}

/** A job of a run, and the result it wrote or reused. */
export interface RunProducer {
  readonly job: string;
  readonly block: string;
  readonly key: string;
  /** The line of the job's block in the document as the run had it (a cached job's result may say another). */
  readonly line: number;
}

/**
 * A run's jobs that wrote what `match` picks, for paths given as one JSON
 * array (`json_each`: no limit of bound parameters, one statement prepared
 * once), each found through the path index of `outputs`. Rows `[index of
 * the path in the array, job, block, key, row, line]`, in run order.
 */
const WRITERS = (match: string, outputs: Outputs): string => `SELECT p.key, j.job, j.block, j.key, j.rowid, j.line FROM json_each(?) p
  CROSS JOIN ${outputs.table} o ON ${match} CROSS JOIN run_jobs j ON j.key = o.key AND j.run_id = ?
  WHERE j.status IN ('ok', 'cached') ${outputs.where} ORDER BY j.rowid`;

/** `WRITERS` among the rows a run names of an earlier run (`step-memos.ts`), their jobs renamed after the step as the run had it. */
const LINKED_WRITERS = (match: string, outputs: Outputs): string => `SELECT p.key, ${RENAMED_JOB}, l.block, j.key, j.rowid, l.line FROM json_each(?) p
  CROSS JOIN ${outputs.table} o ON ${match} CROSS JOIN run_links l ON l.run_id = ?
  CROSS JOIN run_jobs j ON j.key = o.key AND ${NAMED_ROWS}
  WHERE j.status IN ('ok', 'cached') ${outputs.where} ORDER BY j.rowid`;

/** Where results' outputs are looked up (as `o`), and which of them count. */
interface Outputs { readonly table: string; readonly where: string }

const STORED: Outputs = { table: 'result_outputs', where: '' };
/**
 * The outputs of results `fsck --repair` dropped (result-history.ts) whose
 * key has no result now: the run that made or reused one still wrote them
 * (a replaced result's key has a result, whose outputs have the same paths).
 */
const DROPPED: Outputs = { table: 'result_history_outputs', where: 'AND NOT EXISTS (SELECT 1 FROM results r WHERE r.key = o.key)' };

/**
 * The SQL of what a lineage shows of a result (`ShownRow`'s json) from its
 * record, meta and outputs: computed once as the result is written (column
 * `results.shown`), since extracting it from the record as a lineage reads
 * 10,000 results took a third of the read.
 */
export function SHOWN(record: string, meta: string, outputs: string): string {
  return `'[' || json_extract(${record}, '$.kind', '$.env', '$.pin', '$.network', '$.inputs', '$.variables', '$.files', '$.deps')
    || ',' || json_extract(${meta}, '$.file', '$.line', '$.col', '$.command', '$.host', '$.version') || ',' || ${outputs} || ']'`;
}

/**
 * The version of `SHOWN` the stored rows hold (the database's `user_version`):
 * 1 added the variables, 2 the local files and `{deps}` files.
 */
const SHOWN_VERSION = 2;

/**
 * Writes `shown` again in the rows an older Shark wrote (once: the
 * database then says which version they hold), so a lineage shows their
 * variables and local files without reading every record.
 */
export function migrateShown(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= SHOWN_VERSION) return;
  for (const table of ['results', 'result_history']) {
    db.exec(`UPDATE ${table} SET shown = ${SHOWN('record', 'meta', 'outputs')} WHERE shown IS NOT NULL`);
  }
  db.pragma(`user_version = ${SHOWN_VERSION}`);
}

/**
 * What a lineage shows of a result: `[index of its key in the array asked,
 * json, started, ended, the run that made it, its fate]`, where `json` is
 * one JSON array `[[kind, env, pin, network, inputs, variables, files,
 * deps], [file, line, col, command, host, version], outputs]` (null
 * for what is absent; a row an older Shark wrote after its store was
 * brought up to date ends sooner: no `files` and `deps`, or no
 * `variables` either).
 */
export type ShownRow = [at: number, json: string, started: number, ended: number, run: number, fate: Fate];

/** Lookups of one run's producers (of exactly a path, or of anything below a directory), and of results by content. */
export class OutputIndex {
  private readonly exact;
  private readonly bytes;
  private readonly below;
  private readonly byId;
  private readonly shownRows;
  private readonly anyBelowStmt;

  constructor(db: Database.Database) {
    const exact = 'o.path = p.value';
    // '0' is the character after '/': the range holds exactly the paths that start with `dir/`.
    const below = `o.path >= p.value || '/' AND o.path < p.value || '0'`;
    this.exact = both(db, exact);
    // A pair `[path, id]`: the path written with exactly that content.
    this.bytes = both(db, `o.path = json_extract(p.value, '$[0]') AND o.id = json_extract(p.value, '$[1]')`);
    this.below = both(db, below);
    // Whether a job of the run (its own or one it names) wrote anything below a directory: one row found is enough.
    const anyBelow = (o: Outputs): string => `EXISTS (SELECT 1 FROM ${o.table} o CROSS JOIN run_jobs j ON j.key = o.key AND j.run_id = @run
        WHERE ${below} AND j.status IN ('ok', 'cached') ${o.where})
      OR EXISTS (SELECT 1 FROM ${o.table} o CROSS JOIN run_links l ON l.run_id = @run CROSS JOIN run_jobs j ON j.key = o.key AND ${NAMED_ROWS}
        WHERE ${below} AND j.status IN ('ok', 'cached') ${o.where})`;
    this.anyBelowStmt = db.prepare<[{ dirs: string; run: number }], string>(
      `SELECT p.value FROM json_each(@dirs) p WHERE ${anyBelow(STORED)} OR ${anyBelow(DROPPED)}`).pluck();
    this.byId = db.prepare<[string, string], { key: string }>('SELECT DISTINCT key FROM result_outputs WHERE id IN (?, ?)');
    // Only the fields shown, as one JSON text a row (kept when the result was written; made here for an older row),
    // of the version of each result the run made or reused (result-history.ts).
    this.shownRows = db.prepare<[{ keys: string; run: number }], ShownRow>(versionsOfRun((t) =>
      `coalesce(${t}.shown, ${SHOWN(`${t}.record`, `${t}.meta`, `${t}.outputs`)}), ${t}.started, ${t}.ended, ${t}.run_id`)).raw(true);
  }

  /** The jobs of run `runId` that wrote each of `paths` (distinct) itself; a path none wrote is absent. */
  writers(runId: number, paths: readonly string[]): Map<string, RunProducer[]> {
    return grouped(paths, this.exact(JSON.stringify(paths), runId));
  }

  /**
   * The jobs of run `runId` whose results wrote each of `pairs` (`[path,
   * content id]`, distinct): that path with those bytes; a pair none wrote
   * is absent. Keyed by `path NUL id`.
   */
  wroteBytes(runId: number, pairs: readonly (readonly [string, string])[]): Map<string, RunProducer[]> {
    return grouped(pairs.map(([p, id]) => `${p}\0${id}`), this.bytes(JSON.stringify(pairs), runId));
  }

  /** The jobs of run `runId` that wrote something inside each of `dirs` (distinct): a map's outputs. */
  writersBelow(runId: number, dirs: readonly string[]): Map<string, RunProducer[]> {
    return grouped(dirs, this.below(JSON.stringify(dirs), runId));
  }

  /** Those of `dirs` (distinct) inside which a job of run `runId` wrote something. */
  anyBelow(runId: number, dirs: readonly string[]): Set<string> {
    return new Set(dirs.length === 0 ? [] : this.anyBelowStmt.all({ dirs: JSON.stringify(dirs), run: runId }));
  }

  /**
   * What a lineage shows of the results of `keys` (distinct) as run `runId`
   * made or reused them, a row per key that has one; rows one at a time,
   * each let go once read (less for the collector to copy while the lineage
   * is built).
   */
  shown(keys: readonly string[], runId: number): IterableIterator<ShownRow> {
    return this.shownRows.iterate({ keys: JSON.stringify(keys), run: runId });
  }

  /** Keys of the results with an output of content `id` (a file's id with or without the executable bit). */
  keysWithOutput(id: string): string[] {
    return this.byId.all(...sameBytes(id)).map((r) => r.key);
  }
}

/** The ids of the bytes of `id`: a file's with and without the executable bit; anything else's twice. */
export function sameBytes(id: string): [string, string] {
  const hex = id.slice(id.indexOf(':') + 1);
  return /^sha256x?:/.test(id) ? [`sha256:${hex}`, `sha256x:${hex}`] : [id, id];
}

type Row = [at: number, job: string, block: string, key: string, row: number, line: number];

/**
 * The writers `match` picks among a run's rows: those it names of an
 * earlier run first (they are older), then its own; with the writers of
 * results since dropped, all in the order of their rows, each job once.
 */
function both(db: Database.Database, match: string): (paths: string, runId: number) => Row[] {
  const [own, linked, droppedOwn, droppedLinked] = [WRITERS(match, STORED), LINKED_WRITERS(match, STORED), WRITERS(match, DROPPED), LINKED_WRITERS(match, DROPPED)]
    .map((sql) => db.prepare<[string, number], Row>(sql).raw(true));
  return (paths, runId) => {
    const named = linked!.all(paths, runId);
    const rows = own!.all(paths, runId);
    const all = named.length === 0 ? rows : named.concat(rows);
    const dropped = droppedLinked!.all(paths, runId).concat(droppedOwn!.all(paths, runId));
    if (dropped.length === 0) return all;
    const once = new Map<string, Row>();
    for (const r of all.concat(dropped)) if (!once.has(`${r[0]}\0${r[1]}`)) once.set(`${r[0]}\0${r[1]}`, r);
    return [...once.values()].sort((a, b) => a[4] - b[4]);
  };
}

function grouped(paths: readonly string[], rows: readonly Row[]): Map<string, RunProducer[]> {
  const found = new Map<string, RunProducer[]>();
  let last: Row | undefined;
  for (const r of rows) {
    const [at, job, block, key, row, line] = r;
    // A job that wrote several files below a directory is a row for each: in row order, they come together.
    if (last !== undefined && last[0] === at && last[4] === row) continue;
    last = r;
    listAt(found, paths[at]!).push({ job, block, key, line });
  }
  return found;
}
