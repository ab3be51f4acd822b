import type Database from 'better-sqlite3';
import type { ResultRow } from './metadata-schema.js';

/**
 * Results are stored under their cache key, so a job that runs again with
 * the same key (`run --force`, or after its data was lost) replaces the
 * result the earlier runs made or reused, and `fsck --repair` drops a
 * result whose data is damaged so that the next run recomputes it.
 * `result_history` keeps each replaced or dropped result, by key and the
 * run that made it, so that those runs' lineage still shows their own
 * producer, bytes and times (and, for a dropped one, that its data was
 * damaged); it is written by triggers in the transaction that replaces or
 * drops the result (a lookup of the key the insert makes anyway; nothing is
 * written when no result is replaced). `result_history_outputs` is its outputs by path and by content,
 * as `result_outputs` is for `results` (output-index.ts). Like results of
 * older runs, these rows are never deleted: `gc` frees their data unless a
 * kept run used them. `repair_drops` names the results `fsck --repair`
 * dropped (by key and the run that made them): a result deleted otherwise
 * (an edit of the database) is history too, and lineage would say fsck
 * dropped it; `verify` tells the two apart.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS result_history (
  key TEXT NOT NULL, run_id INTEGER NOT NULL, identity TEXT NOT NULL, record TEXT NOT NULL, outputs TEXT NOT NULL,
  meta TEXT NOT NULL, log TEXT, started INTEGER NOT NULL, ended INTEGER NOT NULL, shown TEXT, fate TEXT NOT NULL,
  PRIMARY KEY (key, run_id));
CREATE TABLE IF NOT EXISTS result_history_outputs (
  key TEXT NOT NULL, run_id INTEGER NOT NULL, path TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, run_id, path)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS result_history_outputs_path ON result_history_outputs (path);
CREATE INDEX IF NOT EXISTS result_history_outputs_id ON result_history_outputs (id);
CREATE TABLE IF NOT EXISTS repair_drops (key TEXT NOT NULL, run_id INTEGER NOT NULL, PRIMARY KEY (key, run_id)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS result_history_replaced BEFORE INSERT ON results BEGIN
  INSERT OR REPLACE INTO result_history (key, run_id, identity, record, outputs, meta, log, started, ended, shown, fate)
    SELECT key, run_id, identity, record, outputs, meta, log, started, ended, shown, 'replaced' FROM results
    WHERE key = NEW.key AND run_id <> NEW.run_id;
END;
CREATE TRIGGER IF NOT EXISTS result_history_dropped BEFORE DELETE ON results BEGIN
  INSERT OR REPLACE INTO result_history (key, run_id, identity, record, outputs, meta, log, started, ended, shown, fate)
    VALUES (OLD.key, OLD.run_id, OLD.identity, OLD.record, OLD.outputs, OLD.meta, OLD.log, OLD.started, OLD.ended, OLD.shown, 'dropped');
END;
CREATE TRIGGER IF NOT EXISTS result_history_outputs_put AFTER INSERT ON result_history BEGIN
  DELETE FROM result_history_outputs WHERE key = NEW.key AND run_id = NEW.run_id;
  INSERT OR IGNORE INTO result_history_outputs (key, run_id, path, id)
    SELECT NEW.key, NEW.run_id, o.key, o.value FROM json_each(NEW.outputs) o;
END;
`;

/**
 * What happened to a result that is no longer the one a cached job would
 * reuse: another run of its key replaced it, or `fsck --repair` dropped it
 * (its stored data was missing or damaged); null while it still is.
 */
export type Fate = 'replaced' | 'dropped' | null;

/** A result as some run made or reused it: the stored one, or one it replaced since. */
export type ResultVersion = ResultRow & { readonly fate: Fate };

/**
 * Which version of a key's result a run made or reused: the latest made by
 * that run or before it (a run reuses what is there when it plans; a later
 * one had not been made yet), else, for a run that waited on another's
 * lease and reused what it made, the earliest made after it. SQL over a
 * version `v`, smaller is better, given `@run`.
 */
const RANK = (v: string): string => `(CASE WHEN ${v}.run_id <= @run THEN -${v}.run_id ELSE ${v}.run_id END)`;

/**
 * SQL: for each key of the JSON array `@keys` that has a result, the version
 * run `@run` made or reused (`RANK`): the index of its key in the array,
 * then `columns` of table alias `t`, then its fate (null for the stored one).
 * Without history, one more lookup per key, in an empty table.
 */
export function versionsOfRun(columns: (t: string) => string): string {
  return `SELECT k.key AS at, ${columns('r')}, NULL AS fate FROM json_each(@keys) k CROSS JOIN results r ON r.key = k.value
      WHERE NOT EXISTS (SELECT 1 FROM result_history h WHERE h.key = r.key AND ${RANK('h')} < ${RANK('r')})
    UNION ALL
    SELECT k.key, ${columns('h')}, h.fate FROM json_each(@keys) k CROSS JOIN result_history h ON h.key = k.value
      WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.key = h.key AND ${RANK('r')} <= ${RANK('h')})
      AND NOT EXISTS (SELECT 1 FROM result_history o WHERE o.key = h.key AND ${RANK('o')} < ${RANK('h')})`;
}

const COLUMNS = (t: string): string => ['key', 'identity', 'record', 'outputs', 'meta', 'log', 'started', 'ended', 'run_id'].map((c) => `${t}.${c}`).join(', ');

/** Keys per statement: one JSON text each, so no limit of bound parameters. */
const CHUNK = 20_000;

export class ResultHistory {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      ofRun: db.prepare<[{ keys: string; run: number }], ResultVersion>(versionsOfRun(COLUMNS)),
      replacedKeys: db.prepare<[], string>('SELECT DISTINCT key FROM result_history').pluck(),
      noteRepair: db.prepare<[string]>('INSERT OR IGNORE INTO repair_drops (key, run_id) SELECT key, run_id FROM results WHERE key = ?'),
      repaired: db.prepare<[string, number], number>('SELECT 1 FROM repair_drops WHERE key = ? AND run_id = ?').pluck(),
      // Through the index by content: an EXISTS for each row read every version kept, once for each file `why` asks about.
      withOutput: db.prepare<[string, string], ResultVersion>(`SELECT ${COLUMNS('h')}, h.fate FROM result_history h
        WHERE (h.key, h.run_id) IN (SELECT o.key, o.run_id FROM result_history_outputs o WHERE o.id IN (?, ?)) ORDER BY h.key, h.run_id`),
    };
  }

  /** Creates the tables and triggers (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  /** The results of `keys` as run `runId` made or reused them (`RANK`); a key with none is absent. */
  ofRun(keys: readonly string[], runId: number): Map<string, ResultVersion> {
    const found = new Map<string, ResultVersion>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const keysJson = JSON.stringify(keys.slice(i, i + CHUNK));
      for (const row of this.stmts.ofRun.all({ keys: keysJson, run: runId })) if (!found.has(row.key)) found.set(row.key, row);
    }
    return found;
  }

  /** Notes that `fsck --repair` drops the stored result of `key` (before it is deleted, in the same transaction). */
  noteRepair(key: string): void {
    this.stmts.noteRepair.run(key);
  }

  /** Whether `fsck --repair` dropped the result of `key` that run `runId` made. */
  repaired(key: string, runId: number): boolean {
    return this.stmts.repaired.get(key, runId) !== undefined;
  }

  /** Those of `keys` that have a replaced version (none, mostly: the table is read whole, it is small). */
  replacedAmong(keys: readonly string[]): string[] {
    const replaced = new Set(this.stmts.replacedKeys.all());
    return replaced.size === 0 ? [] : keys.filter((k) => replaced.has(k));
  }

  /** The replaced or dropped results with an output of content `a` or `b` (a file's id with and without the executable bit). */
  withOutput(a: string, b: string): ResultVersion[] {
    return this.stmts.withOutput.all(a, b);
  }
}
