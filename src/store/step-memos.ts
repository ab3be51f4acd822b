import { isOutputs } from './stored-shapes.js';
import type Database from 'better-sqlite3';
import type { SnapshotId } from './snapshot-store.js';
import { parseStored } from './damaged-database.js';

/**
 * What a map step came to when every one of its jobs was cached: the
 * directories its jobs' outputs compose, by path, and how many jobs. Keyed
 * by a hash of everything its jobs' keys are made of (`plan/step-memo.ts`),
 * so the same key means the same jobs, keys and results.
 *
 * A memo stays true while no result it stands on changes: a result is only
 * ever added, replaced or dropped, and the triggers forget every memo when
 * one is replaced or dropped (`--force`, `fsck --repair`). What the
 * results point at (objects, trees) is checked each time a memo is used.
 *
 * `run_id`/`step`: a run that recorded a row of its own for each of these
 * jobs, which a later run can name instead of writing one per job
 * (`run-rows.ts`).
 *
 * `step_memo_last`: the memo a step (by document and step) came to last,
 * whose directories a plan starts checking before it walks the inputs.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS step_memos (
  memo TEXT PRIMARY KEY, outputs TEXT NOT NULL, jobs INTEGER NOT NULL, run_id INTEGER, step TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS step_memo_last (scope TEXT PRIMARY KEY, memo TEXT NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS step_memos_replaced BEFORE INSERT ON results
  WHEN EXISTS (SELECT 1 FROM results WHERE key = NEW.key) BEGIN DELETE FROM step_memos; END;
CREATE TRIGGER IF NOT EXISTS step_memos_dropped AFTER DELETE ON results BEGIN DELETE FROM step_memos; END;
`;

export interface StepMemo {
  readonly outputs: ReadonlyMap<string, SnapshotId>;
  readonly jobs: number;
  /** A run whose rows for `step` are exactly these jobs' (status ok or cached). */
  readonly source?: { readonly run: number; readonly step: string };
}

type Row = { outputs: string; jobs: number; run_id: number | null; step: string | null };

export class StepMemos {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT outputs, jobs, run_id, step FROM step_memos WHERE memo = ?'),
      put: db.prepare('INSERT OR REPLACE INTO step_memos (memo, outputs, jobs, run_id, step) VALUES (?, ?, ?, ?, ?)'),
      source: db.prepare('UPDATE step_memos SET run_id = ?, step = ? WHERE memo = ?'),
      last: db.prepare<[string], Row>('SELECT m.outputs, m.jobs, m.run_id, m.step FROM step_memo_last l JOIN step_memos m ON m.memo = l.memo WHERE l.scope = ?'),
      lastKey: db.prepare<[string], string>('SELECT memo FROM step_memo_last WHERE scope = ?').pluck(),
      setLast: db.prepare('INSERT OR REPLACE INTO step_memo_last (scope, memo) VALUES (?, ?)'),
    };
  }

  /** Creates the table and its triggers (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  get(memo: string): StepMemo | undefined {
    return memoOf(this.stmts.get.get(memo));
  }

  /** The memo `scope` (a document's step) came to last, while it is kept. */
  last(scope: string): StepMemo | undefined {
    return memoOf(this.stmts.last.get(scope));
  }

  /** Notes `memo` as the one `scope` came to last; the one already noted is not written again (each plan notes it). */
  setLast(scope: string, memo: string): void {
    // A store read-only to this user keeps no memo: the plan walks the step's jobs each time.
    if (!this.db.readonly && this.stmts.lastKey.get(scope) !== memo) this.stmts.setLast.run(scope, memo);
  }

  put(memo: string, outputs: ReadonlyMap<string, SnapshotId>, jobs: number, source?: { run: number; step: string }): void {
    if (this.db.readonly) return;
    this.stmts.put.run(memo, JSON.stringify(Object.fromEntries(outputs)), jobs, source?.run ?? null, source?.step ?? null);
  }

  /** Names run `run`'s rows for `step` as these jobs' (once they are committed). */
  setSource(memo: string, run: number, step: string): void {
    this.stmts.source.run(run, step, memo);
  }
}

function memoOf(row: Row | undefined): StepMemo | undefined {
  if (row === undefined) return undefined;
  const outputs = new Map(Object.entries(parseStored<Record<string, SnapshotId>>(row.outputs, "a step memo's outputs", isOutputs)));
  const source = row.run_id !== null && row.step !== null ? { run: row.run_id, step: row.step } : undefined;
  return { outputs, jobs: row.jobs, ...(source !== undefined ? { source } : {}) };
}
