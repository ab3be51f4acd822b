import type Database from 'better-sqlite3';
import type { BulkReads } from './bulk-read.js';
import type { LastAttempt, ResultRow } from './metadata-schema.js';
import type { RunRows, StepRow } from './run-rows.js';
import type { RunVariables } from './run-variables.js';
import { shellRunOf, type RunTable } from './run-table.js';

type Latest = Pick<ResultRow, 'key' | 'record' | 'outputs' | 'log'>;

/** A last attempt and the run that made it (null when unknown: older rows, or a result standing in for another document's attempt). */
export type OwnAttempt = LastAttempt & { readonly run: number | null };

/**
 * A document's own results and attempts. Documents sharing a store may
 * each have a block writing the same /data path (the same job identity):
 * what one of them kept or last tried is not the other's.
 */
export class OwnResults {
  // Prepared once: a `{precious}` map asks it for each of its jobs.
  private readonly latest;
  private readonly owned;

  constructor(
    db: Database.Database, private readonly bulk: BulkReads, private readonly runTable: RunTable, private readonly runRows: RunRows,
    private readonly variables: RunVariables,
  ) {
    // Ordered by the newest run that made or used it, not by when it was made: a result made by a run whose edit was then reverted is older than the one the next run used again.
    this.latest = db.prepare<[string, string, string, string], Latest>(
      `SELECT key, record, outputs, log FROM results r WHERE identity = ?
         AND (run_id IN (SELECT value FROM json_each(?)) OR key IN (SELECT key FROM run_rows WHERE run_id IN (SELECT value FROM json_each(?))))
       ORDER BY (SELECT max(run_id) FROM run_rows u WHERE u.key = r.key AND u.status IN ('ok', 'cached') AND u.run_id IN (SELECT value FROM json_each(?))) DESC,
         ended DESC LIMIT 1`);
    this.owned = db.prepare<[string, string, string], { one: number }>(
      `SELECT 1 AS one FROM results WHERE key = ?
         AND (run_id IN (SELECT value FROM json_each(?)) OR key IN (SELECT key FROM run_rows WHERE run_id IN (SELECT value FROM json_each(?)))) LIMIT 1`);
  }

  /** Whether a run of `pipeline` made or used the result stored under `key`: one made only by another document's is not its own. */
  ownsKey(key: string, pipeline: string): boolean {
    const runs = JSON.stringify(this.runTable.of(pipeline).map((r) => r.id));
    return this.owned.get(key, runs, runs) !== undefined;
  }

  /**
   * The result of a job identity (whatever its key) that the newest run of `pipeline` to make or use one
   * used: what a `{precious}` block keeps when its definition changed, never another document's at the
   * same /data path.
   */
  latestResult(identity: string, pipeline: string): Latest | undefined {
    const runs = JSON.stringify(this.runTable.of(pipeline).map((r) => r.id));
    return this.latest.get(identity, runs, runs, runs);
  }

  /**
   * What a plan says of the last attempts of many identities (a step's jobs
   * to run) in document `pipeline`: looked up, or the table read whole when
   * they are most of it (a map whose command changed asks for every item's).
   * An attempt another document's run made is not what changed: the
   * document's own newest result stands in for it, when it has one.
   * Attempts recorded before they named their run are taken as they are.
   */
  lastAttempts(identities: readonly string[], pipeline: string): Map<string, OwnAttempt> {
    const found = new Map<string, OwnAttempt>();
    let mine: { ids: Set<number>; json: string } | undefined;
    const columns = ['identity', 'key', 'status', 'record', 'run_id'];
    // Integers come as BigInt from the bulk read.
    type Row = [string, string, LastAttempt['status'], string, bigint | null];
    for (const [identity, key, status, record, run] of this.bulk.rowsWhere<Row>('attempts', columns, ['identity'], identities)) {
      if (run !== null) mine ??= this.runsOf(pipeline);
      if (run === null || mine!.ids.has(Number(run))) found.set(identity, { key, status, record, run: run === null ? null : Number(run) });
      else {
        // Already the result the newest of the document's runs used: nothing newer to look for.
        const own = this.latest.get(identity, mine!.json, mine!.json, mine!.json);
        if (own !== undefined) found.set(identity, { key: own.key, status: 'ok', record: own.record, run: null });
      }
    }
    return found;
  }

  /**
   * The last attempts of step `step`'s jobs in document `pipeline`, by item
   * (as a run's rows name it: null for a step of one job), found through the
   * document's runs, newest first, back to one that ended ok. A job's
   * identity is its step's outputs as written: after they are renamed
   * (`+.txt` → `+`), this is how a plan still finds what the same item's job
   * was, and says what changed instead of "new item". Indexed reads only: a
   * step no run has rows of costs one probe per run. `finished`: whether a
   * run finished the step: reached every item it began it with, none failed
   * (a run that ended ok did; one whose later step failed may have).
   */
  lastAttemptsOfStep(step: string, pipeline: string): { byItem: Map<string | null, LastAttempt & { readonly identity: string }>; finished: boolean } {
    const rows = new Map<string | null, { key: string; status: string; run: number }>();
    let finished = false;
    for (const run of this.runTable.of(pipeline)) {
      const own = this.runRows.ofStep(run.id, step);
      for (const [item, key, status] of own) if (!rows.has(item)) rows.set(item, { key, status, run: run.id });
      // A run that began a map with no items to map over finished it too: an item found since is new.
      const began = own.length > 0 || this.runRows.jobsOfStep(run.id, step) === 0;
      if (began && (run.status === 'ok' || this.finishedStep(run.id, step, own))) {
        finished = true;
        break;
      }
    }
    const found = new Map<string | null, LastAttempt & { readonly identity: string }>();
    if (rows.size === 0) return { byItem: found, finished };
    const records = new Map<string, { record: string; identity: string }>();
    const keys = [...new Set([...rows.values()].map((r) => r.key))];
    const columns = ['key', 'record', 'identity'];
    for (const [key, record, identity] of this.bulk.rowsWhere<[string, string, string]>('results', columns, ['key'], keys)) records.set(key, { record, identity });
    // A failed job's attempt as its run kept it: `attempts` has the newest at its outputs, maybe another document's.
    const failedIn = new Set([...rows.values()].filter((r) => r.status === 'failed' && !records.has(r.key)).map((r) => r.run));
    for (const run of failedIn) {
      for (const a of this.runRows.keptAttempts(run, step).values()) if (a.identity !== null && !records.has(a.key)) records.set(a.key, { record: a.record, identity: a.identity });
    }
    const failed = keys.filter((k) => !records.has(k));
    // Rows written before runs kept their attempts. Attempts have no index on their key: read as results are, the table scanned once when they are most of it.
    for (const [key, record, identity] of this.bulk.rowsWhere<[string, string, string]>('attempts', columns, ['identity'], failed)) records.set(key, { record, identity });
    for (const [item, { key, status }] of rows) {
      const made = records.get(key);
      if (made !== undefined) found.set(item, { key, status: status === 'failed' ? 'failed' : 'ok', ...made });
    }
    return { byItem: found, finished };
  }

  /** Whether run `run`'s rows `own` of step `step` are every job it began the step with, none failed. */
  private finishedStep(run: number, step: string, own: readonly StepRow[]): boolean {
    return own.length === this.runRows.jobsOfStep(run, step) && own.every(([, , status]) => status !== 'failed');
  }

  /**
   * The keys the newest runs of document `pipeline` (its shell sessions'
   * included) newer than run `after` used for step `step`'s `jobs` (ok or
   * cached; each job's name by its item), by item, with the run: a job's attempt is the last run that
   * executed it, and a later run may have used another result (an edit run,
   * then reverted). Runs newest first, until each item is found: in the
   * usual case, where the newest run made the attempts, none is read. A run
   * with no row under the step's id may have called it otherwise (a heading
   * renamed since, or the one value of an axis it names changed): its rows
   * are read under the id it had there, found by the jobs' `identities`.
   */
  usedSince(step: string, pipeline: string, jobs: ReadonlyMap<string | null, string>, after: number, identities: readonly string[]): Map<string | null, { key: string; run: number }> {
    return this.usedIn([...this.runsOf(pipeline).ids].filter((id) => id > after), step, jobs, identities);
  }

  /**
   * As `usedSince`, of the runs of document `pipeline` that gave their jobs
   * `variables` (JSON pairs, as `RunVariables` has them): a run with other
   * values (`-e V=2`) is passed over, and is never read.
   */
  usedWith(step: string, pipeline: string, jobs: ReadonlyMap<string | null, string>, variables: string, identities: readonly string[]): Map<string | null, { key: string; run: number }> {
    return this.usedIn([...this.runsOf(pipeline).ids], step, jobs, identities, (run) => this.variables.of(run) === variables);
  }

  /** The keys the newest of `runs` (those `asked`) used for the jobs, by item: `usedSince`'s walk. */
  private usedIn(
    runs: number[], step: string, jobs: ReadonlyMap<string | null, string>, identities: readonly string[], asked: (run: number) => boolean = () => true,
  ): Map<string | null, { key: string; run: number }> {
    const used = new Map<string | null, { key: string; run: number }>();
    const names = [...jobs.values()];
    for (const run of runs.sort((a, b) => b - a)) {
      if (!asked(run)) continue;
      let rows = this.runRows.ofJobs(run, step, names);
      const was = rows.length === 0 ? this.runRows.stepOf(run, identities) : undefined;
      // A job's name is its step's id, alone or followed by `[items]`.
      if (was !== undefined && was !== step) rows = this.runRows.ofJobs(run, was, names.map((n) => was + n.slice(step.length)));
      for (const [item, key, status] of rows) {
        if ((status === 'ok' || status === 'cached') && jobs.has(item) && !used.has(item)) used.set(item, { key, run });
      }
      if (used.size === jobs.size) break;
    }
    return used;
  }

  /** The identity and record of each of `keys` that has a result. */
  resultsOf(keys: readonly string[]): Map<string, { identity: string; record: string }> {
    const found = new Map<string, { identity: string; record: string }>();
    for (const [key, identity, record] of this.bulk.rowsWhere<[string, string, string]>('results', ['key', 'identity', 'record'], ['key'], keys)) {
      found.set(key, { identity, record });
    }
    return found;
  }

  /** The runs of a document, its shell sessions' included: by id, and as the JSON array the statement takes. */
  private runsOf(pipeline: string): { ids: Set<number>; json: string } {
    const ids = [...this.runTable.of(pipeline), ...this.runTable.of(shellRunOf(pipeline))].map((r) => r.id);
    return { ids: new Set(ids), json: JSON.stringify(ids) };
  }
}
