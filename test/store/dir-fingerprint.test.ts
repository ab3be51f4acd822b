import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { contentId, contentIdOfTree } from '../../src/store/content-id.js';
import { DirFingerprint, heldBatch, storedTreeMemo, type TreeMemo } from '../../src/store/dir-fingerprint.js';
import { hashHostFiles, type HostFile } from '../../src/store/hash-files.js';
import { hashFileSync } from '../../src/store/hash.js';
import { Metadata } from '../../src/store/metadata.js';
import { settled } from '../../src/store/stat-cache.js';
import { TreeTable } from '../../src/store/tree-table.js';
import { objectPath } from '../../src/store/object-file.js';

const ROUND = 1_700_000_000;

describe('a directory walked again unchanged is known by its fingerprint; any change is seen', () => {
  let dir: string;
  let items: string;
  let meta: Metadata;
  let trees: TreeTable;
  let hashed: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shark-dirprint-'));
    items = join(dir, 'items');
    mkdirSync(join(items, 'sub'), { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(join(items, `${i}.txt`), `item ${i}\n`);
    writeFileSync(join(items, 'sub', 'inner.txt'), 'inner\n');
    symlinkSync('0.txt', join(items, 'link'));
    // A whole second, which a rewrite can put back exactly (a Date keeps only milliseconds).
    utimesSync(join(items, '7.txt'), ROUND, ROUND);
    meta = new Metadata(join(dir, 'meta'));
    trees = new TreeTable(meta);
    hashed = 0;
    // A minute on: the files just written have settled (a file changed in the last moments is never trusted on its stat).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
    meta.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // As the plan has it: the rows in the stat cache's table, the entries from the store's trees.
  const memo = (): TreeMemo => storedTreeMemo(meta.stats, (id) => trees.entries(id));
  const walk = (): Promise<string> =>
    contentIdOfTree(items, (files: readonly HostFile[]) => {
      hashed += files.length;
      return hashHostFiles(meta, files);
    }, (_, entries) => void trees.compose(entries), memo());
  // What the directory holds, read byte by byte with no cache of any kind.
  const truth = (): string => contentId(items, (p) => hashFileSync(p)).id;

  it('answers an unchanged directory without hashing a file, with the tree and entries the first walk found', async () => {
    const first = await walk();
    expect(first).toBe(truth());
    expect(hashed).toBe(31);
    hashed = 0;
    const seen: string[] = [];
    const again = await contentIdOfTree(items, (files) => {
      hashed += files.length;
      return hashHostFiles(meta, files);
    }, (id, entries) => void seen.push(`${id} ${entries.length}`), memo());
    expect(again).toBe(first);
    expect(hashed).toBe(0);
    // The subdirectory's tree and the top one, each with its entries (30 files, the link and sub).
    expect(seen.at(-1)).toBe(`${first} 32`);
  });

  it.each([
    ['a file rewritten at the same size, its time put back (its ctime cannot be)', (d: string) => {
      writeFileSync(join(d, '7.txt'), 'ITEM 7\n');
      utimesSync(join(d, '7.txt'), ROUND, ROUND);
      expect(statSync(join(d, '7.txt'), { bigint: true }).mtimeNs).toBe(BigInt(ROUND) * 1_000_000_000n);
    }],
    ['a file added', (d: string) => writeFileSync(join(d, '30.txt'), 'item 30\n')],
    ['a file removed', (d: string) => unlinkSync(join(d, '3.txt'))],
    ['a file renamed', (d: string) => renameSync(join(d, '3.txt'), join(d, '3b.txt'))],
    ['a file made executable', (d: string) => chmodSync(join(d, '5.txt'), 0o755)],
    ['a file in a subdirectory rewritten', (d: string) => writeFileSync(join(d, 'sub', 'inner.txt'), 'other, longer\n')],
    ['a link pointed elsewhere', (d: string) => (unlinkSync(join(d, 'link')), symlinkSync('1.txt', join(d, 'link')))],
    ['a file swapped for a directory of the same name', (d: string) => (unlinkSync(join(d, '9.txt')), mkdirSync(join(d, '9.txt')))],
  ])('sees %s', async (_, change) => {
    const first = await walk();
    await walk();
    // Past the clock's tick: a write in the same one could leave every time as it was.
    await new Promise((r) => setTimeout(r, 20));
    change(items);
    const after = await walk();
    expect(after).not.toBe(first);
    expect(after).toBe(truth());
    // And the new state is remembered in turn.
    hashed = 0;
    expect(await walk()).toBe(after);
    expect(hashed).toBe(0);
  });

  it('stores a directory it knows by its fingerprint without reading its files\' hashes, copying again an object gone from the store', async () => {
    const root = join(dir, 'store');
    const store = new CasStore(root, meta);
    const read = vi.spyOn(meta.stats, 'hashesOf');
    const first = await store.ingest(items);
    expect(first).toBe(truth());
    expect(read).toHaveBeenCalled();
    read.mockClear();
    // An object of the directory removed from the store behind its back: the next ingest must put it back.
    const gone = store.entries(first)!.find((e) => e.name === '7.txt')!.id;
    unlinkSync(objectPath(join(root, 'objects'), gone));
    // As the next command finds the store (a process's own memory of sound objects is not asked).
    const again = new CasStore(root, meta);
    expect(await again.ingest(items)).toBe(first);
    expect(read).not.toHaveBeenCalled();
    expect(existsSync(objectPath(join(root, 'objects'), gone))).toBe(true);
    expect(new CasStore(root, meta).has(first)).toBe(true);
  });

  it('knows a directory beyond the size whose files wait for the fingerprint once it has one for its path', async () => {
    // 65,537 files: more than the walk holds back unasked (DEFER_MAX); the first walk hashes them as it goes and records the fingerprint.
    const big = join(dir, 'big');
    mkdirSync(big);
    for (let i = 0; i <= 65_536; i++) writeFileSync(join(big, `${i}`), '');
    const walkBig = (): Promise<string> => contentIdOfTree(big, (files) => {
      hashed += files.length;
      return hashHostFiles(meta, files);
    }, (_, entries) => void trees.compose(entries), memo());
    const first = await walkBig();
    expect(hashed).toBe(65_537);
    hashed = 0;
    const read = vi.spyOn(meta.stats, 'hashesOf');
    expect(await walkBig()).toBe(first);
    expect(read).not.toHaveBeenCalled();
    // A change is still seen.
    writeFileSync(join(big, '5'), 'changed');
    const after = await walkBig();
    expect(after).not.toBe(first);
    expect(after).toBe(contentId(big, (p) => hashFileSync(p)).id);
  }, 60_000);

  it('works the directory out file by file when the store no longer has the tree it remembered', async () => {
    const first = await walk();
    trees.forget(trees.unreachable(new Set()));
    hashed = 0;
    expect(await walk()).toBe(first);
    expect(hashed).toBe(31);
  });

  it('trusts no file changed in the last moments, nor its directory: it could change again unseen', async () => {
    // The moment every file was just written (the clock held there): within one tick of the file system's clock a
    // rewrite could leave every time as it was, so each walk reads them all again and nothing is remembered.
    vi.setSystemTime(Date.now() - 60_000);
    const first = await walk();
    hashed = 0;
    expect(await walk()).toBe(first);
    expect(hashed).toBe(31);
    expect(meta.db.prepare('SELECT (SELECT count(*) FROM stat_dirs) + (SELECT count(*) FROM stat_cache3) AS n').get()).toEqual({ n: 0 });
    // Once they have settled, they are.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    await walk();
    hashed = 0;
    expect(await walk()).toBe(first);
    expect(hashed).toBe(0);
  });

  it('writes nothing when a walk finds what the last one did', async () => {
    await walk();
    await walk();
    const before = (meta.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    await walk();
    expect((meta.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n).toBe(before);
  });
});

describe('the files a walk holds back until its fingerprint is known to be new', () => {
  it('come back with every field of their stats, whatever its sign or size', () => {
    // An inode or size of 2^63 or more, a time before 1970: each as the walk saw it, for the stat cache to compare.
    const st = { size: 2n ** 63n + 5n, mtimeNs: -86_400_000_000_001n, ctimeNs: 1_700_000_000_123_456_789n, ino: 2n ** 64n - 1n, mode: 0o100755n };
    const other = { size: 12n, mtimeNs: 1n, ctimeNs: 2n, ino: 3n, mode: 0o100644n };
    const batch = [{ name: 'a b', file: { path: '/in/a b', st } }, { name: 'é', file: { path: '/in/é', st: other } }];
    expect(heldBatch('/in/', new DirFingerprint().files(batch))).toEqual(batch);
  });
});

describe('how recent a change is too recent to trust a file on its stat', () => {
  const s = 1_000_000_000n;
  const now = 1_700_000_010n * s;
  it('waits a tick of Linux’s file clock for times to the nanosecond, and two seconds for times in whole seconds', () => {
    expect(settled(now - 50_000_000n + 1n, now)).toBe(false);
    expect(settled(now - 150_000_000n + 7n, now)).toBe(true);
    expect(settled(now - 1n * s, now)).toBe(false);
    expect(settled(now - 3n * s, now)).toBe(true);
    // From the future (another machine's clock): never.
    expect(settled(now + 5n * s + 3n, now)).toBe(false);
  });
});
