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

/**
 * Up to this many ids, the trees holding them are found by a text search for
 * each (LIKE: some ten times faster a tree than reading its JSON), past it by
 * one pass reading every tree's entries for all of them.
 */
const SEARCHED = 8;

/** An entry of a recorded tree (stored, or freed by gc). */
export interface HeldEntry {
  readonly tree: string;
  readonly name: string;
  readonly id: string;
}

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

  /**
   * The entries of trees whose content is one of `ids` (exactly: the caller
   * asks for both modes of a file's bytes): stored trees and those gc forgot
   * (`freed_trees`), as `recorded` reads a tree, each tree's entry once (a
   * tree stored again after gc freed it is in both). All at once: a pass over
   * the table for each of a directory's entries, every tree found read whole,
   * made `why` of a 1,500-item map's directory take 12 s.
   */
  holding(ids: readonly string[]): HeldEntry[] {
    const wanted = new Set(ids);
    const all = [...this.holdingIn('trees', wanted), ...this.holdingIn('freed_trees', wanted)];
    return [...new Map(all.map((e) => [`${e.tree}\0${e.name}`, e])).values()];
  }

  private holdingIn(table: 'trees' | 'freed_trees', wanted: ReadonlySet<string>): HeldEntry[] {
    if (wanted.size > SEARCHED) {
      const select = `SELECT t.id, e.value ->> 'name', e.value ->> 'id' FROM ${table} t, json_each(t.entries) e
        WHERE e.value ->> 'id' IN (SELECT value FROM json_each(?))`;
      return (this.bulk.statement(select, true).all(JSON.stringify([...wanted])) as [string, string, string][]).map(([tree, name, id]) => ({ tree, name, id }));
    }
    // Each tree found once, however many of the ids it holds.
    const found = new Map<string, string>();
    const search = this.bulk.statement(`SELECT id, entries FROM ${table} WHERE entries LIKE ?`);
    for (const id of wanted) for (const r of search.all(`%"${id}"%`) as { id: string; entries: string }[]) found.set(r.id, r.entries);
    return [...found].flatMap(([tree, text]) => (JSON.parse(text) as { name: string; id: string }[]).filter((e) => wanted.has(e.id)).map((e) => ({ tree, name: e.name, id: e.id })));
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
