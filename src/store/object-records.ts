import type { Stats } from 'node:fs';
import type { Metadata } from './metadata.js';
import type { SnapshotId } from './snapshot-store.js';
import type { StatSlice } from './stat-ahead.js';

/** Up to this many object records are read at once (about 100 bytes each in memory). */
const PRELOAD_LIMIT = 200_000;

/** What was seen of an object when it was stored: its size, modification time (ms, as text) and inode. */
export interface Recorded {
  readonly size: number;
  readonly mtime: string;
  readonly ino: number;
}

/** Whether two sightings of an object (or a sighting and its record) agree. */
export function sameRecord(a: Recorded, b: Recorded): boolean {
  return a.size === b.size && a.mtime === b.mtime && a.ino === b.ino;
}

/** What a record is made of: a `Stats`, or those fields of one a worker sent. */
export type Recordable = Pick<Stats, 'size' | 'mtimeMs' | 'ino'>;

/** A stat as `Recorded` holds it. */
export function recordOf(st: Recordable): Recorded {
  return { size: st.size, mtime: String(st.mtimeMs), ino: st.ino };
}

/** The `i`th stat of a slice from the stat worker (`stat-ahead.ts`), as `Recorded` holds it. */
export function recordAt(s: StatSlice, i: number): Recorded {
  return { size: Number(s.size[i]!), mtime: String(s.mtimeMs[i]!), ino: Number(s.ino[i]!) };
}

/**
 * The `objects` table: each stored object's stat when it was stored. Read
 * all at once on first need when there are not too many (a plan checks
 * thousands), else a row or a batch at a time.
 */
export class ObjectRecords {
  private readonly stmts;
  private all: Map<SnapshotId, Recorded> | null | undefined;

  constructor(private readonly meta: Metadata) {
    const db = meta.db;
    this.stmts = {
      get: db.prepare<[string], Recorded>('SELECT size, mtime, ino FROM objects WHERE id = ?'),
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM objects LIMIT ?)'),
      all: db.prepare<[], Recorded & { id: string }>('SELECT id, size, mtime, ino FROM objects'),
      put: db.prepare('INSERT OR REPLACE INTO objects (id, size, mtime, ino) VALUES (?, ?, ?, ?)'),
      drop: db.prepare('DELETE FROM objects WHERE id = ?'),
      refresh: db.prepare('UPDATE objects SET size = ?, mtime = ?, ino = ? WHERE id = ? AND size = ? AND mtime = ? AND ino = ?'),
    };
  }

  /** The record of `id` as this process holds it (perhaps older than another process's heal: see `fresh`). */
  get(id: SnapshotId): Recorded | undefined {
    this.load();
    return this.all?.get(id) ?? this.stmts.get.get(id);
  }

  /** The record of `id` as the table has it now. */
  fresh(id: SnapshotId): Recorded | undefined {
    return this.stmts.get.get(id);
  }

  /**
   * The records of objects read at once, as `check`'s `known` for each id:
   * null for one with no record, undefined when all records are kept in
   * memory (`get` answers). Read one statement per few hundred, or in one
   * scan when they are most of the table.
   */
  many(ids: readonly SnapshotId[]): (id: SnapshotId) => Recorded | null | undefined {
    this.load();
    if (this.all !== null) return () => undefined;
    const fetched = new Map<SnapshotId, Recorded>();
    for (const [id, size, mtime, ino] of this.meta.bulk.rowsWhere<[string, bigint, string, bigint]>('objects', ['id', 'size', 'mtime', 'ino'], ['rowid'], ids)) {
      fetched.set(id, { size: Number(size), mtime, ino: Number(ino) });
    }
    return (id) => fetched.get(id) ?? null;
  }

  put(id: SnapshotId, st: Recordable): void {
    const rec = recordOf(st);
    this.all?.set(id, rec);
    this.stmts.put.run(id, rec.size, rec.mtime, rec.ino);
  }

  /**
   * Records `st` for `id` only if its record is still `was`: one a run
   * replaced meanwhile (healing the object) or dropped (gc, quarantine) is
   * theirs, and stays. Whether it was recorded.
   */
  refresh(id: SnapshotId, was: Recorded, st: Stats): boolean {
    const rec = recordOf(st);
    if (this.stmts.refresh.run(rec.size, rec.mtime, rec.ino, id, was.size, was.mtime, was.ino).changes === 0) return false;
    this.all?.set(id, rec);
    return true;
  }

  drop(id: SnapshotId): void {
    this.all?.delete(id);
    this.stmts.drop.run(id);
  }

  private load(): void {
    if (this.all !== undefined) return;
    this.all = this.stmts.count.get(PRELOAD_LIMIT + 1)!.n <= PRELOAD_LIMIT ? new Map() : null;
    for (const r of this.all === null ? [] : this.stmts.all.iterate()) this.all!.set(r.id, { size: r.size, mtime: r.mtime, ino: r.ino });
  }
}
