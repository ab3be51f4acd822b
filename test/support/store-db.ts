import Database from 'better-sqlite3';
import type { Rig } from './rig.js';

/** `use` on the rig's store database, opened for it alone and closed after: what a test edits in the store's records. */
export function withStoreDb<T>(rig: Rig, use: (db: Database.Database) => T): T {
  const db = new Database(rig.path('.shark/shark.sqlite'));
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Runs SQL statements on the rig's store database (a row edited by hand, as an attacker or a mishap would). */
export function storeSql(rig: Rig, statements: string): void {
  withStoreDb(rig, (db) => db.exec(statements));
}
