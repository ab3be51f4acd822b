import type Database from 'better-sqlite3';
import type { BulkReads } from './bulk-read.js';

/** The `trees` table: each directory snapshot's sorted entries as JSON text, by its id. */
export class TreeRows {
  private readonly stmts;

  constructor(private readonly db: Database.Database, private readonly bulk: BulkReads) {
    this.stmts = {
      get: db.prepare<[string], { entries: string }>('SELECT entries FROM trees WHERE id = ?'),
      put: db.prepare('INSERT OR IGNORE INTO trees (id, entries) VALUES (?, ?)'),
    };
  }

  get(id: string): string | undefined {
    return this.stmts.get.get(id)?.entries;
  }

  ids(): string[] {
    return this.db.prepare<[], { id: string }>('SELECT id FROM trees').all().map((r) => r.id);
  }

  drop(ids: readonly string[]): void {
    const drop = this.db.prepare('DELETE FROM trees WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) drop.run(id);
    })();
  }

  /** Stores a tree unless it is there: its text (megabytes for a large map's directory) is made only then. */
  put(id: string, entries: () => string): void {
    if (this.bulk.statement('SELECT 1 FROM trees WHERE id = ?').get(id) === undefined) this.stmts.put.run(id, entries());
  }
}
