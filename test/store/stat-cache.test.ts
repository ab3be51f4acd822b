import Database from 'better-sqlite3';
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contentId, contentIdOfTree } from '../../src/store/content-id.js';
import { hashHostFiles, type HostFile } from '../../src/store/hash-files.js';
import { sha256 } from '../../src/store/hash.js';
import { Metadata } from '../../src/store/metadata.js';
import { tempDir } from '../support/temp-dir.js';

const stat = (path: string): HostFile => ({ path, st: statSync(path, { bigint: true }) });

describe('stat cache: a plan reads no bytes of unchanged files, and never trusts a changed one', () => {
  afterEach(() => void vi.useRealTimers());

  it('answers a directory read in name order from one range, a subdirectory between its files included', async () => {
    const dir = tempDir('shark-stat-');
    const meta = new Metadata(join(dir, 'meta'));
    const items = join(dir, 'items');
    mkdirSync(join(items, 'b'), { recursive: true });
    for (const name of ['a', 'c', 'd']) writeFileSync(join(items, name), name);
    // The subdirectory's many files sort between a and c: more rows in the range than the batch's limit.
    for (let i = 0; i < 20; i++) writeFileSync(join(items, 'b', `${i}`), `b${i}`);
    // A minute on: the files just written have settled (one changed in the last moments is never trusted on its stat).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    const first = await contentIdOfTree(items, (files) => hashHostFiles(meta, files));
    // Poisoned rows prove the second walk answers from the cache, not from the bytes.
    meta.stats.putMany(['a', 'c', 'd'].map((n) => [join(items, n), statSync(join(items, n), { bigint: true }), sha256('cached')] as const));
    const hashes = await hashHostFiles(meta, ['a', 'c', 'd'].map((n) => stat(join(items, n))));
    expect(hashes).toEqual([sha256('cached'), sha256('cached'), sha256('cached')]);
    expect(await contentIdOfTree(items, (files) => hashHostFiles(meta, files))).not.toBe(first);
    // A file rewritten (new size and times) is read again.
    writeFileSync(join(items, 'c'), 'changed');
    const again = await hashHostFiles(meta, ['a', 'c', 'd'].map((n) => stat(join(items, n))));
    expect(again).toEqual([sha256('cached'), sha256('changed'), sha256('cached')]);
    // Out of order, or from several directories: looked up path by path, same answers.
    const mixed = await hashHostFiles(meta, [stat(join(items, 'd')), stat(join(items, 'b', '3')), stat(join(items, 'a'))]);
    expect(mixed).toEqual([sha256('cached'), sha256('b3'), sha256('cached')]);
    meta.close();
  });

  it('keeps the hashes a store recorded before the table changed (times were text)', () => {
    const dir = tempDir('shark-stat-old-');
    const file = join(dir, 'f');
    writeFileSync(file, 'bytes');
    const st = statSync(file, { bigint: true });
    mkdirSync(join(dir, 'meta'));
    const old = new Database(join(dir, 'meta', 'shark.sqlite'));
    old.exec('CREATE TABLE stat_cache2 (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime TEXT NOT NULL, ctime TEXT NOT NULL, ino INTEGER NOT NULL, hash TEXT NOT NULL)');
    old.prepare('INSERT INTO stat_cache2 VALUES (?, ?, ?, ?, ?, ?)').run(file, Number(st.size), st.mtimeNs.toString(), st.ctimeNs.toString(), Number(st.ino), 'f'.repeat(64));
    old.close();
    const meta = new Metadata(join(dir, 'meta'));
    expect(meta.hashFile(file)).toBe('f'.repeat(64));
    expect(meta.db.prepare("SELECT name FROM sqlite_master WHERE name = 'stat_cache2'").get()).toBeUndefined();
    meta.close();
  });
});

describe('a large directory is stat-ed on a worker thread, ahead of the walk', () => {
  it('gives the same tree as walking it alone, subdirectories, links and the executable bit included', async () => {
    // The compiled modules: under vitest's TypeScript loader the worker file does not exist and the walk stats alone.
    const compiled = (await import('../../dist/src/store/content-id.js')) as typeof import('../../src/store/content-id.js');
    const compiledHash = (await import('../../dist/src/store/hash-files.js')) as typeof import('../../src/store/hash-files.js');
    const dir = tempDir('shark-ahead-');
    const items = join(dir, 'items');
    mkdirSync(join(items, 'k-sub'), { recursive: true });
    for (let i = 0; i < 20_000; i++) writeFileSync(join(items, `${i}.txt`), `${i}\n`);
    writeFileSync(join(items, 'k-sub', 'inner'), 'inner');
    writeFileSync(join(items, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('0.txt', join(items, 'l-link'));
    const meta = new Metadata(join(dir, 'meta'));
    const alone = contentId(items, (p, st) => meta.hashFile(p, st));
    const trees: string[] = [];
    const ahead = await compiled.contentIdOfTree(items, (files) => compiledHash.hashHostFiles(meta, files), (id) => trees.push(id));
    expect(ahead).toBe(alone.id);
    expect(trees.at(-1)).toBe(alone.id);
    expect(trees).toHaveLength(2);
    meta.close();
  });
});
