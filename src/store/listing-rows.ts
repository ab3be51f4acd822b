import type Database from 'better-sqlite3';

/** What a directory's listing is taken under: while these are unchanged, no entry was added, removed or renamed in it. */
export interface DirStat {
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/**
 * The names of large directories holding only files, kept from one process
 * to the next: a plan reads a map's input of a million files for links before
 * it hashes them, and `readdir` of a million names cost ~1.6 s of the main
 * thread each time, where the names as kept are read in ~0.1 s.
 */
export interface PlainListings {
  /** The names of `dir` as kept while it showed `st`, or undefined (read it). */
  recall(dir: string, st: DirStat): string[] | undefined;
  /**
   * Keeps the names of `dir`, read under `st`, every one of them a file's.
   * The caller checks that `st` has settled, and records only what it could
   * not recall: an unchanged directory is not written again.
   */
  record(dir: string, st: DirStat, names: readonly string[]): void;
}

const TABLE = `CREATE TABLE IF NOT EXISTS stat_listings (
  path TEXT PRIMARY KEY, ino INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, names TEXT NOT NULL)`;

/** A name never holds a slash: the names are kept as one text, joined by it. */
const SEP = '/';

/** `PlainListings` in the store's database, beside the stat cache: one row a directory, the last read. */
export class ListingRows implements PlainListings {
  private readonly get;
  private readonly put;

  /** Creates the table (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(TABLE);
  }

  constructor(db: Database.Database) {
    // A store only this process reads (read-only to its user, made by a Shark before the table) has none: nothing is kept.
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stat_listings'").get() !== undefined;
    this.get = has ? db.prepare<[string], [bigint, bigint, bigint, string]>('SELECT ino, mtime, ctime, names FROM stat_listings WHERE path = ?').raw(true).safeIntegers(true) : undefined;
    this.put = has && !db.readonly ? db.prepare('INSERT OR REPLACE INTO stat_listings (path, ino, mtime, ctime, names) VALUES (?, ?, ?, ?, ?)') : undefined;
  }

  recall(dir: string, st: DirStat): string[] | undefined {
    const row = this.get?.get(dir);
    if (row === undefined || row[0] !== st.ino || row[1] !== st.mtimeNs || row[2] !== st.ctimeNs) return undefined;
    return row[3].split(SEP);
  }

  record(dir: string, st: DirStat, names: readonly string[]): void {
    this.put?.run(dir, st.ino, st.mtimeNs, st.ctimeNs, names.join(SEP));
  }
}
