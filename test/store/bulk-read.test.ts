import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { BulkReads } from '../../src/store/bulk-read.js';

/** A table keyed by (key, path), several rows per key, and one keyed by rowid. */
function store(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE outs (key TEXT NOT NULL, path TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, path)) WITHOUT ROWID');
  db.exec('CREATE TABLE objs (id TEXT PRIMARY KEY, size INTEGER NOT NULL)');
  const out = db.prepare('INSERT INTO outs VALUES (?, ?, ?)');
  const obj = db.prepare('INSERT INTO objs VALUES (?, ?)');
  db.transaction(() => {
    for (let k = 0; k < 50; k++) for (let p = 0; p < 3; p++) out.run(`k${k}`, `/data/${p}`, `id-${k}-${p}`);
    for (let o = 0; o < 120; o++) obj.run(`o${o}`, o);
  })();
  return db;
}

/** The statements a read prepares: a scan pages with ORDER BY, a lookup asks IN (…). */
function statements(db: Database.Database): string[] {
  const texts: string[] = [];
  const prepare = db.prepare.bind(db);
  vi.spyOn(db, 'prepare').mockImplementation((sql: string) => (texts.push(sql), prepare(sql)));
  return texts;
}

const sorted = (rows: Iterable<unknown[]>): string[] => [...rows].map((r) => r.slice(0, 3).join(' ')).sort();

describe('bulk reads: a table read whole gives the rows a lookup per value gives', () => {
  // Pages of 7 rows: a key's three rows are split across pages, which must not lose or repeat one.
  const tiny = { page: 7, scanMin: 2, probe: 5 };

  it('scans when most of the table is wanted, with the same rows as lookups, a key split across pages included', () => {
    const db = store();
    const texts = statements(db);
    const wanted = Array.from({ length: 40 }, (_, k) => `k${k}`).concat(['k-none']);
    const scanned = sorted(new BulkReads(db, tiny).rowsWhere(`outs`, ['key', 'path', 'id'], ['key', 'path'], wanted));
    const looked = sorted(new BulkReads(db, { page: 7, scanMin: 1_000, probe: 5 }).rowsWhere('outs', ['key', 'path', 'id'], ['key', 'path'], wanted));
    expect(scanned).toHaveLength(120);
    expect(scanned).toEqual(looked);
    expect(scanned).toContain('k39 /data/2 id-39-2');
    expect(scanned.some((r) => r.startsWith('k40 '))).toBe(false);
    expect(texts.some((t) => t.includes('ORDER BY key, path'))).toBe(true);
  });

  it('a scan that need not be exact gives every row, wanted or not; one that must gives only the wanted', () => {
    const db = store();
    const wanted = Array.from({ length: 40 }, (_, k) => `k${k}`);
    const all = sorted(new BulkReads(db, tiny).rowsWhere('outs', ['key', 'path', 'id'], ['key', 'path'], wanted, false));
    expect(all).toHaveLength(150);
    expect(all).toContain('k49 /data/2 id-49-2');
    expect(sorted(new BulkReads(db, tiny).rowsWhere('outs', ['key', 'path', 'id'], ['key', 'path'], wanted))).toHaveLength(120);
    // A table none of whose rows is wanted (nothing run yet) gives none.
    expect([...new BulkReads(db, tiny).rowsWhere('outs', ['key', 'path', 'id'], ['key', 'path'], Array.from({ length: 200 }, (_, k) => `new${k}`))]).toEqual([]);
  });

  it('pages a rowid table by rowid, integers as bigint', () => {
    const db = store();
    const wanted = Array.from({ length: 100 }, (_, o) => `o${o}`);
    const rows = [...new BulkReads(db, tiny).rowsWhere<[string, bigint]>('objs', ['id', 'size'], ['rowid'], wanted)];
    expect(rows.map((r) => r[0]).sort()).toEqual([...wanted].sort());
    expect(rows.find((r) => r[0] === 'o99')![1]).toBe(99n);
  });

  it('looks values up when they are a small part of the table (a few keys of a large store)', () => {
    const db = store();
    const texts = statements(db);
    const bulk = new BulkReads(db, tiny);
    const rows = [...bulk.rowsWhere('outs', ['key', 'path', 'id'], ['key', 'path'], ['k1', 'k2', 'k3'])];
    expect(sorted(rows)).toEqual(['k1 /data/0 id-1-0', 'k1 /data/1 id-1-1', 'k1 /data/2 id-1-2', 'k2 /data/0 id-2-0', 'k2 /data/1 id-2-1', 'k2 /data/2 id-2-2', 'k3 /data/0 id-3-0', 'k3 /data/1 id-3-1', 'k3 /data/2 id-3-2']);
    expect(texts.some((t) => t.includes('ORDER BY'))).toBe(false);
    expect(texts.some((t) => t.includes('WHERE key IN'))).toBe(true);
  });
});
