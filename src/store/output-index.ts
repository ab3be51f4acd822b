import type Database from 'better-sqlite3';

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
}

const JOBS = `SELECT j.job, j.block, j.key FROM result_outputs o CROSS JOIN run_jobs j ON j.key = o.key AND j.run_id = ?
  WHERE j.status IN ('ok', 'cached') AND`;

/** Lookups of one run's producers: of exactly a path, or of anything below a directory. */
export class OutputIndex {
  private readonly exact;
  private readonly below;
  private readonly byId;

  constructor(db: Database.Database) {
    this.exact = db.prepare<[number, string], RunProducer>(`${JOBS} o.path = ? ORDER BY j.rowid`);
    this.below = db.prepare<[number, string, string], RunProducer>(`${JOBS} o.path >= ? AND o.path < ? ORDER BY j.rowid`);
    this.byId = db.prepare<[string, string], { key: string }>('SELECT DISTINCT key FROM result_outputs WHERE id IN (?, ?)');
  }

  /** The jobs of run `runId` that wrote `path` itself. */
  writers(runId: number, path: string): RunProducer[] {
    return this.exact.all(runId, path);
  }

  /** The jobs of run `runId` that wrote something inside directory `dir` (a map's outputs). */
  writersBelow(runId: number, dir: string): RunProducer[] {
    // '0' is the character after '/': the range holds exactly the paths that start with `dir/`.
    return this.below.all(runId, `${dir}/`, `${dir}0`);
  }

  /** Keys of the results with an output of content `id` (a file's id with or without the executable bit). */
  keysWithOutput(id: string): string[] {
    const file = /^sha256x?:/.exec(id);
    const hex = id.slice(id.indexOf(':') + 1);
    const [a, b] = file !== null ? [`sha256:${hex}`, `sha256x:${hex}`] : [id, id];
    return this.byId.all(a, b).map((r) => r.key);
  }
}
