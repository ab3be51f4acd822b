import type Database from 'better-sqlite3';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether `e` is SQLite finding the store's database damaged
 * (`SQLITE_CORRUPT…`, `SQLITE_NOTADB`): bytes of `shark.sqlite` changed
 * behind its back (a bad disk, a copy taken mid-write, an edit). Not a bug of
 * Shark: said in one line (`damagedMessage`), never as an internal error.
 */
export function damagedDatabase(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  // SQLite's JSON functions read only values Shark stored as `JSON.stringify` wrote them (or binds it made so).
  if (code === 'SQLITE_ERROR' && message === 'malformed JSON') return true;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * A value Shark stored as JSON, parsed: one that no longer parses was damaged
 * in the file (SQLite keeps no checksums), and is said as damage, not as a bug;
 * so is one that parses to another shape than `shaped` accepts.
 */
export function parseStored<T>(text: string, what: string, shaped?: (value: unknown) => boolean): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw damage(`cannot parse ${what} recorded in it: ${(e as Error).message}`);
  }
  // Valid JSON of another shape (a row edited by hand) is damage too (stored-shapes.ts), not a crash further on.
  if (shaped !== undefined && !shaped(value)) throw damage(`${what} recorded in it is not of the shape Shark writes`);
  return value as T;
}

/** An error saying the database is damaged (`damagedDatabase` knows it): what SQLite says of a page it cannot read. */
export function damage(message: string): Error {
  return Object.assign(new Error(message), { code: 'SQLITE_CORRUPT' });
}

/**
 * Refuses a `shark.sqlite` cut to nothing (`truncate -s 0`, a copy that
 * failed) in a store holding objects or logs its runs recorded there: SQLite
 * would open the empty file as a new database, and every run would be
 * forgotten without a word. An empty file with a write-ahead log that holds
 * something is a store being made (the log is copied into the file later);
 * a file moved aside, as `damagedMessage` says, is absent, not empty.
 */
export function refuseEmptied(dir: string): void {
  const size = (name: string): number | undefined => tried(() => statSync(join(dir, name)).size);
  if (size('shark.sqlite') !== 0 || (size('shark.sqlite-wal') ?? 0) > 0) return;
  if (holdsRecordedData(dir)) throw damage('shark.sqlite is empty, though the store holds data its runs recorded there');
}

/** Whether the store directory `dir` holds objects or logs, which its runs recorded in its database (`fsck` of one whose database was moved aside says so). */
export function holdsRecordedData(dir: string): boolean {
  const holds = (name: string): boolean => (tried(() => readdirSync(join(dir, name)).length) ?? 0) > 0;
  return holds('objects') || holds('logs');
}

/** What cannot be looked at (the store not a directory) is for opening the database to say. */
function tried<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** What is said of a damaged database: what SQLite found, and the ways out. */
export function damagedMessage(found: string): string {
  return `the store's database is damaged (${found.split('\n')[0]}): restore its shark.sqlite from a backup, ` +
    'or move that file aside (its stored data stays; the next run records the store afresh and runs every job again; a publish then refuses the files it would change that were published before, which are no longer known as Shark\'s: move those away too)';
}

/**
 * What SQLite's own check finds wrong in the whole database, or undefined when
 * it is sound: `fsck` runs it first, as damage to a table the commands do not
 * read on their way (`results`, when `plan` reads `result_outputs`) would
 * otherwise go unnoticed, and nothing a damaged database says can be trusted.
 */
export function databaseDamage(db: Database.Database): string | undefined {
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const found = rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
    if (found.length > 0) return found.join('\n').replace(/^\*\*\* in database main \*\*\*\n/, '');
    return unparsable(db);
  } catch (e) {
    if (damagedDatabase(e)) return (e as Error).message;
    throw e;
  }
}

/** The columns Shark writes with `JSON.stringify`, by table: what the commands parse as they read. */
const JSON_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  results: ['record', 'outputs', 'meta', 'shown'],
  attempts: ['record'],
  trees: ['entries'],
  freed_trees: ['entries'],
  result_history: ['record', 'outputs', 'meta', 'shown'],
  step_memos: ['outputs'],
};

/**
 * A JSON value that no longer parses, named by its table and column: bytes
 * changed inside a value leave the file well-formed, so SQLite's check
 * passes it, and the command that reads it would stop on it.
 */
function unparsable(db: Database.Database): string | undefined {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]));
  for (const [table, columns] of Object.entries(JSON_COLUMNS)) {
    if (!tables.has(table)) continue;
    for (const column of columns) {
      const bad = db.prepare(`SELECT 1 FROM ${table} WHERE ${column} IS NOT NULL AND NOT json_valid(${column}) LIMIT 1`).get();
      if (bad !== undefined) return `a value of ${table}.${column} is not valid JSON`;
      const shape = SHAPES[column]?.(column);
      const other = shape === undefined ? undefined : db.prepare(`SELECT 1 FROM ${table} WHERE ${column} IS NOT NULL AND NOT (${shape}) LIMIT 1`).get();
      if (other !== undefined) return `a value of ${table}.${column} is not of the shape Shark writes`;
    }
  }
  return undefined;
}

/**
 * What the readers of each JSON column rely on, in SQL (stored-shapes.ts
 * checks it as a value is read): a value edited into JSON of another shape
 * is found by `fsck` as one that does not parse is.
 */
const SHAPES: Readonly<Record<string, (c: string) => string>> = {
  // `IS`, not `=`: a missing field is NULL, which `=` would let pass.
  record: (c) => `json_type(${c}) IS 'object' AND json_type(${c}, '$.inputs') IS 'array' AND json_type(${c}, '$.kind') IS 'text'`,
  outputs: (c) => `json_type(${c}) IS 'object'`,
  meta: (c) => `json_type(${c}) IS 'object' AND json_type(${c}, '$.command') IS 'text' AND json_type(${c}, '$.items') IS 'array'`,
  shown: (c) => `json_type(${c}) IS 'array' AND json_type(${c}, '$[0]') IS 'array' AND json_type(${c}, '$[1]') IS 'array' AND json_type(${c}, '$[2]') IS 'object'`,
  entries: (c) => `json_type(${c}) IS 'array'`,
};
