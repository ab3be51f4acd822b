import type Database from 'better-sqlite3';
import type { BulkReads } from './bulk-read.js';
import type { RunJobRow } from './metadata-schema.js';

/**
 * A run's rows: one per job (`run_jobs`), or, for a step a memo decided
 * (`step-memos.ts`), one naming the rows an earlier run wrote for the same
 * jobs (`run_links`): a million rows cost ~3 s to write, even copied by one
 * statement. `run_rows` is every run's rows, its own and those it names, as
 * `run_jobs` holds them (`seq` orders them: the named ones by the rows they
 * name), the named jobs renamed after the step as the run had it. Runs and
 * their rows are never dropped, so a name stays good.
 */
/** A named row's job, renamed after the step as the naming run had it: SQL over `run_links l` and `run_jobs j`. */
export const RENAMED_JOB = 'l.step || substr(j.job, length(l.source_step) + 1)';
/** Joins `run_jobs j` to the rows `run_links l` names. */
export const NAMED_ROWS = 'j.run_id = l.source_run AND j.step = l.source_step';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS run_links (
  run_id INTEGER NOT NULL, step TEXT NOT NULL, block TEXT NOT NULL, line INTEGER NOT NULL,
  source_run INTEGER NOT NULL, source_step TEXT NOT NULL, jobs INTEGER NOT NULL, PRIMARY KEY (run_id, step)) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS run_rows AS
  SELECT rowid AS seq, run_id, job, step, block, line, item, key, status, log, reason, exit_code FROM run_jobs
  UNION ALL
  SELECT j.rowid, l.run_id, ${RENAMED_JOB}, l.step, l.block, l.line, j.item, j.key, 'cached', NULL, NULL, NULL
  FROM run_links l JOIN run_jobs j ON ${NAMED_ROWS};
`;

/** A run's job as read: a cached job's log is its result's, recorded by the run that made it (`recordRunJobs` leaves it out). */
const RUN_JOB = (table: string): string => `SELECT run_id, job, step, block, line, item, key, status,
  CASE WHEN log IS NULL AND status = 'cached' THEN (SELECT r.log FROM results r WHERE r.key = j.key) ELSE log END AS log,
  reason, exit_code FROM ${table} j`;

/** One job of the rows a run names. */
const LINKED_JOB = `SELECT l.run_id, @job AS job, l.step, l.block, l.line, j.item, j.key, 'cached' AS status,
  (SELECT r.log FROM results r WHERE r.key = j.key) AS log, NULL AS reason, NULL AS exit_code
  FROM run_links l JOIN run_jobs j ON ${NAMED_ROWS} AND j.job = l.source_step || substr(@job, length(l.step) + 1)
  WHERE l.run_id = @run AND substr(@job, 1, length(l.step)) = l.step AND (length(@job) = length(l.step) OR substr(@job, length(l.step) + 1, 1) = '[')`;

/** Where a run's rows of a step are named from: the new run, step, block and line. */
export interface RowLink {
  readonly run: number;
  readonly step: string;
  readonly block: string;
  readonly line: number;
}

export class RunRows {
  private readonly stmts;

  constructor(private readonly db: Database.Database, private readonly bulk: BulkReads) {
    this.stmts = {
      count: db.prepare<[number, string], { n: number; ok: number }>(
        "SELECT count(*) AS n, count(CASE WHEN status IN ('ok', 'cached') THEN 1 END) AS ok FROM run_jobs WHERE run_id = ? AND step = ?"),
      link: db.prepare(`INSERT OR REPLACE INTO run_links (run_id, step, block, line, source_run, source_step, jobs)
        VALUES (@run, @step, @block, @line, @source, @old, @jobs)`),
      named: db.prepare<[number], { n: number }>('SELECT coalesce(sum(jobs), 0) AS n FROM run_links WHERE run_id = ?'),
    };
  }

  /** Creates the table and the view (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  /**
   * Names run `source.run`'s rows of `source.step` as run `to.run`'s cached
   * rows of its step; false (and nothing written) unless there are exactly
   * `jobs` of them, all ok or cached (a run cut short before it wrote them all).
   */
  link(source: { readonly run: number; readonly step: string }, jobs: number, to: RowLink): boolean {
    return this.db.transaction(() => {
      const { n, ok } = this.stmts.count.get(source.run, source.step)!;
      if (n !== jobs || ok !== n) return false;
      this.stmts.link.run({ ...to, source: source.run, old: source.step, jobs: n });
      return true;
    }).immediate();
  }

  /** How many rows run `run` names of earlier runs (all of them `cached`): counted without reading them. */
  named(run: number): number {
    return this.stmts.named.get(run)!.n;
  }

  /** Every row of a run, its own and those it names, in run order. */
  all(runId: number): RunJobRow[] {
    return this.db.prepare<[number], RunJobRow>(`${RUN_JOB('run_rows')} WHERE run_id = ? ORDER BY seq`).all(runId);
  }

  /** One job's row of a run (the page of its log), by the table's key, or among the rows the run names. */
  one(runId: number, job: string): RunJobRow | undefined {
    const own = this.bulk.statement(`${RUN_JOB('run_jobs')} WHERE run_id = ? AND job = ?`).get(runId, job) as RunJobRow | undefined;
    return own ?? (this.bulk.statement(LINKED_JOB).get({ run: runId, job }) as RunJobRow | undefined);
  }
}
