import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindMountsUnder } from '../../src/store/zfs/collect.js';
import { Rig, SHARK, toRun } from '../support/rig.js';
import { createDataset, datasetsUnder, destroyDataset } from './zfs-datasets.js';
import { makeSuiteDataset, skipZfs, suiteDataset, zfsTestFile } from './zfs-test-file.js';

/**
 * The real binary on a ZFS store: a map over a frontmatter input directory
 * and a reduce, run twice (the second run executes nothing), then one item
 * added (one map job and the reduce run). Skipped without ZFS, failed when
 * SHARK_REQUIRE_ZFS=1 (the contract suite in zfs.test.ts says why).
 */
const missing = await zfsTestFile();

const PIPELINE = `---
inputs:
  items: /data/items/
---
# Items on ZFS

## Copy each item

\`\`\`shark-run
echo map >> counter; cp /data/items/* /data/out/+
\`\`\`

## Count them

\`\`\`shark-run
echo reduce >> counter; ls /data/out/ | wc -l > /data/count.txt
\`\`\`

\`\`\`shark-publish
/data/count.txt
\`\`\`
`;

describe.skipIf(skipZfs(missing))('shark run on a ZFS store', () => {
  const ds = suiteDataset('e2e');
  const store = `zfs:${ds}`;
  let rig: Rig;

  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    for (const name of ['a.txt', 'b.txt', 'c.txt']) rig.write(`items/${name}`, `item ${name}\n`);
  });
  afterAll(async () => {
    rig?.cleanup();
    await destroyDataset(ds);
  });

  const args = (...more: string[]): string[] => [...more, 'p.md', '--store', store, '-i', 'items=items'];

  it('runs a map and a reduce, then nothing the second time', async () => {
    const first = await rig.shark(args('run', '-j', '2'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(rig.lines().sort()).toEqual(['map', 'map', 'map', 'reduce']);
    expect(rig.read('_shark/count.txt').trim()).toBe('3');

    const second = await rig.shark(args('run'));
    expect(second.code).toBe(0);
    expect(rig.count()).toBe(4);
    expect((await rig.plan('p.md', '--store', store, '-i', 'items=items')).summary).toEqual({ cached: 4, run: 0, blocked: 0 });
  });

  it('runs one map job and the reduce for one new item', async () => {
    rig.write('items/d.txt', 'item d.txt\n');
    expect(toRun(await rig.plan('p.md', '--store', store, '-i', 'items=items'))).toEqual(['copy-each-item[d.txt]', 'count-them']);
    const before = rig.count();
    expect((await rig.shark(args('run'))).code).toBe(0);
    expect(rig.lines().slice(before)).toEqual(['map', 'reduce']);
    expect(rig.read('_shark/count.txt').trim()).toBe('4');
  });

  it('names the ZFS snapshots in plan and lineage, and they exist', async () => {
    const snapshots = await datasetsUnder(ds, 'snapshot');
    const plan = await rig.shark(args('plan', '-v'));
    expect(plan.code).toBe(0);
    const named = [...plan.stdout.matchAll(/= (\S+@\S+):\/data\//g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const n of named) expect(snapshots).toContain(n);

    const lineage = await rig.shark(['lineage', 'p.md', '/data/count.txt', '--store', store]);
    expect(lineage.code).toBe(0);
    const count = /→ \/data\/count\.txt {2}(\S+@\S+):\/data\/count\.txt \(sha256:[0-9a-f]{64}\)/.exec(lineage.stdout);
    expect(count, lineage.stdout).not.toBeNull();
    expect(snapshots).toContain(count![1]);
  });

  it('collects with shark gc on ZFS', async () => {
    rig.write('items/a.txt', 'item a.txt, changed\n');
    expect((await rig.shark(args('run'))).code).toBe(0);
    // Datasets Shark did not make (no shark:pid), in its areas: a user's notes, a clone made to look at a result. gc leaves them.
    const mine = [`${ds}/in/team-notes`, `${ds}/job/my-inspection`];
    for (const name of mine) expect((await createDataset(name)).ok).toBe(true);
    const dry = await rig.shark(['gc', 'p.md', '--store', store]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would free [1-9]\d* objects?, [\d.]+ MB/);
    const real = await rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect(real.stdout).toMatch(/freed [1-9]\d* objects?/);
    expect((await rig.shark(['gc', 'p.md', '--store', store])).stdout).toMatch(/would free 0 objects/);
    expect(dry.stdout + dry.stderr).not.toMatch(/working folders/);
    expect((await datasetsUnder(ds, 'filesystem')).filter((d) => mine.includes(d))).toEqual(mine);
    for (const name of mine) await destroyDataset(name);
    // What gc destroyed is freed, not damage: an export of the run that made it says so, and fsck finds nothing.
    const crate = await rig.shark(['export', 'crate', 'p.md', '--run', '1', '-o', rig.path('crate1'), '--store', store]);
    expect(crate.stderr).toMatch(/in run 1 was freed by `shark gc`/);
    expect((await rig.shark(['fsck', '--store', store])).code).toBe(0);
    expect((await rig.plan('p.md', '--store', store, '-i', 'items=items')).summary.run).toBe(0);
  });
});

const SLOW = `# Killed mid-job

## Make

\`\`\`shark-run
echo made > /data/in.txt
\`\`\`

## Slow

\`\`\`shark-run
cat /data/in.txt > /data/copy.txt; echo started >> counter; sleep 3; echo slept >> counter; cp /data/copy.txt /data/out.txt
\`\`\`
`;

describe.skipIf(skipZfs(missing))('shark gc after a killed run on a ZFS store', () => {
  const ds = suiteDataset('killed');
  const store = `zfs:${ds}`;
  let rig: Rig;

  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    rig = new Rig();
    rig.write('k.md', SLOW);
  });
  afterAll(async () => {
    rig?.cleanup();
    await destroyDataset(ds);
  });

  const until = async (what: () => boolean, ms: number): Promise<void> => {
    for (const end = Date.now() + ms; !what(); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > end) throw new Error('timed out');
    }
  };
  const mountpoint = `/${ds}`;

  it('reclaims the job dataset, its mounts and clones that a SIGKILLed run left', async () => {
    const run = spawn(process.execPath, [SHARK, 'run', 'k.md', '--store', store], { cwd: rig.dir, stdio: 'ignore' });
    await until(() => rig.lines().includes('started'), 30_000);
    run.kill('SIGKILL');
    await new Promise((r) => run.once('close', r));
    await until(() => bindMountsUnder(`${mountpoint}/job`).length > 0, 5_000);
    expect((await datasetsUnder(`${ds}/mnt`, 'filesystem')).length).toBeGreaterThan(0);

    // At once: the run's watchdog ends its job, so nothing holds the mounts for long.
    const gc = await rig.shark(['gc', 'k.md', '--store', store, '--delete']);
    expect(gc.stderr).toBe('');
    expect(gc.code).toBe(0);
    // The job died with its run: it never gets past its sleep.
    await new Promise((r) => setTimeout(r, 3500));
    expect(rig.lines()).not.toContain('slept');
    expect((await rig.shark(['gc', 'k.md', '--store', store, '--delete'])).code).toBe(0);
    expect(bindMountsUnder(mountpoint)).toEqual([]);
    expect(await datasetsUnder(`${ds}/mnt`, 'filesystem')).toEqual([]);
    // Left: the datasets of finished jobs, each unmounted with its snapshots.
    for (const job of await datasetsUnder(`${ds}/job`, 'filesystem')) {
      expect((await datasetsUnder(job, 'snapshot')).length, job).toBeGreaterThan(0);
    }
    const again = await rig.shark(['run', 'k.md', '--store', store]);
    expect(again.code, again.stderr).toBe(0);
    expect(rig.lines().filter((l) => l === 'started')).toHaveLength(2);
  }, 90_000);
});

describe.skipIf(skipZfs(missing))('concurrent runs on one ZFS store', () => {
  const ds = suiteDataset('conc');
  let rig: Rig;
  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']) rig.write(`items/${name}`, `item ${name}\n`);
  });
  afterAll(async () => {
    rig?.cleanup();
    await destroyDataset(ds);
  });

  it('executes each job once when 3 runs start together on a fresh store', async () => {
    const args = ['run', 'p.md', '--store', `zfs:${ds}`, '-i', 'items=items', '-j', '2'];
    const runs = await Promise.all([1, 2, 3].map(() => rig.shark(args, { timeoutMs: 120_000 })));
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(rig.lines().sort()).toEqual(['map', 'map', 'map', 'map', 'map', 'reduce']);
    expect(rig.read('_shark/count.txt').trim()).toBe('5');
  }, 180_000);
});
