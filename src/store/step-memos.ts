import type Database from 'better-sqlite3';
import type { SnapshotId } from './snapshot-store.js';

/**
 * What a map step came to when every one of its jobs was cached: the
 * directories its jobs' outputs compose, by path, and how many jobs. Keyed
 * by a hash of everything its jobs' keys are made of (`plan/step-memo.ts`),
 * so the same key means the same jobs, keys and results.
 *
 * A memo stays true while no result it stands on changes: a result is only
 * ever added, replaced or dropped, and the triggers forget every memo when
 * one is replaced or dropped (`--force`, `fsck --repair`, `gc`). What the
 * results point at (objects, trees) is checked each time a memo is used.
 *
 * `run_id`/`step`: a run that recorded a row of its own for each of these jobs, so a
 * later run can name those rows (`run_links`) instead of writing one per
 * job: a million rows cost ~3 s to write, even copied by one statement.
 * `run_rows` is every run's rows, its own and those it names, as
 * `run_jobs` holds them (`seq` orders them: the named ones by the rows
 * they name); runs and their rows are never dropped, so a name stays good.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS step_memos (
  memo TEXT PRIMARY KEY, outputs TEXT NOT NULL, jobs INTEGER NOT NULL, run_id INTEGER, step TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_links (
  run_id INTEGER NOT NULL, step TEXT NOT NULL, block TEXT NOT NULL, line INTEGER NOT NULL,
  source_run INTEGER NOT NULL, source_step TEXT NOT NULL, jobs INTEGER NOT NULL, PRIMARY KEY (run_id, step)) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS run_rows AS
  SELECT rowid AS seq, run_id, job, step, block, line, item, key, status, log, reason, exit_code FROM run_jobs
  UNION ALL
  SELECT j.rowid, l.run_id, l.step || substr(j.job, length(l.source_step) + 1), l.step, l.block, l.line, j.item, j.key, 'cached', NULL, NULL, NULL
  FROM run_links l JOIN run_jobs j ON j.run_id = l.source_run AND j.step = l.source_step;
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

/** A run's rows named from an earlier run's: the new run, step, block and line; job ids renamed when the step's id changed. */
export interface RowLink {
  readonly run: number;
  readonly step: string;
  readonly block: string;
  readonly line: number;
}

export class StepMemos {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT outputs, jobs, run_id, step FROM step_memos WHERE memo = ?'),
      put: db.prepare('INSERT OR REPLACE INTO step_memos (memo, outputs, jobs, run_id, step) VALUES (?, ?, ?, ?, ?)'),
      source: db.prepare('UPDATE step_memos SET run_id = ?, step = ? WHERE memo = ?'),
      count: db.prepare<[number, string], { n: number; ok: number }>(
        "SELECT count(*) AS n, count(CASE WHEN status IN ('ok', 'cached') THEN 1 END) AS ok FROM run_jobs WHERE run_id = ? AND step = ?"),
      link: db.prepare(`INSERT OR REPLACE INTO run_links (run_id, step, block, line, source_run, source_step, jobs)
        VALUES (@run, @step, @block, @line, @source, @old, @jobs)`),
      named: db.prepare<[number], { n: number }>('SELECT coalesce(sum(jobs), 0) AS n FROM run_links WHERE run_id = ?'),
    };
  }

  /** How many rows run `run` names of earlier runs (all of them `cached`): counted without reading them. */
  namedRows(run: number): number {
    return this.stmts.named.get(run)!.n;
  }

  /** Creates the table and its triggers (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  get(memo: string): StepMemo | undefined {
    const row = this.stmts.get.get(memo);
    if (row === undefined) return undefined;
    const outputs = new Map(Object.entries(JSON.parse(row.outputs) as Record<string, SnapshotId>));
    const source = row.run_id !== null && row.step !== null ? { run: row.run_id, step: row.step } : undefined;
    return { outputs, jobs: row.jobs, ...(source !== undefined ? { source } : {}) };
  }

  put(memo: string, outputs: ReadonlyMap<string, SnapshotId>, jobs: number, source?: { run: number; step: string }): void {
    this.stmts.put.run(memo, JSON.stringify(Object.fromEntries(outputs)), jobs, source?.run ?? null, source?.step ?? null);
  }

  /** Names run `run`'s rows for `step` as these jobs' (once they are committed). */
  setSource(memo: string, run: number, step: string): void {
    this.stmts.source.run(run, step, memo);
  }

  /**
   * Names the memo's source rows as run `to.run`'s cached rows of its step;
   * false (and nothing written) unless there are exactly `jobs` of them,
   * all ok or cached (a run cut short before it wrote them all).
   */
  linkRows(memo: StepMemo, to: RowLink): boolean {
    const source = memo.source;
    if (source === undefined) return false;
    return this.db.transaction(() => {
      const { n, ok } = this.stmts.count.get(source.run, source.step)!;
      if (n !== memo.jobs || ok !== n) return false;
      this.stmts.link.run({ ...to, source: source.run, old: source.step, jobs: n });
      return true;
    }).immediate();
  }
}
