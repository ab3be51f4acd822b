import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import type { AttemptRow, ResultRow, RunJobRow } from './metadata-schema.js';
import { SHOWN } from './output-index.js';

/** A job's place in its run, as `recordSuccess` completes it. */
export type SuccessRow = Omit<RunJobRow, 'status' | 'key' | 'log' | 'run_id'>;

/** A successful job's result and run row, and the lease it releases. */
export interface Success {
  readonly result: ResultRow;
  readonly job: SuccessRow;
  readonly lease?: string | undefined;
}

/**
 * The statements that record jobs' outcomes (`Metadata`), held here: a
 * success's four rows, and those a failure or a cached job writes.
 */
export class OutcomeWriter {
  private readonly putResult;
  private readonly putAttempt;
  private readonly putRunJob;
  private readonly putFailedRunJob;
  private readonly dropLease;
  private readonly host = hostname();

  constructor(private readonly db: Database.Database) {
    this.putResult = db.prepare(
      `INSERT OR REPLACE INTO results (key, identity, record, outputs, meta, log, started, ended, run_id, shown)
        VALUES (@key, @identity, @record, @outputs, @meta, @log, @started, @ended, @run_id, ${SHOWN('@record', '@meta', '@outputs')})`,
    );
    this.putAttempt = db.prepare(
      'INSERT OR REPLACE INTO attempts (identity, key, status, record, log, started, ended, reason, exit_code, run_id) VALUES (@identity, @key, @status, @record, @log, @started, @ended, @reason, @exit_code, @run_id)',
    );
    this.putRunJob = db.prepare(
      'INSERT OR REPLACE INTO run_jobs (run_id, job, step, block, line, item, key, status, log, reason, exit_code, identity) VALUES (@run_id, @job, @step, @block, @line, @item, @key, @status, @log, @reason, @exit_code, @identity)',
    );
    this.putFailedRunJob = db.prepare(
      `INSERT OR REPLACE INTO run_jobs (run_id, job, step, block, line, item, key, status, log, reason, exit_code, identity, record, started, ended)
        VALUES (@run_id, @job, @step, @block, @line, @item, @key, @status, @log, @reason, @exit_code, @identity, @record, @started, @ended)`,
    );
    this.dropLease = db.prepare('DELETE FROM leases WHERE name = ? AND pid = ? AND host = ?');
  }

  /**
   * Several successful jobs in one transaction: each one's result, attempt,
   * place in the run and the end of its lease (other runs waiting on the
   * lease see the result in the same instant they see the lease go). The
   * batch commits or none of it does.
   */
  successes(batch: readonly Success[]): void {
    this.db.transaction(() => {
      for (const { result, job, lease } of batch) {
        this.putResult.run(result);
        this.putAttempt.run({
          identity: result.identity, key: result.key, status: 'ok', record: result.record, log: result.log, started: result.started, ended: result.ended, reason: null, exit_code: 0, run_id: result.run_id,
        });
        this.putRunJob.run({ ...job, run_id: result.run_id, key: result.key, status: 'ok', log: result.log, reason: null, exit_code: 0, identity: null });
        if (lease !== undefined) this.dropLease.run(lease, process.pid, this.host);
      }
    })();
  }

  /**
   * A failed job: never a result, but its attempt, its place in the run and
   * its log are kept, and its lease ends. The attempt goes in its run's row
   * too: the `attempts` row is the newest attempt at the job's outputs, which
   * the next run, or another document's, replaces.
   */
  failure(attempt: AttemptRow, job: RunJobRow, lease?: string): void {
    this.db.transaction(() => {
      this.putAttempt.run({ started: null, reason: null, exit_code: null, run_id: job.run_id, ...attempt });
      this.putFailedRunJob.run({ reason: null, exit_code: null, identity: null, ...job, record: attempt.record, started: attempt.started ?? null, ended: attempt.ended });
      if (lease !== undefined) this.dropLease.run(lease, process.pid, this.host);
    })();
  }

  /** A job's place in the run alone (a cached job, one left out). */
  runJob(job: RunJobRow): void {
    this.putRunJob.run({ reason: null, exit_code: null, identity: null, ...job });
  }
}
