import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentId } from '../../src/store/content-id.js';
import { hashFileSync } from '../../src/store/hash.js';
import type { Metadata } from '../../src/store/metadata.js';
import type { SnapshotId, Workspace } from '../../src/store/snapshot-store.js';
import { failureMessage, openZfsStore, ZfsError, type ZfsStore } from '../../src/store/zfs-store.js';
import { shape } from './contract.js';
import { datasetsUnder, destroyDataset } from './zfs-datasets.js';
import { makeSuiteDataset, PARENT, zfsTestFile } from './zfs-test-file.js';

/**
 * What the ZFS store promises beyond the contract: content ids that survive
 * gc, links that are never mounted through, and fsck (verify, quarantine).
 */
const RUN = `i${process.pid}-${randomBytes(3).toString('hex')}`;
const missing = await zfsTestFile();
const required = process.env['SHARK_REQUIRE_ZFS'] === '1';

const ZFS = ['/usr/sbin/zfs', '/sbin/zfs'].find((p) => existsSync(p)) ?? 'zfs';

/** Mount points under `dir` and what each shows (mountinfo's root field), from /proc/self/mountinfo. */
function mountsUnder(dir: string): { point: string; root: string }[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' '))
    .map((f) => ({ root: unescape(f[3] ?? ''), point: unescape(f[4] ?? '') }))
    .filter((m) => m.point === dir || m.point.startsWith(`${dir}/`));
}

describe.skipIf(missing !== undefined && !required)('ZFS store integrity', () => {
  const ds = `${PARENT}/${RUN}`;
  const host = mkdtempSync(join(tmpdir(), 'shark-zfs-integrity-'));
  const opened: { store: ZfsStore; meta: Metadata }[] = [];
  let s: ZfsStore;
  const open = (): ZfsStore => {
    const r = openZfsStore(`zfs:${ds}`);
    if (!r.ok) throw new Error(failureMessage(r.error));
    opened.push(r.value);
    return r.value.store;
  };
  const workspaces: { store: ZfsStore; ws: Workspace }[] = [];
  const ws = async (store = s, label = 'job'): Promise<Workspace> => {
    const w = await store.createWorkspace(label);
    workspaces.push({ store, ws: w });
    return w;
  };
  const dispose = async (w: Workspace): Promise<void> => {
    const i = workspaces.findIndex((x) => x.ws === w);
    const [entry] = workspaces.splice(i, 1);
    await entry!.store.disposeWorkspace(w);
  };
  /** Commits what `fill` writes at /data/out in a fresh workspace of `store`. */
  const commitWith = async (fill: (path: string, root: string) => void, store = s): Promise<SnapshotId> => {
    const w = await ws(store);
    fill(w.root + '/data/out', w.root);
    const id = await store.commit(w, '/data/out');
    await dispose(w);
    return id!;
  };

  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    s = open();
  });
  afterAll(async () => {
    for (const { store, ws: w } of workspaces.splice(0)) await store.disposeWorkspace(w).catch(() => undefined);
    for (const o of opened.splice(0)) {
      o.store.close();
      o.meta.close();
    }
    await destroyDataset(ds);
    rmSync(host, { recursive: true, force: true });
  });

  describe('content ids', () => {
    it('hands out the content ids the content-addressed store computes', async () => {
      const dir = join(host, 'tree');
      mkdirSync(join(dir, 'sub'), { recursive: true });
      writeFileSync(join(dir, 'a.txt'), 'alpha\n');
      writeFileSync(join(dir, 'sub', 'b.txt'), 'beta\n', { mode: 0o755 });
      symlinkSync('a.txt', join(dir, 'link'));
      const id = await commitWith((p) => execFileSync('cp', ['-a', dir, p]));
      expect(id).toBe(contentId(dir, hashFileSync).id);
      expect(s.entries(id)).toEqual(contentId(dir, hashFileSync).entries);
      expect(s.entries(id)!.map((e) => e.id.split(':')[0])).toEqual(['sha256', 'link', 'tree']);
      const file = await commitWith((p) => writeFileSync(p, 'alpha\n'));
      expect(file).toBe(s.entries(id)![0]!.id);
      expect(s.composeTree(s.entries(id)!)).toBe(id);
    });

    it('gives data the same id in another job, after gc freed it, and in another process at the same time', async () => {
      const text = `same data ${RUN}\n`;
      const first = await commitWith((p) => writeFileSync(p, text));
      expect(await commitWith((p) => writeFileSync(p, text))).toBe(first);
      await s.collect(new Set(), false);
      expect(s.has(first)).toBe(false);
      expect(await commitWith((p) => writeFileSync(p, text))).toBe(first);
      expect(s.has(first)).toBe(true);

      // Two processes commit the same new data at once: two snapshots, one id.
      const other = open();
      const twice = `twice ${RUN}\n`;
      const [w1, w2] = [await ws(s), await ws(other)];
      writeFileSync(w1.root + '/data/out', twice);
      writeFileSync(w2.root + '/data/out', twice);
      const [a, b] = await Promise.all([s.commit(w1, '/data/out'), other.commit(w2, '/data/out')]);
      await dispose(w1);
      await dispose(w2);
      expect(a).toBe(b);
      // gc keeps one place for it and frees the other (or nothing): the id still resolves, in both.
      await s.collect(new Set([a!, first]), false);
      for (const store of [s, other]) {
        expect(store.has(a!)).toBe(true);
        const r = await ws(store);
        await store.materialize(a!, r, '/data/in');
        expect(readFileSync(r.root + '/data/in', 'utf8')).toBe(twice);
        await dispose(r);
      }
    });

    it('says a composed tree is there only while every leaf is', async () => {
      const kept = await commitWith((p) => writeFileSync(p, `kept ${RUN}\n`));
      const lost = await commitWith((p) => writeFileSync(p, `lost ${RUN}\n`));
      const tree = s.composeTree([{ name: 'k', id: kept }, { name: 'l', id: lost }]);
      expect(s.has(tree)).toBe(true);
      await s.collect(new Set([kept]), false);
      expect(s.has(kept)).toBe(true);
      expect(s.has(tree)).toBe(false);
    });
  });

  describe('links are data, never doors', () => {
    it('stores links to host paths as links, and a later job sees links, with nothing of the host mounted', async () => {
      const hostFile = join(host, 'secret.txt');
      writeFileSync(hostFile, 'host secret\n');
      let root = '';
      const id = await commitWith((p, r) => {
        root = r;
        mkdirSync(p);
        writeFileSync(join(p, 'a.txt'), 'a\n');
        symlinkSync('/etc', join(p, 'etc'));
        symlinkSync(hostFile, join(p, 'host'));
        symlinkSync(`${r}/data/out/a.txt`, join(p, 'inside'));
        symlinkSync(`${realpathSync(r)}/data/out`, join(p, 'self'));
      });
      expect(Object.fromEntries(s.entries(id)!.map((e) => [e.name, e.id]))).toMatchObject({
        etc: 'link:/etc', host: `link:${hostFile}`, inside: 'link:/data/out/a.txt', self: 'link:/data/out',
      });
      expect(root).not.toBe('');

      const reader = await ws(s, 'reader');
      await s.materialize(id, reader, '/data/in');
      // A map job reads items one by one: each link on its own, too.
      for (const e of s.entries(id)!) await s.materialize(e.id, reader, `/data/items/${e.name}`);
      for (const dir of ['/data/in', '/data/items']) {
        expect(readlinkSync(`${reader.root}${dir}/etc`)).toBe('/etc');
        expect(readlinkSync(`${reader.root}${dir}/host`)).toBe(hostFile);
        // A link into /data leads to the reader's own /data, as on the directory store.
        expect(readlinkSync(`${reader.root}${dir}/inside`)).toBe('../out/a.txt');
      }
      expect(lstatSync(`${reader.root}/data/items/etc`).isSymbolicLink()).toBe(true);
      const mounts = mountsUnder(reader.root).filter((m) => m.point !== reader.root);
      expect(mounts.length).toBeGreaterThan(0);
      for (const m of mounts) {
        expect(m.root).not.toMatch(/^\/etc/);
        expect(m.root).not.toContain('secret');
        // A directory holding a link into /data is a skeleton with its files bound in.
        expect([`${reader.root}/data/in`, `${reader.root}/data/in/a.txt`, `${reader.root}/data/items/a.txt`]).toContain(m.point);
      }
      await dispose(reader);
    });

    it('stores a link output that points into the job as /data/...', async () => {
      const id = await commitWith((p, r) => {
        writeFileSync(`${r}/data/target`, 't\n');
        symlinkSync(`${r}/data/target`, p);
      });
      expect(id).toBe('link:/data/target');
    });

    it('never mounts through a link that an earlier input placed', async () => {
      const victim = mkdtempSync(join(host, 'victim-'));
      const file = await commitWith((p) => writeFileSync(p, 'mounted?\n'));
      const w = await ws(s, 'through');
      await s.materialize(`link:${victim}`, w, '/data/a');
      const err = await s.materialize(file, w, '/data/a/x').catch((e: unknown) => e);
      const tree = s.composeTree([{ name: 'x', id: file }]);
      const err2 = await s.materialize(tree, w, '/data/a/t').catch((e: unknown) => e);
      const mounted = mountsUnder(victim);
      for (const m of mounted) execFileSync('umount', ['-l', m.point]);
      expect(mounted).toEqual([]);
      expect(err).toBeInstanceOf(ZfsError);
      expect((err as ZfsError).failure.reason).toBe('unsafe-path');
      expect((err2 as ZfsError).failure?.reason).toBe('unsafe-path');
      await dispose(w);
    });
  });

  describe('fsck', () => {
    it('finds nothing wrong in a healthy store, and reports progress', async () => {
      await commitWith((p) => {
        mkdirSync(p);
        writeFileSync(join(p, 'x'), 'x'.repeat(10_000));
      });
      const seen: [number, number, number][] = [];
      const problems = await s.verify((d, t, b) => seen.push([d, t, b]), new AbortController().signal);
      expect(problems).toEqual([]);
      const [done, total, bytes] = seen.at(-1)!;
      expect(done).toBe(total);
      expect(total).toBeGreaterThan(0);
      expect(bytes).toBeGreaterThanOrEqual(10_000);
    });

    it('reports a snapshot destroyed behind its back as missing, and forgets it on quarantine', async () => {
      const id = await commitWith((p) => writeFileSync(p, `doomed ${RUN}\n`));
      const name = s.describe(id)!.split(':')[0]!;
      execFileSync(ZFS, ['destroy', name]);
      const problems = await s.verify(() => undefined, new AbortController().signal);
      expect(problems).toEqual([{ id, problem: 'missing', detail: expect.stringContaining(name) as string }]);
      await s.quarantine(problems.map((p) => p.id));
      expect(s.has(id)).toBe(false);
      expect(await s.verify(() => undefined, new AbortController().signal)).toEqual([]);
    });

    it('says a snapshot replaced by another of the same name was replaced, not that it no longer exists', async () => {
      const id = await commitWith((p) => writeFileSync(p, `replaced ${RUN}\n`));
      const name = s.describe(id)!.split(':')[0]!;
      execFileSync(ZFS, ['destroy', name]);
      execFileSync(ZFS, ['snapshot', name]);
      const problems = await s.verify(() => undefined, new AbortController().signal);
      expect(problems).toEqual([{ id, problem: 'missing', detail: `snapshot ${name} was replaced by another of the same name (its GUID changed)` }]);
      await s.quarantine([id]);
    });

    it('reports data that differs from its content id as corrupt, and quarantine makes the planner re-run it', async () => {
      const good = await commitWith((p) => writeFileSync(p, `good ${RUN}\n`));
      const bad = await commitWith((p) => writeFileSync(p, `bad ${RUN}\n`));
      // A snapshot is immutable: what can differ is what was recorded (a writer racing the commit, a damaged pool).
      const db = opened[0]!.meta.db;
      const swap = db.prepare('UPDATE zfs_objects SET content = ? WHERE content = ?');
      swap.run('swapping', good);
      swap.run(good, bad);
      swap.run(bad, 'swapping');
      const problems = await s.verify(() => undefined, new AbortController().signal);
      expect(problems.map((p) => [p.id, p.problem]).sort()).toEqual([[bad, 'corrupt'], [good, 'corrupt']].sort());
      expect(problems.find((p) => p.id === good)!.detail).toContain(`holds ${bad}`);
      await s.quarantine([good, bad]);
      expect(s.has(good)).toBe(false);
      expect(s.has(bad)).toBe(false);
      expect(await commitWith((p) => writeFileSync(p, `good ${RUN}\n`))).toBe(good);
      expect(s.has(good)).toBe(true);
      expect(await s.verify(() => undefined, new AbortController().signal)).toEqual([]);
      const r = await ws(s);
      await s.materialize(good, r, '/data/in');
      expect(shape(r.root + '/data/in')).toEqual({ type: 'file', exec: false, text: `good ${RUN}\n` });
      await dispose(r);
    });

    it('reports a directory whose recorded entries do not hash to its id, and quarantine forgets the record', async () => {
      const id = await commitWith((p) => {
        mkdirSync(p);
        writeFileSync(join(p, 'x.txt'), `HELLO ${RUN}\n`);
        writeFileSync(join(p, 'y.txt'), `bye ${RUN}\n`);
      });
      expect(id.startsWith('tree:')).toBe(true);
      const db = opened[0]!.meta.db;
      const entries = JSON.parse((db.prepare('SELECT entries FROM trees WHERE id = ?').get(id) as { entries: string }).entries) as { name: string; id: string }[];
      // x.txt's entry now names y.txt's bytes: a map over the directory would be given the wrong item.
      const edited = entries.map((e) => (e.name === 'x.txt' ? { ...e, id: entries.find((o) => o.name === 'y.txt')!.id } : e));
      db.prepare('UPDATE trees SET entries = ? WHERE id = ?').run(JSON.stringify(edited), id);
      const fresh = open();
      const problems = await fresh.verify(() => undefined, new AbortController().signal);
      expect(problems).toEqual([{ id, problem: 'corrupt', detail: expect.stringMatching(/^directory of \/data\/out: its recorded entries hash to tree:[0-9a-f]{64}$/) as string }]);
      await fresh.quarantine([id]);
      expect(fresh.has(id)).toBe(false);
      expect(await fresh.verify(() => undefined, new AbortController().signal)).toEqual([]);
    });

    it('stops when asked', async () => {
      const stop = new AbortController();
      stop.abort();
      expect(await s.verify(() => undefined, stop.signal)).toEqual([]);
      expect((await datasetsUnder(`${ds}/mnt`, 'filesystem')).filter((d) => d.includes('/fsck-'))).toEqual([]);
    });
  });
});
