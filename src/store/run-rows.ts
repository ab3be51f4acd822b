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
 * their rows are never dropped, so a name stays good. `run_steps` holds how
 * many jobs a run found for each step it began, before it wrote their rows:
 * a map over what an earlier step of the same run writes has no items
 * until then, and `shark serve` counts them from there.
 */
/** A named row's job, renamed after the step as the naming run had it: SQL over `run_links l` and `run_jobs j`. */
export const RENAMED_JOB = 'l.step || substr(j.job, length(l.source_step) + 1)';
/** Joins `run_jobs j` to the rows `run_links l` names. */
export const NAMED_ROWS = 'j.run_id = l.source_run AND j.step = l.source_step';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS run_steps (run_id INTEGER NOT NULL, step TEXT NOT NULL, jobs INTEGER NOT NULL, PRIMARY KEY (run_id, step)) WITHOUT ROWID;
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

/**
 * A run's own rows of one step, read along the table's key (`run_id`, `job`):
 * a job's name is its step's id, alone or followed by `[items]`. `step =`
 * only checks: a run's other steps are never read.
 */
const OWN_OF_STEP = `SELECT item, key, status FROM run_jobs WHERE run_id = @run AND job = @step AND step = @step
  UNION ALL SELECT item, key, status FROM run_jobs WHERE run_id = @run AND job >= @step || '[' AND job < @step || '\\' AND step = @step`;

/** The rows a run names of an earlier run's step (a map's: its jobs all have items), as `OWN_OF_STEP` reads them. */
const NAMED_OF_STEP = `SELECT j.item, j.key, 'cached' FROM run_links l JOIN run_jobs j ON j.run_id = l.source_run
  AND j.job >= l.source_step || '[' AND j.job < l.source_step || '\\' AND j.step = l.source_step
  WHERE l.run_id = @run AND l.step = @step`;

/** One job of a step as a run recorded it: its item(s) (null for a step of one job), key and status. */
export type StepRow = [item: string | null, key: string, status: string];

/** Where a run's rows of a step are named from: the new run, step, block and line. */
export interface RowLink {
  readonly run: number;
  readonly step: string;
  readonly block: string;
  readonly line: number;
}

/** A failed job's attempt as its run kept it (`RunJobRow.record`). */
export interface KeptAttempt {
  readonly key: string;
  readonly identity: string | null;
  readonly record: string;
  readonly started: number | null;
  readonly ended: number;
}

export class RunRows {
  /** Whether `run_jobs` has the columns of a kept attempt (`keptAttempts`). */
  private keeps: boolean | undefined;

  private readonly stmts;

  constructor(private readonly db: Database.Database, private readonly bulk: BulkReads) {
    this.stmts = {
      // The step's rows by their names alone (the table's key: no row read), and those not ok by the partial index.
      count: db.prepare<{ run: number; step: string }, { n: number }>(`SELECT (SELECT count(*) FROM run_jobs WHERE run_id = @run AND job = @step)
        + (SELECT count(*) FROM run_jobs WHERE run_id = @run AND job >= @step || '[' AND job < @step || '\\') AS n`),
      notOk: db.prepare<[number, string], { n: number }>("SELECT count(*) AS n FROM run_jobs WHERE run_id = ? AND step = ? AND status NOT IN ('ok', 'cached')"),
      link: db.prepare(`INSERT OR REPLACE INTO run_links (run_id, step, block, line, source_run, source_step, jobs)
        VALUES (@run, @step, @block, @line, @source, @old, @jobs)`),
      named: db.prepare<[number], { n: number }>('SELECT coalesce(sum(jobs), 0) AS n FROM run_links WHERE run_id = ?'),
      began: db.prepare('INSERT OR REPLACE INTO run_steps (run_id, step, jobs) VALUES (?, ?, ?)'),
      source: db.prepare<[number, string], { run: number; step: string }>('SELECT source_run AS run, source_step AS step FROM run_links WHERE run_id = ? AND step = ?'),
      begun: db.prepare<[number], { step: string; jobs: number }>('SELECT step, jobs FROM run_steps WHERE run_id = ?'),
      jobsOf: db.prepare<[number, string], { jobs: number }>('SELECT jobs FROM run_steps WHERE run_id = ? AND step = ?'),
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
      const { n } = this.stmts.count.get({ run: source.run, step: source.step })!;
      if (n !== jobs || this.stmts.notOk.get(source.run, source.step)!.n !== 0) return false;
      this.stmts.link.run({ ...to, source: source.run, old: source.step, jobs: n });
      return true;
    }).immediate();
  }

  /** Run `run` began `step`, which has `jobs` jobs (cached or not). */
  began(run: number, step: string, jobs: number): void {
    this.stmts.began.run(run, step, jobs);
  }

  /** How many jobs run `run` began step `step` with, if it began it (and recorded it: not a run of an older Shark). */
  jobsOfStep(run: number, step: string): number | undefined {
    return this.stmts.jobsOf.get(run, step)?.jobs;
  }

  /** How many of the jobs of `step` run `run` recorded ended ok or were cached (jobs it never reached, Ctrl-C, have no row; named rows count). */
  endedOk(run: number, step: string): number {
    // A step whose rows the run names of an earlier run (renamed since) was linked only once that run had them all ok.
    const linked = this.stmts.source.get(run, step) === undefined ? 0 : this.stmts.jobsOf.get(run, step)?.jobs ?? 0;
    return linked + this.stmts.count.get({ run, step })!.n - this.stmts.notOk.get(run, step)!.n;
  }

  /** How many jobs each step run `run` began has (none for runs of an older Shark). */
  begun(run: number): Map<string, number> {
    return new Map(this.stmts.begun.all(run).map((r) => [r.step, r.jobs]));
  }

  /** How many rows run `run` names of earlier runs (all of them `cached`): counted without reading them. */
  named(run: number): number {
    return this.stmts.named.get(run)!.n;
  }

  /** Whether a run recorded any job (its own row, or one it names): two index probes. */
  any(runId: number): boolean {
    const probe = (table: string): boolean => this.bulk.statement(`SELECT 1 FROM ${table} WHERE run_id = ? LIMIT 1`).get(runId) !== undefined;
    return probe('run_jobs') || probe('run_links');
  }

  /** Whether a run recorded any job of `step` (its own row, or one it names): an index probe. */
  hasStep(runId: number, step: string): boolean {
    const probe = (sql: string): boolean => this.bulk.statement(`${sql} LIMIT 1`).get({ run: runId, step }) !== undefined;
    return probe(`SELECT 1 FROM (${OWN_OF_STEP})`) || probe(`SELECT 1 FROM (${NAMED_OF_STEP})`);
  }

  /**
   * The attempts of run `runId`'s failed jobs (of `step`, or every step) as
   * the run kept them in its rows, by job: none in rows written before they
   * were kept, or in a store made then and opened read-only (no column).
   */
  keptAttempts(runId: number, step?: string): Map<string, KeptAttempt> {
    const kept = new Map<string, KeptAttempt>();
    this.keeps ??= this.db.prepare("SELECT 1 FROM pragma_table_info('run_jobs') WHERE name = 'record'").get() !== undefined;
    if (!this.keeps) return kept;
    // The terms of the partial index `run_jobs_not_ok`, so that it is used.
    const sql = `SELECT job, key, identity, record, started, ended FROM run_jobs WHERE run_id = @run ${step === undefined ? '' : 'AND step = @step'}
      AND status NOT IN ('ok', 'cached') AND status = 'failed' AND record IS NOT NULL`;
    for (const r of this.bulk.statement(sql).all({ run: runId, step }) as (KeptAttempt & { job: string })[]) kept.set(r.job, r);
    return kept;
  }

  /** A run's rows of one step, its own and those it names, in no particular order. */
  ofStep(runId: number, step: string): StepRow[] {
    const params = { run: runId, step };
    return [
      ...(this.bulk.statement(OWN_OF_STEP, true).all(params) as StepRow[]),
      ...(this.bulk.statement(NAMED_OF_STEP, true).all(params) as StepRow[]),
    ];
  }

  /**
   * A run's rows of one step for these of its jobs (`step` or `step[…]`),
   * its own and those it names, looked up by the table's key a few hundred
   * at a time: what a plan asks of a slice of a million-item map's jobs
   * (`ofStep` read all the step's rows for each slice).
   */
  ofJobs(runId: number, step: string, jobs: readonly string[]): StepRow[] {
    const rows: StepRow[] = [];
    const read = (run: number, as: string, names: readonly string[], status?: string): void => {
      // By the table's key (`step` only checked: a condition on it in SQL could lead the planner elsewhere).
      for (const row of this.bulk.selectIn<[...StepRow, string]>('SELECT item, key, status, step FROM run_jobs WHERE run_id = ? AND job', names, true, [run])) {
        if (row[3] === as) rows.push([row[0], row[1], status ?? row[2]]);
      }
    };
    read(runId, step, jobs);
    const source = this.stmts.source.get(runId, step);
    // Named rows are the source step's jobs under their names there, and `cached` in this run (as `NAMED_OF_STEP`).
    if (source !== undefined) read(source.run, source.step, jobs.map((j) => source.step + j.slice(step.length)), 'cached');
    return rows;
  }

  /**
   * The step of run `runId` with an ok or cached job of one of `identities`
   * (a job's identity is its step's outputs as written, and its items): what
   * the run called the step, before its heading or the value of an axis it
   * names changed its id. By the indexes on results' identities and a run's
   * keys; the rows a run names are found through the few links it has.
   */
  stepOf(runId: number, identities: readonly string[]): string | undefined {
    const keys = 'SELECT key FROM results WHERE identity IN (SELECT value FROM json_each(@ids))';
    const row = this.bulk.statement(`SELECT step FROM run_jobs WHERE run_id = @run AND key IN (${keys}) AND status IN ('ok', 'cached')
      UNION ALL SELECT l.step FROM run_links l JOIN run_jobs j ON ${NAMED_ROWS} AND j.key IN (${keys}) WHERE l.run_id = @run LIMIT 1`, true)
      .get({ run: runId, ids: JSON.stringify(identities) }) as [string] | undefined;
    return row?.[0];
  }

  /** The keys of a run's rows, its own and those it names, in no particular order (no log read: what gc needs). */
  keys(runId: number): string[] {
    return this.bulk.statement('SELECT key FROM run_rows WHERE run_id = ?').pluck().all(runId) as string[];
  }

  /** Every row of a run, its own and those it names, in run order. */
  all(runId: number): RunJobRow[] {
    return this.db.prepare<[number], RunJobRow>(`${RUN_JOB('run_rows')} WHERE run_id = ? ORDER BY seq`).all(runId);
  }

  /**
   * The job that made a result in run `runId` (its own row of `key`, which it
   * ran): how that run named it, whatever a run that found it cached calls it.
   */
  maker(runId: number, key: string): { readonly job: string; readonly block: string } | undefined {
    return this.bulk.statement("SELECT job, block FROM run_jobs WHERE run_id = ? AND key = ? ORDER BY status = 'ok' DESC LIMIT 1")
      .get(runId, key) as { job: string; block: string } | undefined;
  }

  /** One job's row of a run (the page of its log), by the table's key, or among the rows the run names. */
  one(runId: number, job: string): RunJobRow | undefined {
    const own = this.bulk.statement(`${RUN_JOB('run_jobs')} WHERE run_id = ? AND job = ?`).get(runId, job) as RunJobRow | undefined;
    return own ?? (this.bulk.statement(LINKED_JOB).get({ run: runId, job }) as RunJobRow | undefined);
  }
}
