import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { hashFileSync } from './hash.js';
import { ListingRows } from './listing-rows.js';

/** What a file's hash is trusted by: unchanged, these say its bytes are unchanged. */
export interface FileStat {
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
}

/**
 * Whether a file whose status last changed at `ctimeNs` changed long
 * enough ago for its stat to vouch for its bytes. A file written again
 * within the same tick of the clock that stamps it shows the same times:
 * read in between, its hash would be trusted stale for good. So a file that
 * changed within a tick of now is hashed again next time, as git does with
 * its "racily clean" entries. The tick: Linux stamps files from a clock
 * that moves every few milliseconds (100 ms is ample); a time in whole
 * seconds is from a file system that keeps no finer (ext3, FAT: 2 s).
 */
export function settled(ctimeNs: bigint, nowNs = BigInt(Date.now()) * 1_000_000n): boolean {
  const tick = ctimeNs % 1_000_000_000n === 0n ? 2_000_000_000n : 100_000_000n;
  return ctimeNs < nowNs - tick;
}

/** A row as read: path, size, mtime and ctime (ns), inode, hash. */
export type StatRow = [path: string, size: bigint, mtime: bigint, ctime: bigint, ino: bigint, hash: string];

const COLUMNS = 'SELECT path, size, mtime, ctime, ino, hash FROM stat_cache3';

const TABLE = `CREATE TABLE IF NOT EXISTS stat_cache3 (
  path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL,
  ino INTEGER NOT NULL, hash TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stat_dirs (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, tree TEXT NOT NULL) WITHOUT ROWID`;

/**
 * The hash of each host file Shark has read, with the stat it was read
 * under: a plan over unchanged inputs reads no file's bytes. Rows are kept in
 * path order (`WITHOUT ROWID`) with the times as integer nanoseconds, so a
 * directory's files, asked for in name order, are one range scan: about
 * 1.5 µs a file, where a lookup per path cost 6.
 */
export class StatCache {
  private readonly one;
  private readonly range;
  private readonly put;
  private readonly dirGet;
  private readonly dirPut;
  /** Large directories' names, for a walk in the next process (`listing-rows.ts`). */
  readonly listings: ListingRows;

  constructor(
    private readonly db: Database.Database,
    /** `SELECT … WHERE column` IN each few hundred values, rows as arrays with bigint integers. */
    private readonly selectIn: (select: string, values: readonly string[]) => Iterable<StatRow>,
  ) {
    this.one = db.prepare<[string], StatRow>(`${COLUMNS} WHERE path = ?`).raw(true).safeIntegers(true);
    this.range = db.prepare<[string, string, number], StatRow>(`${COLUMNS} WHERE path >= ? AND path <= ? LIMIT ?`).raw(true).safeIntegers(true);
    this.put = db.prepare('INSERT OR REPLACE INTO stat_cache3 (path, size, mtime, ctime, ino, hash) VALUES (?, ?, ?, ?, ?, ?)');
    this.dirGet = db.prepare<[string], { fingerprint: string; tree: string }>('SELECT fingerprint, tree FROM stat_dirs WHERE path = ?');
    // Written only when it changes: a plan of a directory never run on rewrites nothing.
    this.dirPut = db.prepare(`INSERT INTO stat_dirs (path, fingerprint, tree) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE
      SET fingerprint = excluded.fingerprint, tree = excluded.tree WHERE fingerprint != excluded.fingerprint OR tree != excluded.tree`);
    this.listings = new ListingRows(db);
  }

  /** Creates the table (inside the caller's schema transaction), moving the rows of the older one. */
  static migrate(db: Database.Database): void {
    db.exec(TABLE);
    ListingRows.migrate(db);
    // Stores made before kept the times as text, in a table with a second index.
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'stat_cache2'").get() !== undefined) {
      db.exec(`INSERT OR IGNORE INTO stat_cache3
        SELECT path, size, CAST(mtime AS INTEGER), CAST(ctime AS INTEGER), ino, hash FROM stat_cache2; DROP TABLE stat_cache2`);
    }
  }

  /** The hash of `path` when its stat matches the one it was hashed under. */
  static fresh(row: StatRow | undefined, st: FileStat): string | undefined {
    return row !== undefined && row[1] === st.size && row[2] === st.mtimeNs && row[3] === st.ctimeNs && row[4] === st.ino ? row[5] : undefined;
  }

  /** The file's hash, read from disk only when its size, times or inode changed since. */
  hashFile(path: string, known?: FileStat): string {
    const st = known ?? statSync(path, { bigint: true });
    const cached = StatCache.fresh(this.one.get(path), st);
    if (cached !== undefined) return cached;
    const hash = hashFileSync(path);
    this.putMany([[path, st, hash]]);
    return hash;
  }

  /**
   * The cached hashes of many files (undefined where stale or unknown). Paths
   * of one directory in ascending order, as `contentIdOfTree` and ingest
   * give them, are read as one range; others a few hundred per statement.
   */
  hashesOf(files: readonly { readonly path: string; readonly st: FileStat }[]): (string | undefined)[] {
    const rows = new Map<string, StatRow>();
    let rest = files.map((f) => f.path);
    if (files.length > 1 && oneDirAscending(files)) {
      // Bounded: rows left of a subdirectory's files in between (or of one since removed) fall back to lookups.
      const limit = files.length * 4;
      const found = this.range.all(files[0]!.path, files.at(-1)!.path, limit);
      if (found.length < limit) return merged(files, found);
      for (const r of found) rows.set(r[0], r);
      rest = rest.filter((p) => !rows.has(p));
    }
    for (const r of this.selectIn(`${COLUMNS} WHERE path`, rest)) rows.set(r[0], r);
    return files.map((f) => StatCache.fresh(rows.get(f.path), f.st));
  }

  /**
   * The tree id a host directory had when a walk of it had this fingerprint
   * (`dir-fingerprint.ts`): one row a directory, the last walked.
   */
  treeOf(path: string, fingerprint: string): string | undefined {
    const row = this.dirGet.get(path);
    return row?.fingerprint === fingerprint ? row.tree : undefined;
  }

  hasTree(path: string): boolean {
    return this.dirGet.get(path) !== undefined;
  }

  putTree(path: string, fingerprint: string, tree: string): void {
    // A store read-only to this user (metadata-schema.ts `openReadOnly`) caches nothing: its hashes are read each time.
    if (!this.db.readonly) this.dirPut.run(path, fingerprint, tree);
  }

  /** Records hashes just read, in one transaction: those of files changed too recently are not kept (`settled`). */
  putMany(rows: readonly (readonly [path: string, st: FileStat, hash: string])[]): void {
    const now = BigInt(Date.now()) * 1_000_000n;
    rows = rows.filter(([, st]) => settled(st.ctimeNs, now));
    if (rows.length === 0 || this.db.readonly) return;
    this.db.transaction(() => {
      for (const [path, st, hash] of rows) this.put.run(path, st.size, st.mtimeNs, st.ctimeNs, st.ino, hash);
    })();
  }

}

/**
 * The hashes of files in ascending order from the rows of their range, in
 * path order too: walked side by side, without a map of a million paths
 * (~0.5 s of a 1,000,000-item plan). Where SQLite orders a name otherwise
 * than JavaScript does (UTF-8 bytes against UTF-16 units), a row passed by
 * is a miss, hashed again: never a wrong hash.
 */
function merged(files: readonly { readonly path: string; readonly st: FileStat }[], rows: readonly StatRow[]): (string | undefined)[] {
  const out = new Array<string | undefined>(files.length);
  let r = 0;
  for (let i = 0; i < files.length; i++) {
    const { path, st } = files[i]!;
    while (r < rows.length && rows[r]![0] < path) r++;
    out[i] = r < rows.length && rows[r]![0] === path ? StatCache.fresh(rows[r], st) : undefined;
  }
  return out;
}

/** Whether every path is in the first one's directory (not below it), ascending: one range holds them all. */
function oneDirAscending(files: readonly { readonly path: string }[]): boolean {
  const first = files[0]!.path;
  const dir = first.slice(0, first.lastIndexOf('/') + 1);
  let previous = '';
  for (const { path } of files) {
    if (path <= previous || !path.startsWith(dir) || path.indexOf('/', dir.length) >= 0) return false;
    previous = path;
  }
  return true;
}
