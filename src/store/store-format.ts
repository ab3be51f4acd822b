/** The store's format, and the refusal of a store a newer Shark made. */
import type Database from 'better-sqlite3';

/**
 * The store's format, recorded in it (table `store_format`): raised when a
 * change makes a store unsafe for an older Shark to use, one that would
 * misread it or free data it does not know is wanted (a Shark before
 * `run_links` freed the data of the steps a run reused). A Shark refuses a
 * store of a newer format before it changes anything; it records its own
 * in an older one (an older Shark's store has no record: format 0).
 */
export const STORE_FORMAT = 1;

function storeFormat(db: Database.Database): number {
  const recorded = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_format'").get() !== undefined;
  return recorded ? (db.prepare<[], number | null>('SELECT max(version) FROM store_format').pluck().get() ?? 0) : 0;
}

/** Throws when a newer Shark made or used the store: what it recorded there this one may misread, or destroy. */
export function refuseNewer(db: Database.Database): number {
  const format = storeFormat(db);
  if (format > STORE_FORMAT) {
    const words = `it was made or used by a newer Shark (store format ${format}; this Shark knows format ${STORE_FORMAT} and older): use that Shark, or upgrade this one`;
    throw Object.assign(new Error(words), { code: 'SHARK_NEWER_STORE' });
  }
  return format;
}

/** Records this Shark's format in a store of an older format (in the transaction that brought it up to date). */
export function recordFormat(db: Database.Database, format: number): void {
  if (format < STORE_FORMAT) db.exec(`DELETE FROM store_format; INSERT INTO store_format VALUES (${STORE_FORMAT})`);
}
