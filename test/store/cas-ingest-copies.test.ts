import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { CasObjects } from '../../src/store/cas-objects.js';
import { objectPath, storedMs } from '../../src/store/object-file.js';
import { Metadata } from '../../src/store/metadata.js';
import { hashFileSync } from '../../src/store/hash.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Opened {
  readonly store: CasStore;
  /** The store's objects, as another process opening it sees them. */
  readonly objects: CasObjects;
  readonly pathOf: (id: string) => string;
}

function rig(): { host: string; open: () => Opened } {
  const dir = mkdtempSync(join(tmpdir(), 'shark-ingest-copies-'));
  dirs.push(dir);
  const host = join(dir, 'host');
  mkdirSync(host);
  const root = join(dir, 'store');
  return {
    host,
    open: () => {
      const meta = new Metadata(root);
      return { store: new CasStore(root, meta), objects: new CasObjects(root, meta), pathOf: (id) => objectPath(join(root, 'objects'), id) };
    },
  };
}

describe('an input copied into the store', () => {
  it('is an object of its own (not the host file), read-only, with the stored time, exactly the bytes, small or large', async () => {
    const { host, open } = rig();
    writeFileSync(join(host, 'small.txt'), 'small\n');
    writeFileSync(join(host, 'tool.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(host, 'tool.sh'), 0o755);
    writeFileSync(join(host, 'large.bin'), Buffer.alloc(3 * 1024 * 1024 + 5, 7));
    writeFileSync(join(host, 'empty'), '');
    writeFileSync(join(host, 'edge.bin'), Buffer.alloc(64 * 1024, 3));
    writeFileSync(join(host, 'past-edge.bin'), Buffer.alloc(64 * 1024 + 1, 4));
    const { store, pathOf } = open();
    const tree = await store.ingest(host);
    const entries = new Map(store.entries(tree)!.map((e) => [e.name, e.id]));
    expect(entries.get('tool.sh')).toMatch(/^sha256x:/);
    expect(entries.get('small.txt')).toBe(`sha256:${hashFileSync(join(host, 'small.txt'))}`);
    for (const [name, id] of entries) {
      const object = pathOf(id);
      const st = lstatSync(object);
      expect(st.ino, name).not.toBe(lstatSync(join(host, name)).ino);
      expect(st.mtimeMs, name).toBe(storedMs(st.size));
      expect(st.mode & 0o777, name).toBe(name === 'tool.sh' ? 0o555 : 0o444);
      expect(readFileSync(object).equals(readFileSync(join(host, name))), name).toBe(true);
    }
    // Nothing is left in the staging area, and every object is sound to a store opened afresh.
    expect(readdirSync(join(store.dir, 'tmp')).filter((n) => n.startsWith('in-'))).toEqual([]);
    const { objects } = open();
    for (const id of entries.values()) expect(objects.recorded(id), id).toBe(true);
    expect(objects.checkMany([...entries.values()])).toEqual([...entries.values()].map(() => 'ok'));
  });

  it('takes the staging name of a killed process that had the same pid (a leftover, read-only), small file or large', async () => {
    const { host, open } = rig();
    writeFileSync(join(host, 'small.txt'), 'small\n');
    writeFileSync(join(host, 'large.bin'), Buffer.alloc(100 * 1024, 5));
    const { store } = open();
    for (const n of [1, 2]) {
      writeFileSync(join(store.dir, 'tmp', `in-${process.pid}-${n}`), 'left by a killed run\n', { mode: 0o444 });
    }
    const tree = await store.ingest(host);
    expect(store.entries(tree)!.map((e) => e.name)).toEqual(['large.bin', 'small.txt']);
    expect(readdirSync(join(store.dir, 'tmp')).filter((n) => n.startsWith('in-'))).toEqual([]);
  });

  it('heals an object whose bytes were damaged, and stores one of two files with the same bytes once', async () => {
    const { host, open } = rig();
    writeFileSync(join(host, 'a.txt'), 'same\n');
    writeFileSync(join(host, 'b.txt'), 'same\n');
    const { store, pathOf } = open();
    const id = store.entries(await store.ingest(host))!.find((e) => e.name === 'a.txt')!.id;
    const object = pathOf(id);
    chmodSync(object, 0o644);
    writeFileSync(object, 'flipped\n');
    expect(open().objects.check(id)).toBe('changed');
    await open().store.ingest(host);
    expect(readFileSync(object, 'utf8')).toBe('same\n');
    expect(open().objects.check(id)).toBe('ok');
  });
});

describe('many inputs copied into the store on the hash workers', () => {
  it('are stored as one at a time would be: their bytes, read-only, the stored time, recorded, nothing left staged', async () => {
    // The compiled modules: under vitest's TypeScript loader the worker's file does not exist and copies run here.
    const dist = await import('../../dist/src/store/cas-store.js') as typeof import('../../src/store/cas-store.js');
    const distMeta = await import('../../dist/src/store/metadata.js') as typeof import('../../src/store/metadata.js');
    const distObjects = await import('../../dist/src/store/cas-objects.js') as typeof import('../../src/store/cas-objects.js');
    const { host } = rig();
    const root = join(host, '..', 'store');
    for (let i = 0; i < 300; i++) writeFileSync(join(host, `f${i}.txt`), `item ${i}\n`);
    writeFileSync(join(host, 'same-a.txt'), 'same\n');
    writeFileSync(join(host, 'same-b.txt'), 'same\n');
    writeFileSync(join(host, 'tool.sh'), '#!/bin/sh\n');
    chmodSync(join(host, 'tool.sh'), 0o755);
    writeFileSync(join(host, 'large.bin'), Buffer.alloc(200 * 1024, 9));
    const meta = new distMeta.Metadata(root);
    const store = new dist.CasStore(root, meta);
    const tree = await store.ingest(host);
    const entries = store.entries(tree)!;
    expect(entries).toHaveLength(304);
    expect(entries.find((e) => e.name === 'tool.sh')!.id).toMatch(/^sha256x:/);
    const objects = new distObjects.CasObjects(root, new distMeta.Metadata(root));
    for (const { name, id } of entries) {
      const object = objectPath(join(root, 'objects'), id);
      const st = lstatSync(object);
      expect(st.mtimeMs, name).toBe(storedMs(st.size));
      expect(st.mode & 0o777, name).toBe(name === 'tool.sh' ? 0o555 : 0o444);
      expect(readFileSync(object).equals(readFileSync(join(host, name))), name).toBe(true);
      expect(objects.recorded(id), name).toBe(true);
    }
    expect(objects.checkMany(entries.map((e) => e.id)).every((v) => v === 'ok')).toBe(true);
    expect(readdirSync(join(root, 'tmp')).filter((n) => n.startsWith('in-'))).toEqual([]);
    meta.close();
  });

  it('fail whole, naming the file, when one cannot be read; nothing is left staged', async () => {
    const copies = await import('../../dist/src/store/cas-copies.js') as typeof import('../../src/store/cas-copies.js');
    const distMeta = await import('../../dist/src/store/metadata.js') as typeof import('../../src/store/metadata.js');
    const distObjects = await import('../../dist/src/store/cas-objects.js') as typeof import('../../src/store/cas-objects.js');
    const { host } = rig();
    const root = join(host, '..', 'store');
    const paths = Array.from({ length: 300 }, (_, i) => join(host, `f${i}.txt`));
    for (const p of paths) writeFileSync(p, 'x\n');
    // Gone since it was walked.
    paths.splice(150, 0, join(host, 'gone.txt'));
    const meta = new distMeta.Metadata(root);
    const staged = new copies.StagedCopies(join(root, 'tmp'), new distObjects.CasObjects(root, meta));
    mkdirSync(join(root, 'tmp'), { recursive: true });
    await expect(staged.stageMany(paths)).rejects.toThrow(/cannot store \S*gone\.txt: ENOENT/);
    // What the other worker was writing when the first failed was waited for, and removed too.
    expect(readdirSync(join(root, 'tmp')).filter((n) => n.startsWith('in-'))).toEqual([]);
    meta.close();
  });
});
