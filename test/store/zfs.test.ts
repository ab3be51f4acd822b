import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { classify, failureMessage, openZfsStore, ZfsError, type ZfsStore } from '../../src/store/zfs-store.js';
import { storeContract } from './contract.js';
import { createDataset, datasetsUnder, destroyDataset } from './zfs-datasets.js';
import { PARENT, zfsTestFile } from './zfs-test-file.js';

/**
 * The store contract on real ZFS (zfs-fuse in CI), in datasets of our own
 * under `$SHARK_ZFS_POOL/test`, named per run so that runs can overlap.
 */
const RUN = `t${process.pid}-${randomBytes(3).toString('hex')}`;
const missing = await zfsTestFile();

if (missing !== undefined && process.env['SHARK_REQUIRE_ZFS'] === '1') {
  describe('ZFS store', () => {
    it('needs ZFS (SHARK_REQUIRE_ZFS=1)', () => {
      expect.fail(`ZFS is required but not usable: ${missing}`);
    });
  });
}

let made = 0;
async function freshDataset(options: Record<string, string> = {}): Promise<string> {
  const ds = `${PARENT}/${RUN}-${++made}`;
  const r = await createDataset(ds, options);
  if (!r.ok) throw new Error(failureMessage(r.error));
  return ds;
}

const closers: { close(): void }[] = [];
function open(ds: string): ZfsStore {
  const r = openZfsStore(`zfs:${ds}`);
  if (!r.ok) throw new Error(failureMessage(r.error));
  closers.push(r.value.store, r.value.meta);
  return r.value.store;
}

function attempt(f: () => void): void {
  try {
    f();
  } catch {
    // Closed already.
  }
}

/** Closes every store `open` made (its database lives on the dataset about to be destroyed). */
function closeAll(): void {
  for (const c of closers.splice(0)) attempt(() => c.close());
}

describe.skipIf(missing !== undefined)('ZFS store', () => {
  const datasets: string[] = [];

  describe('contract', () => {
    const opened: { close(): void }[] = [];
    storeContract({
      open: async () => {
        const ds = await freshDataset();
        datasets.push(ds);
        const r = openZfsStore(`zfs:${ds}`);
        if (!r.ok) throw new Error(failureMessage(r.error));
        opened.push(r.value.store, r.value.meta);
        return r.value;
      },
      cleanup: async () => {
        // The database must be closed before its dataset can be unmounted.
        for (const o of opened.splice(0)) attempt(() => o.close());
        for (const ds of datasets.splice(0)) await destroyDataset(ds);
      },
      // Inputs are read-only bind mounts of read-only clones.
      readOnly: 'enforced',
    });
  });

  describe('ZFS specifics', () => {
    let ds: string;
    let store: ZfsStore;
    const host = mkdtempSync(join(tmpdir(), 'shark-zfs-'));
    beforeAll(async () => {
      ds = await freshDataset();
      store = open(ds);
    });
    afterAll(async () => {
      closeAll();
      await destroyDataset(ds);
      rmSync(host, { recursive: true, force: true });
    });

    it('commits a job into a snapshot that zfs lists, and describes it by name', async () => {
      const ws = await store.createWorkspace('describe me');
      mkdirSync(ws.root + '/data/out');
      writeFileSync(ws.root + '/data/out/x', 'x\n');
      const id = (await store.commit(ws, '/data/out'))!;
      await store.disposeWorkspace(ws);
      expect(id).toMatch(/^tree:[0-9a-f]{64}$/);
      const name = store.describe(id)!;
      expect(name).toMatch(new RegExp(`^${ds}/job/describe_me-[0-9a-f]+@out:/data/out$`));
      const snaps = await datasetsUnder(ds, 'snapshot');
      expect(snaps).toContain(name.split(':')[0]);
      expect(store.describe(store.composeTree([{ name: 'x', id }]))).toBe(name.split(':')[0]);
    });

    it('destroys the dataset of a job that committed nothing', async () => {
      const before = await datasetsUnder(`${ds}/job`, 'filesystem');
      const ws = await store.createWorkspace('failed');
      writeFileSync(ws.root + '/data/partial', 'half a result');
      expect((await datasetsUnder(`${ds}/job`, 'filesystem')).length).toBe(before.length + 1);
      await store.disposeWorkspace(ws);
      expect(await datasetsUnder(`${ds}/job`, 'filesystem')).toEqual(before);
    });

    it('gives inputs through mounts, not copies', async () => {
      const ws = await store.createWorkspace('producer');
      writeFileSync(ws.root + '/data/big', Buffer.alloc(4 << 20, 7));
      const id = (await store.commit(ws, '/data/big'))!;
      await store.disposeWorkspace(ws);
      const reader = await store.createWorkspace('reader');
      await store.materialize(id, reader, '/data/in');
      expect(statSync(reader.root + '/data/in').size).toBe(4 << 20);
      expect(statSync(reader.root + '/data/in').dev).not.toBe(statSync(reader.root + '/data').dev);
      await store.disposeWorkspace(reader);
    });

    it('reopens with everything it had', async () => {
      const ws = await store.createWorkspace('persist');
      writeFileSync(ws.root + '/data/p', 'persisted\n');
      const id = (await store.commit(ws, '/data/p'))!;
      await store.disposeWorkspace(ws);
      const again = openStore(`zfs:${ds}`, host);
      expect(again.ok).toBe(true);
      if (!again.ok) return;
      expect(again.value.store.has(id)).toBe(true);
      expect(again.value.store.describe(id)).toBe(store.describe(id));
      again.value.store.close();
      again.value.meta.close();
    });
  });

  describe('a full pool', () => {
    let ds: string;
    let store: ZfsStore;
    const host = mkdtempSync(join(tmpdir(), 'shark-zfs-full-'));
    beforeAll(async () => {
      ds = await freshDataset({ quota: '24M' });
      store = open(ds);
    });
    afterAll(async () => {
      closeAll();
      await destroyDataset(ds);
      rmSync(host, { recursive: true, force: true });
    });

    it('refuses to commit an output written into a full dataset, and keeps nothing', async () => {
      const before = await datasetsUnder(ds, 'snapshot');
      const ws = await store.createWorkspace('filler');
      let wrote = true;
      try {
        writeFileSync(ws.root + '/data/out', Buffer.alloc(40 << 20, 1));
      } catch (e) {
        wrote = false;
        // Node has no name for EDQUOT (-122): it says UNKNOWN.
        expect((e as NodeJS.ErrnoException).code).toMatch(/EDQUOT|ENOSPC|UNKNOWN/);
      }
      expect(wrote).toBe(false);
      const err = await store.commit(ws, '/data/out').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZfsError);
      expect((err as ZfsError).failure.reason).toBe('pool-full');
      expect((err as ZfsError).message).toMatch(/no space left in ZFS dataset .*nothing was committed/);
      await store.disposeWorkspace(ws);
      expect(await datasetsUnder(ds, 'snapshot')).toEqual(before);
    });

    it('fails an ingest that does not fit', async () => {
      writeFileSync(join(host, 'huge'), Buffer.alloc(40 << 20, 2));
      const err = await store.ingest(join(host, 'huge')).catch((e: unknown) => e);
      expect((err as ZfsError).failure?.reason).toBe('pool-full');
      expect(await datasetsUnder(`${ds}/in`, 'filesystem')).toEqual([]);
    });
  });

  describe('errors', () => {
    it('names a missing pool, a missing dataset and a bad spec', () => {
      const noPool = openStore(`zfs:nopool${RUN}/x`, '/tmp');
      expect(noPool.ok ? '' : noPool.message).toMatch(/ZFS pool nopool\S+ does not exist/);
      const noDs = openStore(`zfs:${PARENT}/missing-${RUN}`, '/tmp');
      expect(noDs.ok ? '' : noDs.message).toContain(`create it with \`zfs create ${PARENT}/missing-${RUN}\``);
      const bad = openStore('zfs:', '/tmp');
      expect(bad.ok ? '' : bad.message).toMatch(/expected zfs:POOL\/DATASET/);
    });

    it('refuses a store inside another store\'s areas, whose gc destroyed its meta/ as a killed run\'s leftover', async () => {
      const outer = await freshDataset();
      open(outer);
      const inner = openStore(`zfs:${outer}/job`, '/tmp');
      expect(inner.ok ? '' : inner.message).toBe(`cannot open the store zfs:${outer}/job: zfs:${outer}/job is inside the store zfs:${outer} (its job/ area, whose datasets that store's runs and gc make and destroy): name a dataset outside it`);
      expect(await datasetsUnder(`${outer}/job`, 'filesystem')).toEqual([]);
      await destroyDataset(outer);
    });

    it('refuses a pool\'s root dataset, changing nothing of the pool', () => {
      const pool = PARENT.split('/')[0]!;
      const setuid = (): string => execFileSync('zfs', ['get', '-H', '-o', 'value,source', 'setuid', pool], { encoding: 'utf8' }).trim();
      const before = setuid();
      const root = openStore(`zfs:${pool}`, '/tmp');
      expect(root.ok ? '' : root.message).toBe(`cannot open the store zfs:${pool}: zfs:${pool} is no ZFS dataset name: expected zfs:POOL/DATASET, each part letters, digits, '_', '-', ':' and '.', and none . or ..`);
      expect(setuid()).toBe(before);
    });
  });
});

describe('ZFS error messages', () => {
  it('tells permission, daemon, space and missing things apart', () => {
    expect(classify('zfs list', 'connect: Permission denied\ninternal error: failed to initialize ZFS library\n', 'p/d').reason).toBe('permission');
    expect(classify('zfs list', 'connect: Connection refused\ninternal error: failed to initialize ZFS library\n', 'p/d').reason).toBe('no-daemon');
    expect(classify('zfs snapshot', "cannot create snapshot 'p/d@x': out of space\n", 'p/d')).toEqual({ reason: 'pool-full', dataset: 'p/d' });
    expect(classify('zpool list', "cannot open 'nopool': no such pool\n", 'nopool')).toEqual({ reason: 'no-pool', pool: 'nopool' });
    expect(classify('zfs get', "cannot open 'p/x': dataset does not exist\n", 'p/x')).toEqual({ reason: 'no-dataset', dataset: 'p/x' });
    expect(failureMessage({ reason: 'permission', command: 'zfs list' })).toMatch(/permission denied .*needs root/);
  });
});
