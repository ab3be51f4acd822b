import type Database from 'better-sqlite3';

/**
 * A row of an index of outputs (`result_outputs`, `result_history_outputs`)
 * that says other than the result it indexes: `plan` and `run` find a job's
 * cached outputs through the index, and `lineage` and `verify` read the
 * result, so an edited row made a run publish other bytes than every record
 * of the job named, unseen.
 */
export interface IndexDisagreement {
  /** The result's cache key. */
  readonly key: string;
  /** The run whose version of the result it is, for a replaced or dropped one (`result_history`). */
  readonly run: number | null;
  readonly path: string;
  /** The id the result records; null for a path it does not have. */
  readonly stored: string | null;
  /** The id the index gives; null where it has no row. */
  readonly indexed: string | null;
}

/**
 * Rows `[key, run, path, stored, indexed]` where `index` and the results of
 * `table` differ: a path whose index row is missing or gives another id, and
 * an index row of a path (or a result) that is not there. `run`: the run
 * column of the two tables, for the versions `result_history` keeps.
 */
function differing(table: string, index: string, run?: string): string {
  const same = run === undefined ? '' : `AND x.${run} = r.${run}`;
  return `
  SELECT r.key, ${run === undefined ? 'NULL' : `r.${run}`}, o.key, o.value, x.id FROM ${table} r CROSS JOIN json_each(r.outputs) o
    LEFT JOIN ${index} x ON x.key = r.key ${same} AND x.path = o.key WHERE x.id IS NOT o.value
  UNION ALL
  SELECT x.key, ${run === undefined ? 'NULL' : `x.${run}`}, x.path, NULL, x.id FROM ${index} x LEFT JOIN ${table} r ON r.key = x.key ${same}
    WHERE r.key IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(r.outputs) o WHERE o.key = x.path)`;
}

const CURRENT = differing('results', 'result_outputs');
const HISTORY = differing('result_history', 'result_history_outputs', 'run_id');

/** Every row of the indexes of outputs that disagrees with its result, the stored results' first. */
export function indexDisagreements(db: Database.Database): IndexDisagreement[] {
  const rows = (sql: string): IndexDisagreement[] => (db.prepare(sql).raw().all() as [string, number | null, string, string | null, string | null][])
    .map(([key, run, path, stored, indexed]) => ({ key, run, path, stored, indexed }));
  return [...rows(CURRENT), ...rows(HISTORY)];
}

/** The outputs a result's index rows give (`result_outputs`), for comparing with what it records. */
export function indexedOutputs(db: Database.Database, key: string): Record<string, string> {
  const rows = db.prepare<[string], [string, string]>('SELECT path, id FROM result_outputs WHERE key = ?').raw().all(key);
  return Object.fromEntries(rows);
}

/** Writes the index rows of the results `found` names again from what they record (`fsck --repair`). */
export function rebuildIndex(db: Database.Database, found: readonly IndexDisagreement[]): void {
  db.transaction(() => {
    for (const key of new Set(found.filter((d) => d.run === null).map((d) => d.key))) {
      db.prepare('DELETE FROM result_outputs WHERE key = ?').run(key);
      db.prepare('INSERT OR IGNORE INTO result_outputs (key, path, id) SELECT r.key, o.key, o.value FROM results r, json_each(r.outputs) o WHERE r.key = ?').run(key);
    }
    for (const d of found.filter((f) => f.run !== null)) {
      db.prepare('DELETE FROM result_history_outputs WHERE key = ? AND run_id = ?').run(d.key, d.run);
      db.prepare(`INSERT OR IGNORE INTO result_history_outputs (key, run_id, path, id)
        SELECT h.key, h.run_id, o.key, o.value FROM result_history h, json_each(h.outputs) o WHERE h.key = ? AND h.run_id = ?`).run(d.key, d.run);
    }
  })();
}
