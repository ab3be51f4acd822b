import Database from 'better-sqlite3';
import { mkdirSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { hashFileSync } from './hash.js';

export interface ResultRow {
  readonly key: string;
  readonly identity: string;
  readonly record: string;
  /** JSON: { "/data/x": "sha256:…" } */
  readonly outputs: string;
  /** JSON: block, line, command, env, host, version, exit status… */
  readonly meta: string;
  readonly log: string | null;
  readonly started: number;
  readonly ended: number;
  readonly run_id: number;
}

export interface AttemptRow {
  readonly identity: string;
  readonly key: string;
  readonly status: 'ok' | 'failed';
  readonly record: string;
  readonly log: string | null;
  readonly ended: number;
}

export interface RunJobRow {
  readonly run_id: number;
  readonly job: string;
  readonly step: string;
  readonly block: string;
  readonly line: number;
  readonly item: string | null;
  readonly key: string;
  readonly status: string;
  readonly log: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS results (
  key TEXT PRIMARY KEY, identity TEXT NOT NULL, record TEXT NOT NULL, outputs TEXT NOT NULL,
  meta TEXT NOT NULL, log TEXT, started INTEGER NOT NULL, ended INTEGER NOT NULL, run_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
  identity TEXT PRIMARY KEY, key TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL,
  log TEXT, ended INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, started INTEGER NOT NULL,
  ended INTEGER, status TEXT NOT NULL, summary TEXT);
CREATE TABLE IF NOT EXISTS run_jobs (
  run_id INTEGER NOT NULL, job TEXT NOT NULL, step TEXT NOT NULL, block TEXT NOT NULL, line INTEGER NOT NULL,
  item TEXT, key TEXT NOT NULL, status TEXT NOT NULL, log TEXT, PRIMARY KEY (run_id, job));
CREATE TABLE IF NOT EXISTS stat_cache (
  path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime TEXT NOT NULL, ino INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trees (id TEXT PRIMARY KEY, entries TEXT NOT NULL);
`;

/**
 * Results, attempts, runs and lineage, in SQLite inside the store. WAL with
 * synchronous=NORMAL survives a killed process (what `run` must survive);
 * each result is one transaction, so it is recorded whole or not at all.
 */
export class Metadata {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'shark.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
    this.stmts = {
      result: this.db.prepare<[string], ResultRow>('SELECT * FROM results WHERE key = ?'),
      outputs: this.db.prepare<[string], { outputs: string; log: string | null }>('SELECT outputs, log FROM results WHERE key = ?'),
      attempt: this.db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE identity = ?'),
      putResult: this.db.prepare(
        'INSERT OR REPLACE INTO results (key, identity, record, outputs, meta, log, started, ended, run_id) VALUES (@key, @identity, @record, @outputs, @meta, @log, @started, @ended, @run_id)',
      ),
      putAttempt: this.db.prepare(
        'INSERT OR REPLACE INTO attempts (identity, key, status, record, log, ended) VALUES (@identity, @key, @status, @record, @log, @ended)',
      ),
      putRunJob: this.db.prepare(
        'INSERT OR REPLACE INTO run_jobs (run_id, job, step, block, line, item, key, status, log) VALUES (@run_id, @job, @step, @block, @line, @item, @key, @status, @log)',
      ),
      stat: this.db.prepare<[string], { size: number; mtime: string; ino: number; hash: string }>('SELECT size, mtime, ino, hash FROM stat_cache WHERE path = ?'),
      putStat: this.db.prepare('INSERT OR REPLACE INTO stat_cache (path, size, mtime, ino, hash) VALUES (?, ?, ?, ?, ?)'),
      tree: this.db.prepare<[string], { entries: string }>('SELECT entries FROM trees WHERE id = ?'),
      putTree: this.db.prepare('INSERT OR IGNORE INTO trees (id, entries) VALUES (?, ?)'),
    };
  }

  result(key: string): ResultRow | undefined {
    return this.stmts.result.get(key);
  }

  /** Just the outputs and log of a result: what deciding "cached" needs, without the bulky record. */
  resultOutputs(key: string): { outputs: string; log: string | null } | undefined {
    return this.stmts.outputs.get(key);
  }

  /** Many small writes as one transaction (one WAL append instead of one per row). */
  batch(fn: () => void): void {
    this.db.transaction(fn)();
  }

  attempt(identity: string): AttemptRow | undefined {
    return this.stmts.attempt.get(identity);
  }

  /** A successful job: its result, its attempt and its place in the run, in one transaction. */
  recordSuccess(result: ResultRow, job: Omit<RunJobRow, 'status' | 'key' | 'log' | 'run_id'>): void {
    this.db.transaction(() => {
      this.stmts.putResult.run(result);
      this.stmts.putAttempt.run({ identity: result.identity, key: result.key, status: 'ok', record: result.record, log: result.log, ended: result.ended });
      this.stmts.putRunJob.run({ ...job, run_id: result.run_id, key: result.key, status: 'ok', log: result.log });
    })();
  }

  /** A failed job: never a result, but its attempt and log are kept. */
  recordFailure(attempt: AttemptRow, job: RunJobRow): void {
    this.db.transaction(() => {
      this.stmts.putAttempt.run(attempt);
      this.stmts.putRunJob.run(job);
    })();
  }

  recordRunJob(job: RunJobRow): void {
    this.stmts.putRunJob.run(job);
  }

  startRun(pipeline: string): number {
    const info = this.db.prepare('INSERT INTO runs (pipeline, started, status) VALUES (?, ?, ?)').run(pipeline, Date.now(), 'running');
    return Number(info.lastInsertRowid);
  }

  endRun(id: number, status: string, summary: object): void {
    this.db.prepare('UPDATE runs SET ended = ?, status = ?, summary = ? WHERE id = ?').run(Date.now(), status, JSON.stringify(summary), id);
  }

  latestRun(pipeline: string): { id: number; started: number; ended: number | null; status: string } | undefined {
    return this.db.prepare<[string], { id: number; started: number; ended: number | null; status: string }>(
      'SELECT id, started, ended, status FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT 1',
    ).get(pipeline);
  }

  runJobs(runId: number): RunJobRow[] {
    return this.db.prepare<[number], RunJobRow>('SELECT * FROM run_jobs WHERE run_id = ? ORDER BY rowid').all(runId);
  }

  tree(id: string): string | undefined {
    return this.stmts.tree.get(id)?.entries;
  }

  putTree(id: string, entries: string): void {
    this.stmts.putTree.run(id, entries);
  }

  /**
   * Content hash of a host file, read only when its size, mtime or inode
   * changed since the last time: a second plan over unchanged inputs reads no
   * file contents.
   */
  hashFile(path: string, known?: BigIntStats): string {
    const st = known ?? statSync(path, { bigint: true });
    const mtime = st.mtimeNs.toString();
    const cached = this.stmts.stat.get(path);
    if (cached !== undefined && cached.size === Number(st.size) && cached.mtime === mtime && cached.ino === Number(st.ino)) {
      return cached.hash;
    }
    const hash = hashFileSync(path);
    this.stmts.putStat.run(path, Number(st.size), mtime, Number(st.ino), hash);
    return hash;
  }

  close(): void {
    this.db.close();
  }
}
