import type Database from 'better-sqlite3';
import { dirname, isAbsolute, relative } from 'node:path';
import { realPath } from '../real-path.js';
import type { SnapshotId } from './snapshot-store.js';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS published (target TEXT PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID;';

/**
 * The `published` table: what the last publish to each host path wrote
 * (the path with the links among its parents followed, and the data's id).
 * A publish replaces only what Shark put there itself: a target it has no
 * row for, in itself or in a directory it published, is the user's. A
 * target in the directory holding the store is recorded from there
 * (`./_shark/x.txt`), as runs are by their place: a project renamed or
 * copied with its `.shark/` still owns what it published (its next publish
 * was refused). Others, and rows of an older Shark, are absolute.
 */
export class PublishedRows {
  private readonly stmts;
  private readonly parent: string;

  constructor(db: Database.Database, storeDir: string) {
    this.parent = dirname(realPath(storeDir));
    this.stmts = {
      put: db.prepare('INSERT OR REPLACE INTO published (target, id) VALUES (?, ?)'),
      get: db.prepare<[string], SnapshotId>('SELECT id FROM published WHERE target = ?').pluck(),
    };
  }

  /** Creates the table (inside the caller's schema transaction). */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
  }

  /** Notes that `id` was published at `target`, after it is there whole: a crash in between leaves the old row. */
  put(target: string, id: SnapshotId): void {
    this.stmts.put.run(this.keyOf(target), id);
  }

  get(target: string): SnapshotId | undefined {
    const key = this.keyOf(target);
    return this.stmts.get.get(key) ?? (key === target ? undefined : this.stmts.get.get(target));
  }

  private keyOf(target: string): string {
    const rel = relative(this.parent, target);
    return rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel) ? target : `./${rel}`;
  }
}
