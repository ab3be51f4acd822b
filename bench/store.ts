import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { CasStore } from '../src/store/cas-store.js';
import { hashFileSync } from '../src/store/hash.js';
import { Metadata } from '../src/store/metadata.js';
import type { SnapshotStore, Workspace } from '../src/store/snapshot-store.js';
import { failureMessage, openZfsStore } from '../src/store/zfs-store.js';
import { createDataset, destroyDataset, zfsUnavailable } from '../test/store/zfs-datasets.js';
import { fsckThroughput } from './integrity.js';
import { scratch } from './tools.js';

const GIB = 1 << 30;
const BLOCK = 4 << 20;

/** Writes `bytes` of data no store has seen (a fresh random block, repeated with a counter). */
function writeData(path: string, bytes: number): number {
  const block = randomBytes(BLOCK);
  const fd = openSync(path, 'w');
  const t0 = performance.now();
  try {
    for (let off = 0, n = 0; off < bytes; off += BLOCK, n++) {
      block.writeUInt32LE(n, 0);
      writeSync(fd, block, 0, Math.min(BLOCK, bytes - off));
    }
  } finally {
    closeSync(fd);
  }
  return (performance.now() - t0) / 1000;
}

interface Measured {
  readonly write: number;
  readonly commit: number;
  /** Committing a 1-byte output of a workspace that also holds the 1 GiB. */
  readonly small: number;
}

/** One step writing 1 GiB: time to write it, then to commit it. */
async function commitGiB(store: SnapshotStore): Promise<Measured> {
  const ws: Workspace = await store.createWorkspace('bench-1gib');
  try {
    const write = writeData(ws.root + '/data/out', GIB);
    writeData(ws.root + '/data/tiny', 1);
    let t0 = performance.now();
    const id = await store.commit(ws, '/data/out');
    const commit = (performance.now() - t0) / 1000;
    if (id === undefined) throw new Error('nothing committed');
    t0 = performance.now();
    await store.commit(ws, '/data/tiny');
    return { write, commit, small: (performance.now() - t0) / 1000 };
  } finally {
    await store.disposeWorkspace(ws);
  }
}

const s = (x: number): string => (x < 1 ? `${Math.round(x * 1000)} ms` : `${x.toFixed(2)} s`);
const mbps = (bytes: number, seconds: number): string => `${Math.round(bytes / 1e6 / seconds)} MB/s`;

/** Issue 6 (and 3): commit time of a step writing 1 GiB on each store, and the CAS hashing throughput. */
export async function benchCommit(): Promise<string[]> {
  const lines: string[] = [];
  const dir = scratch('store');
  let cas: Measured;
  let hashRate: string;
  let fsck: string[];
  try {
    const meta = new Metadata(dir);
    cas = await commitGiB(new CasStore(dir, meta));
    meta.close();
    fsck = fsckThroughput(dir, GIB);
    const input = `${dir}/input`;
    writeData(input, GIB);
    hashFileSync(input); // warm the page cache: measure hashing, not the disk
    const t0 = performance.now();
    hashFileSync(input);
    hashRate = mbps(GIB, (performance.now() - t0) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  let zfs: Measured | string;
  const parent = `${process.env['SHARK_ZFS_POOL'] ?? 'sharkpool'}/test`;
  const missing = await zfsUnavailable(parent);
  if (missing !== undefined) {
    zfs = `not measured: ${missing}`;
  } else {
    // The test pool is 2 GiB: one dataset for the bench, destroyed at the end.
    const ds = `${parent}/bench-${process.pid}`;
    const made = await createDataset(ds);
    if (!made.ok) {
      zfs = `not measured: ${failureMessage(made.error)}`;
    } else {
      try {
        const opened = openZfsStore(`zfs:${ds}`);
        if (!opened.ok) throw new Error(failureMessage(opened.error));
        try {
          zfs = await commitGiB(opened.value.store);
        } finally {
          opened.value.store.close();
          opened.value.meta.close();
        }
      } catch (e) {
        zfs = `not measured: ${(e as Error).message}`;
      } finally {
        await destroyDataset(ds);
      }
    }
  }

  lines.push('commit of a step that wrote 1 GiB (cas: hash + rename into objects/; zfs: hash for the manifest + snapshot):');
  lines.push(`  cas  commit ${s(cas.commit)}  (${mbps(GIB, cas.commit)}; writing it took ${s(cas.write)})`);
  if (typeof zfs === 'string') lines.push(`  zfs  ${zfs}`);
  else {
    lines.push(`  zfs  commit ${s(zfs.commit)}  (${mbps(GIB, zfs.commit)}; writing it took ${s(zfs.write)})`);
    lines.push(`  ratio zfs/cas ${(zfs.commit / cas.commit).toFixed(2)}x`);
  }
  const small = typeof zfs === 'string' ? '' : `, zfs ${s(zfs.small)} (a snapshot costs the same whatever the dataset holds)`;
  lines.push(`commit of a 1-byte output beside it: cas ${s(cas.small)}${small}`);
  lines.push(`cas hashing throughput on a 1 GiB input (page cache warm): ${hashRate}`);
  lines.push(...fsck);
  return lines;
}
