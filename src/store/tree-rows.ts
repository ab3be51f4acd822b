import type Database from 'better-sqlite3';
import type { BulkReads } from './bulk-read.js';

/**
 * `freed_trees`: the entries of the trees gc forgot, moved out of `trees`
 * (so that the store no longer counts them as stored), kept for the
 * lineage of the older runs whose results name them, as those results are
 * kept: which files a directory an import wrote held, and so which job
 * wrote an entry a cached job read.
 */
const SCHEMA = 'CREATE TABLE IF NOT EXISTS freed_trees (id TEXT PRIMARY KEY, entries TEXT NOT NULL);';

/** The `trees` table: each directory snapshot's sorted entries as JSON text, by its id. */
export class TreeRows {
  private readonly stmts;

  constructor(private readonly db: Database.Database, private readonly bulk: BulkReads) {
    this.stmts = {
      get: db.prepare<[string], { entries: string }>('SELECT entries FROM trees WHERE id = ?'),
      recorded: db.prepare<[string, string], string>('SELECT entries FROM trees WHERE id = ? UNION ALL SELECT entries FROM freed_trees WHERE id = ? LIMIT 1').pluck(),
      put: db.prepare('INSERT OR IGNORE INTO trees (id, entries) VALUES (?, ?)'),
    };
  }

  /** Creates `freed_trees` (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  /** A stored tree's entries; undefined for one gc forgot. */
  get(id: string): string | undefined {
    return this.stmts.get.get(id)?.entries;
  }

  /** A tree's entries as recorded when it was stored, also after gc forgot it: what a run's data held. */
  recorded(id: string): string | undefined {
    return this.stmts.recorded.get(id, id);
  }

  ids(): string[] {
    return this.db.prepare<[], { id: string }>('SELECT id FROM trees').all().map((r) => r.id);
  }

  /** Forgets these trees as stored, their entries kept in `freed_trees`. */
  drop(ids: readonly string[]): void {
    const keep = this.db.prepare('INSERT OR IGNORE INTO freed_trees (id, entries) SELECT id, entries FROM trees WHERE id = ?');
    const drop = this.db.prepare('DELETE FROM trees WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) {
        keep.run(id);
        drop.run(id);
      }
    })();
  }

  /** Deletes trees whose recorded entries are not what their ids say (fsck --repair): nothing of them is kept. */
  discard(ids: readonly string[]): void {
    const drop = this.db.prepare('DELETE FROM trees WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => drop.run(id)))();
  }

  /** Stores a tree unless it is there: its text (megabytes for a large map's directory) is made only then. */
  put(id: string, entries: () => string): void {
    if (this.bulk.statement('SELECT 1 FROM trees WHERE id = ?').get(id) === undefined) this.stmts.put.run(id, entries());
  }
}
