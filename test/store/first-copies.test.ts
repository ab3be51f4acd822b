import { createHash } from 'node:crypto';
import { type BigIntStats, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { Metadata } from '../../src/store/metadata.js';
import { objectPath } from '../../src/store/object-file.js';

// The compiled modules: under vitest's TypeScript loader the workers' file does not exist, and every file is hashed here.
const dist = {
  store: await import('../../dist/src/store/cas-store.js') as typeof import('../../src/store/cas-store.js'),
  meta: await import('../../dist/src/store/metadata.js') as typeof import('../../src/store/metadata.js'),
  first: await import('../../dist/src/store/first-copies.js') as typeof import('../../src/store/first-copies.js'),
  objects: await import('../../dist/src/store/cas-objects.js') as typeof import('../../src/store/cas-objects.js'),
};

/** A store at `root` opened with the compiled modules (its workers there), closed when the test finishes. */
function opened(root: string): { meta: Metadata; store: CasStore } {
  const meta = new dist.meta.Metadata(root);
  const store = new dist.store.CasStore(root, meta);
  onTestFinished(() => (store.close(), meta.close()));
  return { meta, store };
}

/** A directory's files as a walk gives them. */
const walked = (dir: string): { path: string; st: BigIntStats }[] =>
  readdirSync(dir).map((name) => ({ path: join(dir, name), st: lstatSync(join(dir, name), { bigint: true }) }));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function items(n: number): { dir: string; host: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shark-first-copies-'));
  dirs.push(dir);
  const host = join(dir, 'items');
  mkdirSync(host);
  for (let i = 0; i < n; i++) writeFileSync(join(host, `${i}.txt`), `item ${i}\n`);
  return { dir, host };
}

const staging = (root: string): string[] => readdirSync(join(root, 'tmp')).filter((n) => n.startsWith('in-'));
const count = (meta: Metadata, table: string): number => (meta.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('a directory new to the store, copied in as it is read', () => {
  it('is the tree hashing it first gives, each file recorded in the stat cache, nothing left staged', async () => {
    const { dir, host } = items(1000);
    writeFileSync(join(host, 'same-a.txt'), 'same\n');
    writeFileSync(join(host, 'same-b.txt'), 'same\n');
    const { meta, store } = opened(join(dir, 'a'));
    const tree = await store.ingest(host);
    // Hashed, then copied: the other way, on this thread.
    const other = new CasStore(join(dir, 'b'), new Metadata(join(dir, 'b')));
    expect(tree).toBe(await other.ingest(host));
    expect(count(meta, 'objects')).toBe(1001);
    expect(staging(join(dir, 'a'))).toEqual([]);
    expect(meta.stats.hashesOf(walked(host)).filter((h) => h === undefined)).toEqual([]);
  });

  it('puts each copy in place on the workers, but leaves a name something else holds (a link, a directory) to be judged here', async () => {
    const { dir, host } = items(600);
    const root = join(dir, 'store');
    const objects = join(root, 'objects');
    const pathOf = (text: string): string => objectPath(objects, dist.objects.CasObjects.idOf(createHash('sha256').update(text).digest('hex'), false));
    mkdirSync(join(pathOf('item 0\n'), 'inside'), { recursive: true });
    mkdirSync(dirname(pathOf('item 1\n')), { recursive: true });
    writeFileSync(join(dir, 'elsewhere'), 'a host file\n');
    symlinkSync(join(dir, 'elsewhere'), pathOf('item 1\n'));
    const { meta, store } = opened(root);
    await store.ingest(host);
    for (let i = 0; i < 600; i++) {
      const object = pathOf(`item ${i}\n`);
      expect(lstatSync(object).isFile(), object).toBe(true);
      expect(readFileSync(object, 'utf8')).toBe(`item ${i}\n`);
    }
    // What held the two names was moved aside, the host file a link led to untouched.
    expect(readFileSync(join(dir, 'elsewhere'), 'utf8')).toBe('a host file\n');
    expect(readdirSync(join(root, 'quarantine'))).toHaveLength(2);
    expect(count(meta, 'objects')).toBe(600);
    expect(staging(root)).toEqual([]);
  });

  it('is hashed, not copied, when the store holds its bytes under another name (a copy of a stored directory)', async () => {
    const { dir, host } = items(600);
    const { meta, store } = opened(join(dir, 'store'));
    await store.ingest(host);
    cpSync(host, join(dir, 'copy'), { recursive: true });
    const target = { meta, objects: new dist.objects.CasObjects(join(dir, 'store'), meta) } as never;
    const found = await dist.first.idsOrCopies(target, walked(join(dir, 'copy')));
    expect([...found.stored].every((s) => s === 0)).toBe(true);
    expect(staging(join(dir, 'store'))).toEqual([]);
  });

  it('stops between slices once its signal is aborted: no tree, fewer objects than files, nothing left staged', async () => {
    const { dir, host } = items(12_000);
    const { meta, store } = opened(join(dir, 'store'));
    const stop = new AbortController();
    const ingesting = store.ingest(host, undefined, stop.signal);
    // Once the first slice is being copied.
    for (let i = 0; i < 400 && count(meta, 'objects') === 0 && staging(join(dir, 'store')).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await expect(ingesting).rejects.toThrow(/abort/i);
    expect(count(meta, 'trees')).toBe(0);
    expect(count(meta, 'objects')).toBeLessThan(12_000);
    expect(staging(join(dir, 'store'))).toEqual([]);
  });
});
