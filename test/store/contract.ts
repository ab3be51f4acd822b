import {
  chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync,
  symlinkSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLinks } from '../../src/imports/local-links.js';
import { contentId, contentIdOfTree } from '../../src/store/content-id.js';
import { hashFileSync } from '../../src/store/hash.js';
import type { Metadata } from '../../src/store/metadata.js';
import type { SnapshotId, SnapshotStore, Workspace } from '../../src/store/snapshot-store.js';

export interface StoreUnderTest {
  readonly store: SnapshotStore;
  readonly meta: Metadata;
}

export interface ContractOptions {
  /** A fresh, empty store each call. */
  readonly open: () => Promise<StoreUnderTest>;
  /** Called once after all tests, to remove every store opened. */
  readonly cleanup: () => Promise<void>;
  /**
   * What keeps a materialized input from being written:
   * - `enforced`: the file system refuses every write, whoever the user is;
   * - `permissions`: read-only modes only, so root can still write through
   *   a materialized file (the content-addressed store hard-links its objects).
   */
  readonly readOnly: 'enforced' | 'permissions';
}

type Shape = { type: 'file'; exec: boolean; text: string } | { type: 'link'; target: string } | { type: 'dir'; entries: Record<string, Shape> };

/** What a path holds, as comparable data: types, bytes, executable bits and link targets. */
export function shape(path: string): Shape {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return { type: 'link', target: readlinkSync(path) };
  if (st.isDirectory()) {
    const entries: Record<string, Shape> = {};
    for (const name of readdirSync(path).sort()) entries[name] = shape(join(path, name));
    return { type: 'dir', entries };
  }
  return { type: 'file', exec: (st.mode & 0o111) !== 0, text: readFileSync(path, 'utf8') };
}

/** The modes (octal, without the type) under `path`, by path relative to it (`.` for itself); links left out. */
export function modes(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    const st = lstatSync(join(path, rel));
    if (st.isSymbolicLink()) return;
    out[rel] = (st.mode & 0o7777).toString(8);
    if (st.isDirectory()) for (const name of readdirSync(join(path, rel)).sort()) walk(rel === '.' ? name : `${rel}/${name}`);
  };
  walk('.');
  return out;
}

function write(root: string, rel: string, text: string, mode = 0o644): void {
  const full = join(root, rel);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  chmodSync(full, mode);
}

/** A sample directory: nested files, an executable, a symbolic link and an empty directory. */
function sampleTree(root: string, extra: Record<string, string> = {}): void {
  write(root, 'a.txt', 'alpha\n');
  write(root, 'b.txt', 'beta\n');
  write(root, 'sub/c.txt', 'gamma\n');
  write(root, 'run.sh', '#!/bin/sh\necho hi\n', 0o755);
  symlinkSync('a.txt', join(root, 'link'));
  mkdirSync(join(root, 'empty'));
  for (const [rel, text] of Object.entries(extra)) write(root, rel, text);
}

const attempt = (f: () => void): boolean => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

/** The store contract: every implementation of `SnapshotStore` passes it. */
export function storeContract(opts: ContractOptions): void {
  let s: SnapshotStore;
  let meta: Metadata;
  const open: Workspace[] = [];
  const ws = async (label = 'job'): Promise<Workspace> => {
    const w = await s.createWorkspace(label);
    open.push(w);
    return w;
  };
  const done = async (w: Workspace): Promise<void> => {
    open.splice(open.indexOf(w), 1);
    await s.disposeWorkspace(w);
  };
  /** Commits what `fill` writes under /data/out in a fresh workspace. */
  const commitWith = async (fill: (dir: string) => void, path = '/data/out'): Promise<SnapshotId | undefined> => {
    const w = await ws();
    mkdirSync(dirname(w.root + path), { recursive: true });
    fill(w.root + path);
    try {
      return await s.commit(w, path);
    } finally {
      await done(w);
    }
  };
  const commitFile = (text: string, mode = 0o644): Promise<SnapshotId | undefined> =>
    commitWith((p) => {
      writeFileSync(p, text);
      chmodSync(p, mode);
    });
  const commitTree = (extra: Record<string, string> = {}): Promise<SnapshotId | undefined> =>
    commitWith((p) => {
      mkdirSync(p);
      sampleTree(p, extra);
    });
  /** Materializes `id` into a fresh workspace, returns what it shows, and disposes of it. */
  const look = async (id: SnapshotId): Promise<Shape> => {
    const w = await ws('look');
    try {
      await s.materialize(id, w, '/data/in');
      return shape(w.root + '/data/in');
    } finally {
      await done(w);
    }
  };
  const host = mkdtempSync(join(tmpdir(), 'shark-contract-'));
  const expected = (fill: (dir: string) => void): Shape => {
    const dir = mkdtempSync(join(host, 'expect-'));
    fill(join(dir, 'x'));
    return shape(join(dir, 'x'));
  };

  beforeAll(async () => {
    ({ store: s, meta } = await opts.open());
  });
  afterAll(async () => {
    for (const w of [...open]) await s.disposeWorkspace(w).catch(() => undefined);
    rmSync(host, { recursive: true, force: true });
    await opts.cleanup();
  });

  describe('commit', () => {
    it('gives the same id to the same file content, and another to other content', async () => {
      const a1 = await commitFile('same bytes\n');
      const a2 = await commitFile('same bytes\n');
      const b = await commitFile('other bytes\n');
      expect(a1).toBeDefined();
      expect(a2).toBe(a1);
      expect(b).not.toBe(a1);
      expect(s.has(a1!)).toBe(true);
      expect(await look(a1!)).toEqual({ type: 'file', exec: false, text: 'same bytes\n' });
    });

    it('tells executables apart and keeps their bit', async () => {
      const plain = await commitFile('#!/bin/sh\n', 0o644);
      const exec1 = await commitFile('#!/bin/sh\n', 0o755);
      const exec2 = await commitFile('#!/bin/sh\n', 0o700);
      expect(exec1).not.toBe(plain);
      expect(exec2).toBe(exec1);
      expect(await look(exec1!)).toEqual({ type: 'file', exec: true, text: '#!/bin/sh\n' });
    });

    it('keeps the same modes as every store: files 0444 or 0555, directories 0755, no setuid, setgid or sticky bit', async () => {
      const t = (await commitWith((p) => {
        mkdirSync(p);
        write(p, 'plain', 'p\n', 0o600);
        write(p, 'exe', 'e\n', 0o100);
        write(p, 'suid', 's\n', 0o4755);
        write(p, 'sgid', 'g\n', 0o2644);
        write(p, 'sticky/f', 'f\n', 0o664);
        chmodSync(join(p, 'sticky'), 0o1777);
      }))!;
      const w = await ws();
      await s.materialize(t, w, '/data/in');
      expect(modes(w.root + '/data/in')).toEqual({ '.': '755', exe: '555', plain: '444', sgid: '444', sticky: '755', 'sticky/f': '444', suid: '555' });
      await done(w);
      const out = join(host, 'modes');
      await s.exportTo(t, out);
      expect(modes(out)).toEqual({ '.': '755', exe: '755', plain: '644', sgid: '644', sticky: '755', 'sticky/f': '644', suid: '755' });
    });

    it('commits directories with nested files, links and empty directories, stably', async () => {
      const t1 = await commitTree();
      const t2 = await commitTree();
      expect(t1).toBeDefined();
      expect(t2).toBe(t1);
      expect(await commitTree({ 'sub/d.txt': 'delta\n' })).not.toBe(t1);
      expect(await look(t1!)).toEqual(expected((p) => {
        mkdirSync(p);
        sampleTree(p);
      }));
      expect(s.entries(t1!)!.map((e) => e.name)).toEqual(['a.txt', 'b.txt', 'empty', 'link', 'run.sh', 'sub']);
    });

    it('commits an empty directory and a symbolic link', async () => {
      const e1 = await commitWith((p) => mkdirSync(p));
      const e2 = await commitWith((p) => mkdirSync(p));
      expect(e2).toBe(e1);
      expect(s.entries(e1!)).toEqual([]);
      expect(await look(e1!)).toEqual({ type: 'dir', entries: {} });
      const l1 = await commitWith((p) => symlinkSync('../elsewhere', p));
      const l2 = await commitWith((p) => symlinkSync('../elsewhere', p));
      expect(l2).toBe(l1);
      expect(await look(l1!)).toEqual({ type: 'link', target: '../elsewhere' });
    });

    it('returns undefined for a path the job did not write, and keeps nothing of a disposed workspace', async () => {
      const before = await s.collect(new Set(), true);
      const w = await ws();
      write(w.root, 'data/other/x.txt', 'written but never committed\n');
      expect(await s.commit(w, '/data/out')).toBeUndefined();
      await done(w);
      expect(await s.collect(new Set(), true)).toEqual(before);
    });

    it('commits each of several outputs of one job', async () => {
      const w = await ws();
      write(w.root, 'data/one/x.txt', 'one\n');
      write(w.root, 'data/two/x.txt', 'two\n');
      const one = await s.commit(w, '/data/one');
      const two = await s.commit(w, '/data/two');
      await done(w);
      expect(one).not.toBe(two);
      expect(await look(one!)).toEqual({ type: 'dir', entries: { 'x.txt': { type: 'file', exec: false, text: 'one\n' } } });
      expect(await look(two!)).toEqual({ type: 'dir', entries: { 'x.txt': { type: 'file', exec: false, text: 'two\n' } } });
    });

    it('stops without a snapshot when its signal is aborted (Ctrl-C), and the output is committed whole again later', async () => {
      const w = await ws();
      try {
        mkdirSync(w.root + '/data/out');
        sampleTree(w.root + '/data/out');
        const stop = new AbortController();
        stop.abort();
        await expect(s.commit(w, '/data/out', stop.signal)).rejects.toThrow(/abort/i);
      } finally {
        await done(w);
      }
      expect(await commitTree()).toBe(await commitTree());
    });
  });

  describe('materialize', () => {
    it('shows the same bytes, and nothing written through it changes the snapshot', async () => {
      const t = (await commitTree())!;
      const original = await look(t);
      const w = await ws();
      await s.materialize(t, w, '/data/in');
      const file = w.root + '/data/in/a.txt';
      expect(readFileSync(file, 'utf8')).toBe('alpha\n');
      if (opts.readOnly === 'permissions') expect(lstatSync(file).mode & 0o222).toBe(0);
      const root = process.getuid?.() === 0;
      if (opts.readOnly === 'enforced' || !root) {
        // In place: refused by a read-only file system, or by the file's mode.
        expect(attempt(() => writeFileSync(file, 'changed\n', { flag: 'a' }))).toBe(false);
      }
      if (opts.readOnly === 'enforced') {
        expect(attempt(() => writeFileSync(w.root + '/data/in/new.txt', 'x'))).toBe(false);
        expect(attempt(() => unlinkSync(file))).toBe(false);
        expect(attempt(() => chmodSync(file, 0o777))).toBe(false);
      }
      // Replacing a file (what most tools do) must never reach the store.
      attempt(() => {
        unlinkSync(file);
        writeFileSync(file, 'replaced\n');
      });
      await done(w);
      expect(await look(t)).toEqual(original);
    });

    it('puts an input at a nested path', async () => {
      const f = (await commitFile('deep\n'))!;
      const w = await ws();
      await s.materialize(f, w, '/data/a/b/c.txt');
      expect(readFileSync(w.root + '/data/a/b/c.txt', 'utf8')).toBe('deep\n');
      await done(w);
    });

    it('places a directory and inputs inside it in either order (`cat /data/in/a.txt; ls /data/in/`)', async () => {
      const t = (await commitTree())!;
      const inside = s.entries(t)!;
      const item = (name: string): SnapshotId => inside.find((e) => e.name === name)!.id;
      const sub = item('sub');
      const c = s.entries(sub)!.find((e) => e.name === 'c.txt')!.id;
      const whole = await look(t);
      for (const order of ['inner first', 'directory first'] as const) {
        const w = await ws();
        const inner: [SnapshotId, string][] = [[item('a.txt'), '/data/in/a.txt'], [item('link'), '/data/in/link'], [c, '/data/in/sub/c.txt'], [sub, '/data/in/sub']];
        const all: [SnapshotId, string][] = order === 'inner first' ? [...inner, [t, '/data/in']] : [[t, '/data/in'], ...inner];
        for (const [id, path] of all) await s.materialize(id, w, path);
        expect(shape(w.root + '/data/in')).toEqual(whole);
        await done(w);
      }
    });
  });

  describe('links into /data', () => {
    it('are placed relative, so they lead to the copy in the job: alone, in a directory and in a composed one', async () => {
      const d = (await commitWith((p) => {
        mkdirSync(p);
        writeFileSync(join(p, 'target'), 't\n');
        symlinkSync('/data/out/target', join(p, 'abs'));
        mkdirSync(join(p, 'sub'));
        symlinkSync('/data/out', join(p, 'sub', 'up'));
      }))!;
      const composed = s.composeTree([{ name: 'out', id: d }, { name: 'top', id: 'link:/data/all/out/target' }]);
      const w = await ws();
      await s.materialize(d, w, '/data/out');
      await s.materialize(composed, w, '/data/all');
      await s.materialize('link:/data/out/target', w, '/data/x/l');
      const at = (rel: string): string => readlinkSync(`${w.root}/data/${rel}`);
      expect([at('out/abs'), at('out/sub/up'), at('x/l')]).toEqual(['target', '..', '../out/target']);
      // A link keeps the /data path it names: inside a directory placed elsewhere, it leads to that path.
      expect([at('all/out/abs'), at('all/top')]).toEqual(['../../out/target', 'out/target']);
      for (const rel of ['out/abs', 'x/l', 'all/out/abs', 'all/top', 'out/sub/up/target']) expect(readFileSync(`${w.root}/data/${rel}`, 'utf8')).toBe('t\n');
      await done(w);
    });
  });

  describe('entries and composeTree', () => {
    it('gives each item of a directory the id it has on its own, so one new item leaves the others alone', async () => {
      const a = await commitFile('item a\n');
      const b = await commitFile('item b\n');
      const d1 = (await commitWith((p) => {
        write(p, 'a', 'item a\n');
        write(p, 'b', 'item b\n');
      }))!;
      expect(s.entries(d1)).toEqual([{ name: 'a', id: a }, { name: 'b', id: b }]);
      const d2 = (await commitWith((p) => {
        write(p, 'a', 'item a\n');
        write(p, 'b', 'item b\n');
        write(p, 'c', 'item c\n');
      }))!;
      const e2 = s.entries(d2)!;
      expect(e2.slice(0, 2)).toEqual([{ name: 'a', id: a }, { name: 'b', id: b }]);
      expect(e2[2]!.name).toBe('c');
      expect(await look(e2[2]!.id)).toEqual({ type: 'file', exec: false, text: 'item c\n' });
      expect(s.entries(a!)).toBeUndefined();
    });

    it('composes directories out of existing snapshots, without regard to order', async () => {
      const x = (await commitFile('x\n'))!;
      const y = (await commitFile('y\n', 0o755))!;
      const t = (await commitTree())!;
      const inner = s.composeTree([{ name: 'y', id: y }, { name: 'l', id: 'link:y' }]);
      const c1 = s.composeTree([{ name: 'tree', id: t }, { name: 'x', id: x }, { name: 'inner', id: inner }]);
      const c2 = s.composeTree([{ name: 'inner', id: inner }, { name: 'x', id: x }, { name: 'tree', id: t }]);
      expect(c2).toBe(c1);
      expect(s.entries(c1)!.map((e) => e.name)).toEqual(['inner', 'tree', 'x']);
      expect(s.has(c1)).toBe(true);
      const seen = await look(c1);
      expect(seen).toEqual({
        type: 'dir',
        entries: {
          inner: { type: 'dir', entries: { l: { type: 'link', target: 'y' }, y: { type: 'file', exec: true, text: 'y\n' } } },
          tree: await look(t),
          x: { type: 'file', exec: false, text: 'x\n' },
        },
      });
      expect(s.composeTree([])).toBe(s.composeTree([]));
    });

    it('keeps a composed input read-only', async () => {
      const x = (await commitFile('x\n'))!;
      const c = s.composeTree([{ name: 'x', id: x }]);
      const w = await ws();
      await s.materialize(c, w, '/data/in');
      if (opts.readOnly === 'enforced') {
        expect(attempt(() => writeFileSync(w.root + '/data/in/x', 'changed', { flag: 'a' }))).toBe(false);
        expect(attempt(() => writeFileSync(w.root + '/data/in/new', 'new'))).toBe(false);
      }
      attempt(() => {
        unlinkSync(w.root + '/data/in/x');
        writeFileSync(w.root + '/data/in/x', 'replaced');
      });
      await done(w);
      expect(await look(c)).toEqual({ type: 'dir', entries: { x: { type: 'file', exec: false, text: 'x\n' } } });
    });
  });

  describe('ingest', () => {
    it('takes in host files and directories with the content ids the planner predicts', async () => {
      const dir = join(host, 'ingest-src');
      mkdirSync(dir);
      sampleTree(dir);
      const file = join(host, 'ingest-file.txt');
      writeFileSync(file, 'host file\n');
      const d1 = await s.ingest(dir);
      const d2 = await s.ingest(dir);
      const f = await s.ingest(file);
      expect(d2).toBe(d1);
      expect(d1).toBe(contentId(dir, hashFileSync).id);
      expect(f).toBe(contentId(file, hashFileSync).id);
      expect(s.has(d1)).toBe(true);
      expect(s.has(f)).toBe(true);
      expect(s.entries(d1)).toEqual(contentId(dir, hashFileSync).entries);
      expect(await look(d1)).toEqual(shape(dir));
      expect(await look(f)).toEqual(shape(file));
      // An item of an ingested directory is materialized on its own by a map job.
      const item = s.entries(d1)!.find((e) => e.name === 'b.txt')!;
      expect(await look(item.id)).toEqual({ type: 'file', exec: false, text: 'beta\n' });
      // The host copy changing later does not change what was ingested.
      writeFileSync(join(dir, 'a.txt'), 'changed on the host\n');
      expect(await look(d1)).toEqual(expected((p) => {
        mkdirSync(p);
        sampleTree(p);
      }));
      expect(await s.ingest(dir)).not.toBe(d1);
    });

    it('stops when its signal is aborted (Ctrl-C), storing nothing of the input, and takes it in whole later', async () => {
      const dir = join(host, 'ingest-stopped');
      mkdirSync(dir);
      sampleTree(dir);
      writeFileSync(join(dir, 'own.txt'), 'only this input has it\n');
      const stop = new AbortController();
      stop.abort();
      await expect(s.ingest(dir, undefined, stop.signal)).rejects.toThrow(/abort/i);
      expect(s.has(contentId(dir, hashFileSync).id)).toBe(false);
      expect(await s.ingest(dir)).toBe(contentId(dir, hashFileSync).id);
    });

    it('given how to take links (a bound input\'s), stores a link leading out as the data it leads to, with the id the planner predicts', async () => {
      const out = join(host, 'ingest-drive');
      write(out, 'big.csv', 'big\n');
      write(out, 'shared/x.txt', 'x\n');
      const dir = join(host, 'ingest-linked');
      write(dir, 'own.csv', 'own\n');
      symlinkSync('../ingest-drive/big.csv', join(dir, 'big.csv'));
      symlinkSync(join(out, 'shared'), join(dir, 'shared'));
      symlinkSync('own.csv', join(dir, 'inner.csv'));
      const id = await s.ingest(dir, LocalLinks.of(dir));
      expect(id).toBe(contentId(dir, hashFileSync, LocalLinks.of(dir)).id);
      expect(id).toBe(await contentIdOfTree(dir, async (files) => files.map((f) => hashFileSync(f.path)), undefined, undefined, LocalLinks.of(dir)));
      expect(await look(id)).toEqual({
        type: 'dir',
        entries: {
          'big.csv': { type: 'file', exec: false, text: 'big\n' },
          'inner.csv': { type: 'link', target: 'own.csv' },
          'own.csv': { type: 'file', exec: false, text: 'own\n' },
          shared: { type: 'dir', entries: { 'x.txt': { type: 'file', exec: false, text: 'x\n' } } },
        },
      });
      // Without links to follow, a directory's id is the one it always had.
      expect(await s.ingest(out, LocalLinks.of(out))).toBe(contentId(out, hashFileSync).id);
    });
  });

  describe('exportTo', () => {
    it('writes a plain, writable copy, and writing to it leaves the store alone', async () => {
      const t = (await commitTree())!;
      const c = s.composeTree([{ name: 'dir', id: t }, { name: 'f', id: (await commitFile('f\n'))! }]);
      const out = join(host, 'exported');
      await s.exportTo(c, out);
      expect(shape(join(out, 'dir'))).toEqual(await look(t));
      expect(readFileSync(join(out, 'f'), 'utf8')).toBe('f\n');
      writeFileSync(join(out, 'dir', 'a.txt'), 'edited\n', { flag: 'a' });
      writeFileSync(join(out, 'dir', 'sub', 'new.txt'), 'new\n');
      expect(readFileSync(join(out, 'dir', 'a.txt'), 'utf8')).toBe('alpha\nedited\n');
      expect(await look(t)).toEqual(expected((p) => {
        mkdirSync(p);
        sampleTree(p);
      }));
      // Exporting again replaces the old copy.
      await s.exportTo(t, out);
      expect(shape(out)).toEqual(await look(t));
      expect(existsSync(join(out, 'f'))).toBe(false);
    });
  });

  describe('exportTo after a publish that was killed', () => {
    it('removes the copies a dead process left half-made beside the target, and no live one', async () => {
      const f = (await commitFile('published\n'))!;
      const out = join(host, 'killed-publish');
      // A dead process's staged copy and moved-aside old copy; another live process's staging.
      const dead = 2 ** 22 + 17;
      for (const leftover of [`${out}.shark-tmp-${dead}`, `${out}.shark-old-${dead}`, `${out}.shark-tmp-${process.ppid}`]) {
        mkdirSync(leftover, { recursive: true });
        writeFileSync(join(leftover, 'part'), 'half\n');
      }
      await s.exportTo(f, out);
      expect(readFileSync(out, 'utf8')).toBe('published\n');
      expect(existsSync(`${out}.shark-tmp-${dead}`)).toBe(false);
      expect(existsSync(`${out}.shark-old-${dead}`)).toBe(false);
      expect(existsSync(`${out}.shark-tmp-${process.ppid}`)).toBe(true);
    });
  });

  describe('has', () => {
    it('knows what it holds', async () => {
      const f = (await commitFile('held\n'))!;
      expect(s.has(f)).toBe(true);
      expect(s.has('link:anything')).toBe(true);
      expect(s.has(`sha256:${'0'.repeat(64)}`)).toBe(false);
      expect(s.has(`tree:${'0'.repeat(64)}`)).toBe(false);
      expect(s.has('zfs:123:/data/out')).toBe(false);
    });
  });

  describe('collect', () => {
    it('frees nothing in a dry run, then only what is unreachable', async () => {
      const own = await opts.open();
      const g = own.store;
      const commitIn = async (fill: (root: string) => void, path: string): Promise<SnapshotId> => {
        const w = await g.createWorkspace('gc');
        fill(w.root);
        const id = await g.commit(w, path);
        await g.disposeWorkspace(w);
        return id!;
      };
      const kept = await commitIn((r) => {
        mkdirSync(r + '/data/out');
        sampleTree(r + '/data/out');
      }, '/data/out');
      const item = await commitIn((r) => write(r, 'data/item', 'an item, kept through a composed tree\n'), '/data/item');
      const dropped = await commitIn((r) => write(r, 'data/big', 'x'.repeat(100_000)), '/data/big');
      const composed = g.composeTree([{ name: 'item', id: item }]);
      const keep = new Set([kept, composed]);

      const dry = await g.collect(keep, true);
      expect(dry.count).toBeGreaterThan(0);
      expect(dry.bytes).toBeGreaterThanOrEqual(100_000);
      expect(g.has(dropped)).toBe(true);
      expect(await g.collect(keep, true)).toEqual(dry);

      const real = await g.collect(keep, false);
      expect(real).toEqual(dry);
      expect(g.has(dropped)).toBe(false);
      for (const id of [kept, item, composed]) expect(g.has(id)).toBe(true);
      expect(await g.collect(keep, true)).toMatchObject({ count: 0, bytes: 0 });

      const w = await g.createWorkspace('after-gc');
      await g.materialize(composed, w, '/data/c');
      await g.materialize(kept, w, '/data/k');
      expect(readFileSync(w.root + '/data/c/item', 'utf8')).toBe('an item, kept through a composed tree\n');
      expect(readFileSync(w.root + '/data/k/sub/c.txt', 'utf8')).toBe('gamma\n');
      await g.disposeWorkspace(w);
      // What was collected can be stored again.
      expect(g.has((await commitIn((r) => write(r, 'data/big', 'x'.repeat(100_000)), '/data/big')))).toBe(true);
      g.close();
      own.meta.close();
    });
  });

  it('meta is usable beside the store', () => {
    expect(meta.latestRun('/nowhere.md')).toBeUndefined();
  });
}
