import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Lineages as they were rendered, kept so that the full ancestry of a
 * reduce over 10,000 items is printed again in milliseconds instead of
 * read and rendered from 10,000 records (about a second). A rendering is
 * a pure function of the records of a run that has ended, but for what
 * changes records afterwards: `fsck --repair` dropping a result, a store
 * moved (a run's document renamed), a run ending, rows deleted by hand.
 * Triggers count each such change in `lineage_generation`, and a rendering
 * is found only under the count it was made at, so one made before any of
 * them is never shown after it. Nothing a run does to its own rows while it
 * runs is counted: a lineage read while any run lives is not kept (its rows,
 * or those of a run it reused, may still grow).
 *
 * The renderings are files in `lineage/` beside the database, each
 * `HEADER sha256 NL text`: one damaged or cut short is recomputed, not
 * shown. Only the newest are kept (`KEPT`, `KEPT_BYTES`).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS lineage_generation (one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO lineage_generation (one, n) VALUES (1, 0);
`;

/** Each `[table, event]` after which a kept lineage may no longer be what the records now say. */
const CHANGES: readonly [table: string, event: string][] = [
  ['repair_drops', 'INSERT'],
  ['repair_drops', 'DELETE'],
  ['results', 'DELETE'],
  ['results', 'UPDATE'],
  ['result_history', 'DELETE'],
  ['result_history', 'UPDATE'],
  ['runs', 'DELETE'],
  // A run's end too: a lineage read while it seemed alive (or had just ended) may hold its rows only in part.
  ['runs', 'UPDATE OF pipeline, place, status'],
  ['run_jobs', 'DELETE'],
  ['run_jobs', 'UPDATE'],
  ['run_links', 'DELETE'],
  ['run_links', 'UPDATE'],
  ['trees', 'DELETE'],
];

const HEADER = 'shark-lineage 1 ';
/** The newest renderings kept: at most this many, of at most this many bytes in all. */
const KEPT = 16;
const KEPT_BYTES = 256 * 1024 * 1024;

export class LineageMemos {
  private readonly dir: string;
  private readonly generationStmt;

  /** Run after every table `CHANGES` names is made. */
  static migrate(db: Database.Database): void {
    db.exec(SCHEMA);
    for (const [table, event] of CHANGES) {
      const name = `lineage_generation_${table}_${event.split(' ')[0]!.toLowerCase()}`;
      db.exec(`CREATE TRIGGER IF NOT EXISTS ${name} AFTER ${event} ON ${table} BEGIN UPDATE lineage_generation SET n = n + 1; END;`);
    }
  }

  constructor(db: Database.Database, storeDir: string) {
    this.dir = join(storeDir, 'lineage');
    this.generationStmt = db.prepare<[], number>('SELECT n FROM lineage_generation').pluck();
  }

  /** The count of changes to records that a rendering depends on: part of the key it is kept under. */
  generation(): number {
    return this.generationStmt.get() ?? 0;
  }

  /** The rendering kept under `key` (UTF-8), if one is there whole. */
  get(key: string): Buffer | undefined {
    let data: Buffer;
    try {
      data = readFileSync(join(this.dir, fileName(key)));
    } catch {
      return undefined;
    }
    const end = data.indexOf(10);
    if (end < 0 || !data.subarray(0, HEADER.length).equals(Buffer.from(HEADER))) return undefined;
    const body = data.subarray(end + 1);
    const sum = data.subarray(HEADER.length, end).toString('latin1');
    return createHash('sha256').update(body).digest('hex') === sum ? body : undefined;
  }

  /**
   * Keeps `text` under `key`, whole or not at all (written aside, then
   * renamed), and drops the oldest beyond `KEPT` or `KEPT_BYTES`. A store this user may
   * not write to (another's, shared) keeps nothing: it is only a shortcut.
   */
  put(key: string, text: string): void {
    const body = Buffer.from(text, 'utf8');
    if (body.length > KEPT_BYTES) return;
    const name = fileName(key);
    const aside = join(this.dir, `.${name}.${process.pid}`);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(aside, Buffer.concat([Buffer.from(`${HEADER}${createHash('sha256').update(body).digest('hex')}\n`), body]));
      renameSync(aside, join(this.dir, name));
      this.prune();
    } catch {
      rmSync(aside, { force: true });
    }
  }

  private prune(): void {
    const files = readdirSync(this.dir).filter((f) => !f.startsWith('.')).map((f) => {
      const s = statSync(join(this.dir, f), { throwIfNoEntry: false });
      return { f, time: s?.mtimeMs ?? 0, size: s?.size ?? 0 };
    });
    let total = 0;
    for (const [i, { f, size }] of files.sort((a, b) => b.time - a.time).entries()) {
      total += size;
      if (i >= KEPT || total > KEPT_BYTES) rmSync(join(this.dir, f), { force: true });
    }
  }
}

/** A rendering's file: its key hashed (keys hold paths and options). */
function fileName(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
