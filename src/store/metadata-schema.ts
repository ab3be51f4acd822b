/** The metadata database's tables, made and opened (its rows: metadata-rows.ts). */
import Database from 'better-sqlite3';
import { accessSync, chmodSync, closeSync, constants, copyFileSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { makeScratchDir } from '../scratch-dir.js';
import { STORE_FORMAT, recordFormat, refuseNewer } from './store-format.js';

export { outputsOf, type AttemptRow, type LastAttempt, type ResultRow, type RunJobRow, type RunRow } from './metadata-rows.js';

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
-- A run's rows that did not end ok, by step: few, so a run naming a million cached rows of an earlier one finds none of
-- them without reading the million (RunRows.link). Partial: no other statement can use it (one on (run_id, step) led
-- the planner away from the table's key for lookups of a step's jobs by name).
DROP INDEX IF EXISTS run_jobs_step;
CREATE INDEX IF NOT EXISTS run_jobs_not_ok ON run_jobs (run_id, step) WHERE status NOT IN ('ok', 'cached');
DROP TABLE IF EXISTS stat_cache;
CREATE INDEX IF NOT EXISTS results_identity ON results (identity, ended);
CREATE TABLE IF NOT EXISTS trees (id TEXT PRIMARY KEY, entries TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (id TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime TEXT NOT NULL, ino INTEGER NOT NULL);
-- When fsck last found every object sound (\`checks.clean\`, ms): a job that started before then read sound bytes.
CREATE TABLE IF NOT EXISTS checks (name TEXT PRIMARY KEY, at INTEGER NOT NULL);
-- One row: the store's format (store-format.ts): raised by a change an older Shark would misread or gc wrongly.
CREATE TABLE IF NOT EXISTS store_format (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, run_id INTEGER, since INTEGER NOT NULL, beat INTEGER NOT NULL);
`;

/** Columns added after the first release: added in place, so older stores open. */
const ADDED_COLUMNS: readonly [table: string, column: string, type: string][] = [
  ['runs', 'pid', 'INTEGER'],
  ['runs', 'host', 'TEXT'],
  ['runs', 'beat', 'INTEGER'],
  ['run_jobs', 'reason', 'TEXT'],
  ['run_jobs', 'exit_code', 'INTEGER'],
  ['run_jobs', 'identity', 'TEXT'],
  ['attempts', 'reason', 'TEXT'],
  ['attempts', 'exit_code', 'INTEGER'],
  ['runs', 'version', 'TEXT'],
  // What a lineage shows of the result (output-index.ts SHOWN); null in rows written before it.
  ['results', 'shown', 'TEXT'],
  // The job a run's lease is for, once its command started (leases.ts `running`): what `shark serve` shows as running (null before, for other leases, and in older rows).
  ['leases', 'job', 'TEXT'],
  // The document's path from the directory holding the store (run-table.ts): found again after both moved.
  ['runs', 'place', 'TEXT'],
  // When the holder process started (liveness.ts): a process given a dead holder's pid is not taken for it. Null in older rows.
  ['runs', 'pid_start', 'TEXT'],
  ['leases', 'pid_start', 'TEXT'],
  // The run that made the attempt: a plan compares a job with its own document's last attempt (null in older rows).
  ['attempts', 'run_id', 'INTEGER'],
  // The sha256 of the document the run read: an export of the run says whether the document is still that one (null in older rows).
  ['runs', 'document', 'TEXT'],
  // The variables the run gave its jobs (run-variables.ts): a `{precious}` job it kept has another run's in its key (null in older rows).
  ['runs', 'variables', 'TEXT'],
  // When a failed job's command started (outcome-writer.ts): the crate's action of it has a start as a finished job's has.
  ['attempts', 'started', 'INTEGER'],
  // A failed job's attempt in its run's row (outcome-writer.ts): a later attempt at the same outputs, by any run, replaces `attempts`' (null in other and older rows).
  ['run_jobs', 'record', 'TEXT'],
  ['run_jobs', 'started', 'INTEGER'],
  ['run_jobs', 'ended', 'INTEGER'],
];

/**
 * The store's database, opened for several processes at once, its schema
 * made or brought up to date (with each part's own `migrations`) in one
 * write transaction.
 */
export function openDatabase(file: string, migrations: readonly ((db: Database.Database) => void)[]): Database.Database {
  try {
    return openShared(file, migrations);
  } catch (e) {
    if (!notWritable(e, file)) throw e;
  }
  const db = openReadOnly(file);
  let format: number;
  try {
    format = refuseNewer(db);
  } catch (e) {
    db.close();
    throw e;
  }
  if (format >= STORE_FORMAT) return db;
  // An older Shark's store lacks tables and columns every command reads: read through a copy brought up to date.
  db.close();
  const updated = mergedCopy(file, migrations);
  if (updated !== undefined) return updated;
  throw Object.assign(new Error("it is read-only to you, and an older Shark made it: no copy brought up to date could be made to read it from (no room?); its owner's next shark command brings it up to date"), { code: 'SQLITE_READONLY' });
}

/** The longest path of a database SQLite opens (512 bytes with its terminator), its `-wal` beside it included. */
const SQLITE_PATH_MAX = 511 - '-wal'.length;

/**
 * A database whose path SQLite cannot open (it resolves it whole, links
 * too, and takes 512 bytes at most): said in words before a file is made,
 * where a project moved ~490 bytes deep got `unable to open database file`
 * and an empty `shark.sqlite` left behind.
 */
export function refuseLongPath(file: string): void {
  const bytes = Buffer.byteLength(resolve(file));
  if (bytes <= SQLITE_PATH_MAX) return;
  throw Object.assign(new Error(`its database's path is ${bytes} bytes long, and SQLite opens none longer than ${SQLITE_PATH_MAX}: keep the store on a shorter path (--store DIR, or $SHARK_STORE)`), { code: 'SQLITE_CANTOPEN', tooLong: true });
}

/**
 * A new database file made as other files are, 0666 under the umask: SQLite
 * makes it 0644 whatever the umask, so a store a group shares (umask 002, a
 * setgid directory) was read-only to every member but its first user. Its
 * `-wal` and `-shm` files take the database file's mode.
 */
function makeUnderUmask(file: string): void {
  try {
    closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o666));
  } catch {
    // There already, or not writable here: opening it says which.
  }
}

function openShared(file: string, migrations: readonly ((db: Database.Database) => void)[]): Database.Database {
  makeUnderUmask(file);
  const db = new Database(file, { nativeBinding: nativeBinding() });
  try {
    // First: every statement after it, the switch to WAL included, waits for another process's lock instead of failing.
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // 64 MiB of pages (the default is 2 MiB): a million-item map's keys are looked up and inserted in random order.
    db.pragma('cache_size = -65536');
    db.transaction(() => {
      // First: a newer Shark's store is left as it is.
      const format = refuseNewer(db);
      db.exec(SCHEMA);
      for (const [table, column, type] of ADDED_COLUMNS) {
        const has = db.prepare(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`).get(column);
        if (has === undefined) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
      for (const migrate of migrations) migrate(db);
      recordFormat(db, format);
    }).immediate();
  } catch (e) {
    // Closed, not left holding the file: the caller may open it another way (make-room.ts).
    db.close();
    throw e;
  }
  return db;
}

/**
 * The database opened for this process alone (`locking_mode = EXCLUSIVE`),
 * only to be read: WAL then keeps its index in memory instead of the file
 * it shares between processes, which a full disk has no room for. Fails
 * while another process has the database open.
 */
export function openAlone(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, nativeBinding: nativeBinding() });
  db.pragma('locking_mode = EXCLUSIVE');
  return db;
}

/** Whether opening `file` for writing failed because this user may not write it or its directory (a colleague's store, read-only media). */
function notWritable(e: unknown, file: string): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^SQLITE_(READONLY|CANTOPEN)/.test(code) || !existsSync(file)) return false;
  try {
    accessSync(file, constants.W_OK);
    accessSync(dirname(file), constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/**
 * A store this user can read but not write, opened only to be read (its
 * `readonly` is then true: `run` and the other commands that write say so).
 * SQLite reads a WAL database through the index file beside it, made by the
 * first process to open it: where none can be made (the store's folder is
 * not ours), the database is read as a file nothing changes (`immutable`),
 * unless a run left writes in its `-wal` that only a writer can merge.
 */
function openReadOnly(file: string): Database.Database {
  const direct = new Database(file, { readonly: true, fileMustExist: true, nativeBinding: nativeBinding() });
  try {
    direct.prepare('SELECT 1 FROM runs LIMIT 1').get();
    return direct;
  } catch {
    direct.close();
  }
  if ((statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) {
    const merged = mergedCopy(file);
    if (merged !== undefined) return merged;
    throw Object.assign(new Error(`it is read-only to you, and holds writes a run has not merged yet (${file}-wal): a run is in progress there, or one was killed; its owner's next shark command merges them`), { code: 'SQLITE_READONLY' });
  }
  return new Database(`file:${encodeURI(resolve(file))}?immutable=1`, { readonly: true, fileMustExist: true, nativeBinding: nativeBinding() });
}

/**
 * The database with the writes its `-wal` holds, merged in a copy of both
 * in a folder of our own (a killed run's store copied without its `-shm`,
 * or the `-shm` not readable), and brought up to date with `migrations`
 * when they are given (an older Shark's store): read as a file nothing
 * changes, the copy removed at once (the open file is read until it is
 * closed). Undefined when no copy can be made (no room): the caller says
 * why the store is not read.
 */
function mergedCopy(file: string, migrations?: readonly ((db: Database.Database) => void)[]): Database.Database | undefined {
  let dir: string | undefined;
  try {
    dir = makeScratchDir('shark-merged-');
    const copy = join(dir, 'shark.sqlite');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    // A copy keeps its file's mode: those of a store made read-only (`chmod -R a-w`) could not be merged.
    for (const f of [copy, `${copy}-wal`]) if (existsSync(f)) chmodSync(f, 0o600);
    const merging = migrations === undefined ? new Database(copy, { nativeBinding: nativeBinding() }) : openShared(copy, migrations);
    try {
      merging.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      merging.close();
    }
    return new Database(`file:${encodeURI(copy)}?immutable=1`, { readonly: true, fileMustExist: true, nativeBinding: nativeBinding() });
  } catch {
    return undefined;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

let addon: unknown;

/**
 * better-sqlite3's compiled addon, loaded by its path: the package would
 * find it through `bindings`, which searches a dozen places for it from the
 * caller's stack (~1–2 ms of every command). Loaded with URI file names
 * allowed (`openReadOnly`'s `immutable`): every other name Shark opens is
 * an absolute path, which no URI begins like.
 */
function nativeBinding(): string {
  // The option takes the loaded addon too; its type names only a path.
  if (addon !== undefined) return addon as string;
  const had = process.env['SQLITE_USE_URI'];
  // Read once, as the addon loads; not left in the environment the jobs inherit.
  process.env['SQLITE_USE_URI'] = '1';
  try {
    const require = createRequire(import.meta.url);
    addon = require(require.resolve('better-sqlite3/build/Release/better_sqlite3.node')) as unknown;
  } finally {
    if (had === undefined) delete process.env['SQLITE_USE_URI'];
    else process.env['SQLITE_USE_URI'] = had;
  }
  return addon as string;
}
