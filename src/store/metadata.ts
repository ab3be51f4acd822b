import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { makeDirs } from './make-dirs.js';
import { BulkReads } from './bulk-read.js';
import { OutputIndex, migrateOutputIndex, migrateShown } from './output-index.js';
import { OutcomeWriter, type Success, type SuccessRow } from './outcome-writer.js';
import { RunRows } from './run-rows.js';
import { RunTable } from './run-table.js';
import { OwnResults } from './own-results.js';
import { RunVariables } from './run-variables.js';
import { TreeRows } from './tree-rows.js';
import { FreedRows } from './freed-rows.js';
import { PublishedRows } from './published-rows.js';
import { ResultHistory } from './result-history.js';
import { StepMemos } from './step-memos.js';
import { LineageMemos } from './lineage-memos.js';
import { StatCache, type FileStat, type StatRow } from './stat-cache.js';
import { CheckpointAside } from './checkpoint-aside.js';
import type { SnapshotId } from './snapshot-store.js';
import { openDatabase, refuseLongPath, outputsOf, type AttemptRow, type ResultRow, type RunJobRow, type RunRow } from './metadata-schema.js';
import { parseStored, refuseEmptied } from './damaged-database.js';

export type { AttemptRow, LastAttempt, ResultRow, RunJobRow, RunRow } from './metadata-schema.js';
export { outputsOf } from './metadata-schema.js';

export type { Success, SuccessRow } from './outcome-writer.js';

/**
 * Results, attempts, runs and lineage, in SQLite inside the store. WAL with
 * synchronous=NORMAL survives a killed process (what `run` must survive);
 * each result is recorded in one transaction, whole or not at all.
 */
export class Metadata {
  readonly db: Database.Database;
  private readonly stmts;
  private readonly writer: OutcomeWriter;
  /** The log's checkpoints, on a thread of their own while a run commits many results. */
  private readonly checkpoints: CheckpointAside;
  /** The hashes of host files Shark has read, by their stat. */
  readonly stats: StatCache;
  /** Results' outputs by path and by content. */
  readonly outputs: OutputIndex;
  /** Reads of many rows at once. */
  readonly bulk: BulkReads;
  /** What fully cached map steps came to. */
  readonly memos: StepMemos;
  /** Runs' rows, written and named. */
  readonly runRows: RunRows;
  /** Directory snapshots' entries (`TreeTable` caches them). */
  readonly trees: TreeRows;
  /** What was removed on purpose (gc, a modified input), and why. */
  readonly freed: FreedRows;
  /** What each publish wrote, by target: what a publish may replace. */
  readonly published: PublishedRows;
  /** The runs, by document. */
  readonly runTable: RunTable;
  /** Results as the runs that made or reused them had them, since replaced. */
  readonly history: ResultHistory;
  /** The variables each run gave its jobs. */
  readonly runVariables: RunVariables;
  /** A document's own results and attempts, not another document's at the same /data path. */
  readonly own: OwnResults;
  /** Large lineages as they were rendered, kept while the records they came from stay unchanged. */
  readonly lineages: LineageMemos;

  constructor(dir: string) {
    // Before any folder is made for a store that could not be opened.
    refuseLongPath(join(dir, 'shark.sqlite'));
    makeDirs(dir);
    refuseEmptied(dir);
    this.db = openDatabase(join(dir, 'shark.sqlite'), [StatCache.migrate, migrateOutputIndex, StepMemos.migrate, RunRows.migrate, FreedRows.migrate, PublishedRows.migrate, TreeRows.migrate, RunTable.migrate(dir), ResultHistory.migrate, migrateShown, LineageMemos.migrate]);
    this.lineages = new LineageMemos(this.db, dir);
    this.checkpoints = new CheckpointAside(this.db);
    this.outputs = new OutputIndex(this.db);
    this.bulk = new BulkReads(this.db);
    this.memos = new StepMemos(this.db);
    this.runRows = new RunRows(this.db, this.bulk);
    this.trees = new TreeRows(this.db, this.bulk);
    this.freed = new FreedRows(this.db);
    this.published = new PublishedRows(this.db, dir);
    this.runTable = new RunTable(this.db, dir);
    this.history = new ResultHistory(this.db);
    this.runVariables = new RunVariables(this.db);
    this.own = new OwnResults(this.db, this.bulk, this.runTable, this.runRows, this.runVariables);
    this.stats = new StatCache(this.db, (select, values) => this.bulk.selectIn<StatRow>(select, values, true));
    this.writer = new OutcomeWriter(this.db);
    this.stmts = {
      result: this.db.prepare<[string], ResultRow>('SELECT * FROM results WHERE key = ?'),
      outputs: this.db.prepare<[string], { outputs: string; log: string | null }>('SELECT outputs, log FROM results WHERE key = ?'),
    };
  }

  result(key: string): ResultRow | undefined {
    return this.stmts.result.get(key);
  }

  /**
   * Whether any result is recorded for a job of the step whose identity is
   * `step` (`plan/jobs.ts` stepIdentity): its own, or, for a map's jobs,
   * `step` NUL item… — one probe of the identity index.
   */
  anyResultOf(step: string): boolean {
    return this.anyOfStep('results', step);
  }

  /** Whether any attempt is recorded for a job of the step whose identity is `step` (`anyResultOf`). */
  anyAttemptOf(step: string): boolean {
    return this.anyOfStep('attempts', step);
  }

  private anyOfStep(table: 'results' | 'attempts', step: string): boolean {
    return this.bulk.statement(`SELECT 1 FROM ${table} WHERE identity >= ? AND identity < ? LIMIT 1`).get(step, `${step}\u0001`) !== undefined;
  }

  /**
   * The keys of every result and last attempt of a job of the step whose
   * identity is `step` (its map items' included): what finds a step's jobs
   * among a run's rows when its id has moved since (`shark logs`).
   */
  keysOfIdentity(step: string): Set<string> {
    const rows = this.bulk.statement(`SELECT key FROM results WHERE identity >= @step AND identity < @end
      UNION SELECT key FROM attempts WHERE identity >= @step AND identity < @end`, true).all({ step, end: `${step}\u0001` }) as [string][];
    return new Set(rows.map(([key]) => key));
  }

  /** Just the outputs and log of a result: what deciding "cached" needs, without the bulky record. */
  resultOutputs(key: string): { outputs: string; log: string | null } | undefined {
    return this.stmts.outputs.get(key);
  }

  /**
   * The outputs of many results at once (no log): from the narrow outputs
   * index (`BulkReads.rowsWhere`: looked up, or read whole when they are
   * most of it, and then other keys' outputs are there too); only keys it
   * lacks (a result with no outputs) are asked of the wide results table,
   * and only when some of the jobs declare none
   * (`outputless`): a plan of a million new jobs looked every key up twice.
   * Objects without a prototype: a plain object per distinct output path
   * gave each of a million jobs a hidden class of its own.
   */
  resultOutputsMany(keys: readonly string[], outputless = true): Map<string, Record<string, SnapshotId>> {
    const found = new Map<string, Record<string, SnapshotId>>();
    for (const [key, path, id] of this.bulk.rowsWhere<[string, string, string]>('result_outputs', ['key', 'path', 'id'], ['key', 'path'], keys, false)) {
      let outputs = found.get(key);
      if (outputs === undefined) found.set(key, (outputs = Object.create(null) as Record<string, SnapshotId>));
      outputs[path] = id;
    }
    // Only a result with no outputs has no row there: keys of jobs that declare outputs are not looked for twice.
    const rest = outputless ? keys.filter((k) => !found.has(k)) : [];
    for (const r of this.bulk.selectIn<{ key: string; outputs: string }>('SELECT key, outputs FROM results WHERE key', rest)) {
      found.set(r.key, outputsOf(r.outputs));
    }
    return found;
  }

  /** Those of `keys` that have a result. */
  resultKeysAmong(keys: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const r of this.bulk.selectIn<{ key: string }>('SELECT key FROM results WHERE key', keys)) found.add(r.key);
    return found;
  }

  /** `result` of many keys at once, in a few queries. */
  resultsMany(keys: readonly string[]): Map<string, ResultRow> {
    const found = new Map<string, ResultRow>();
    for (const r of this.bulk.selectIn<ResultRow>('SELECT * FROM results WHERE key', keys)) found.set(r.key, r);
    return found;
  }

  /** Many small writes as one transaction (one WAL append instead of one per row). */
  batch(fn: () => void): void {
    this.db.transaction(fn)();
  }

  /** A failed job's key record (it has no result to read it from): its run's row's (`kept`), or in older rows the latest attempt with its key. */
  attemptRecord(key: string, kept: string | null): { outputs: readonly string[] } | undefined {
    const record = kept ?? this.db.prepare<[string], { record: string }>('SELECT record FROM attempts WHERE key = ? ORDER BY ended DESC LIMIT 1').get(key)?.record;
    return record === undefined ? undefined : parseStored<{ outputs: readonly string[] }>(record, 'a result');
  }

  /**
   * A successful job: its result, its attempt, its place in the run, and the
   * end of its lease, in one transaction: other runs waiting on the lease see
   * the result in the same instant they see the lease go.
   */
  recordSuccess(result: ResultRow, job: SuccessRow, lease?: string): void {
    this.recordSuccesses([{ result, job, lease }]);
  }

  /** `n` results are about to be committed (a map step's jobs to run): the log's checkpoints may move to their thread now. */
  expectResults(n: number): void {
    this.checkpoints.expect(n);
  }

  /** Several successful jobs in one transaction (`exec/run/commit-queue.ts`), whole or not at all (`OutcomeWriter.successes`). */
  recordSuccesses(batch: readonly Success[]): void {
    this.writer.successes(batch);
    this.checkpoints.committed(batch.length);
  }

  /** A failed job: never a result, but its attempt and log are kept. */
  recordFailure(attempt: AttemptRow, job: RunJobRow, lease?: string): void {
    this.writer.failure(attempt, job, lease);
  }

  recordRunJob(job: RunJobRow): void {
    this.writer.runJob(job);
  }

  /**
   * Many run rows in one transaction: a map's cached jobs. A row a
   * statement, bound by position (200,000 rows: 1.3 s, where a few hundred
   * rows per statement took 1.9 s). A cached row without a log is read with
   * its result's (`runJobs`): looking a million logs up while recording
   * cost seconds.
   */
  recordRunJobs(jobs: readonly RunJobRow[]): void {
    const put = this.bulk.statement('INSERT OR REPLACE INTO run_jobs (run_id, job, step, block, line, item, key, status, log, reason, exit_code) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
    this.db.transaction(() => {
      for (const j of jobs) put.run(j.run_id, j.job, j.step, j.block, j.line, j.item, j.key, j.status, j.log, j.reason ?? null, j.exit_code ?? null);
    })();
  }

  /** Drops results (so their jobs run again): what fsck --repair does, noting that it did (`ResultHistory.repaired`). */
  dropResults(keys: readonly string[]): void {
    this.db.transaction(() => {
      for (const key of keys) {
        this.history.noteRepair(key);
        this.db.prepare('DELETE FROM results WHERE key = ?').run(key);
      }
    })();
  }

  allResults(): Pick<ResultRow, 'key' | 'outputs' | 'record' | 'started'>[] {
    return this.db.prepare<[], Pick<ResultRow, 'key' | 'outputs' | 'record' | 'started'>>('SELECT key, outputs, record, started FROM results').all();
  }

  /** When `fsck` last found every object sound (its start, ms), if ever. */
  lastCleanCheck(): number | undefined {
    return this.db.prepare<[], { at: number }>("SELECT at FROM checks WHERE name = 'clean'").get()?.at;
  }

  noteCleanCheck(at: number): void {
    // A store read-only to this user: the check is said, not noted (the next run's jobs read bytes checked again).
    if (this.db.readonly) return;
    this.db.prepare("INSERT OR REPLACE INTO checks (name, at) VALUES ('clean', ?)").run(at);
  }

  startRun(pipeline: string, document?: string, variables?: readonly (readonly [string, string])[]): number {
    return this.runTable.start(pipeline, document, variables);
  }

  endRun(id: number, status: string, summary: object): void {
    this.runTable.end(id, status, summary);
  }

  /** A live run's heartbeat: how a run on another host sharing the store is known to be alive. */
  beatRun(id: number): void {
    this.runTable.beat(id);
  }

  /** The runs of a document (by its path, or its place beside the store: `run-table.ts`), newest first. */
  runs(pipeline: string): RunRow[] {
    return this.runTable.of(pipeline);
  }

  latestRun(pipeline: string): RunRow | undefined {
    return this.runs(pipeline)[0];
  }

  /** Runs of any pipeline whose process is still alive (what `gc --delete` must not race with). */
  liveRuns(): RunRow[] {
    return this.runTable.live();
  }

  /** Every job of a run, its own rows and those it names of an earlier run (`run-rows.ts`), in run order. */
  runJobs(runId: number): RunJobRow[] {
    return this.runRows.all(runId).map((r) => this.withLog(r));
  }

  /** What the jobs of a run that did not end ok or cached write (`RunJobRow.identity`), by job. */
  unfinishedIdentities(runId: number): Map<string, string> {
    const rows = this.db.prepare<[number], { job: string; identity: string }>('SELECT job, identity FROM run_jobs WHERE run_id = ? AND identity IS NOT NULL').all(runId);
    return new Map(rows.map((r) => [r.job, r.identity]));
  }

  /** One job's row of a run (the page of its log). */
  runJob(runId: number, job: string): RunJobRow | undefined {
    const row = this.runRows.one(runId, job);
    return row === undefined ? undefined : this.withLog(row);
  }

  /** The row with its log where the store is now (`RunTable.logAt`): the same row when it has not moved. */
  private withLog(row: RunJobRow): RunJobRow {
    if (row.log === null) return row;
    const log = this.runTable.logAt(row.log);
    return log === row.log ? row : { ...row, log };
  }

  /** The content hash of a host file through the stat cache. */
  hashFile(path: string, known?: FileStat): string {
    return this.stats.hashFile(path, known);
  }

  close(): void {
    this.checkpoints.stop();
    this.db.close();
  }
}
