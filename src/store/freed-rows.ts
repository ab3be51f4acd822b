import type Database from 'better-sqlite3';
import type { Freed, SnapshotId } from './snapshot-store.js';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS freed (id TEXT PRIMARY KEY, why TEXT NOT NULL);';

/**
 * The `freed` table: stored data removed on purpose (by gc, or discarded
 * after a job modified it in place), and why. Results of older runs still
 * name such data, so that their lineage stays; this is how fsck and export
 * tell it from damage. A row outlives the data being stored again: a store
 * asks it only about data it finds gone and holds no record of.
 */
export class FreedRows {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      put: db.prepare('INSERT OR REPLACE INTO freed (id, why) VALUES (?, ?)'),
      why: db.prepare<[string], Freed>('SELECT why FROM freed WHERE id = ?').pluck(),
    };
  }

  /** Creates the table (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  /** Notes `ids` as removed on purpose, before they are removed: a crash in between leaves them present. */
  mark(ids: readonly SnapshotId[], why: Freed): void {
    this.db.transaction(() => {
      for (const id of ids) this.stmts.put.run(id, why);
    })();
  }

  why(id: SnapshotId): Freed | undefined {
    return this.stmts.why.get(id);
  }
}
