import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Commands } from '../../src/store/zfs/commands.js';
import { datasetsUnder, destroyDataset } from './zfs-datasets.js';
import { skipZfs, zfsSuite, zfsTestFile } from './zfs-test-file.js';

/**
 * A user may `zfs clone` a result's snapshot to look at it. ZFS then refuses
 * to destroy the snapshot: gc leaves it, and says so in its counts, a dry
 * run as `--delete` (the dry run counted it as freed).
 */
const missing = await zfsTestFile();

describe.skipIf(skipZfs(missing))('gc of a ZFS store whose snapshots a user cloned', () => {
  const suite = zfsSuite('gc-clones', missing);
  const { ds, store } = suite;
  const looks: string[] = [];
  afterAll(async () => {
    for (const look of looks) await destroyDataset(look);
  });

  const doc = (word: string): string => `# Clones\n\n\`\`\`shark-run\necho ${word} > /data/a.txt\n\`\`\`\n`;
  const freed = (out: string): number => Number(/(?:would free|freed) (\d+) objects?/.exec(out)?.[1] ?? NaN);
  /** `would free 2 objects, 0.1 MB` and `freed 2 objects, 0.1 MB` alike: what gc says it frees. */
  const said = (out: string): string => /(?:would free|freed) (\d+ objects?, [\d.]+ MB)/.exec(out)?.[1] ?? out;

  it('counts alike in a dry run and with --delete, and frees the snapshot once the clone is gone', async () => {
    suite.rig.write('p.md', doc('one'));
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    const first = await datasetsUnder(ds, 'snapshot');
    suite.rig.write('p.md', doc('two'));
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    const cmd = Commands.find();
    if (!cmd.ok) throw new Error('zfs is not usable');
    // Outside the store: a clone of every snapshot the first run left, as a user looking at its results makes one.
    for (const [i, snap] of first.entries()) {
      const look = `${ds}-look-${i}`;
      looks.push(look);
      await cmd.value.run('zfs', ['clone', snap, look], look);
    }
    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    const real = await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect([dry.code, real.code], dry.stderr + real.stderr).toEqual([0, 0]);
    expect([freed(dry.stdout), freed(real.stdout)]).toEqual([0, 0]);
    expect(await datasetsUnder(ds, 'snapshot')).toEqual(expect.arrayContaining(first));
    for (const look of looks.splice(0)) await destroyDataset(look);
    const after = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    const deleted = await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect(freed(after.stdout)).toBeGreaterThan(0);
    expect(freed(deleted.stdout)).toBe(freed(after.stdout));
  });

  it('counts alike when the clone is inside the store\'s dataset, beside its areas (zfs clone tank/shark/job/…@… tank/shark/look)', async () => {
    const cmd = Commands.find();
    if (!cmd.ok) throw new Error('zfs is not usable');
    const before = await datasetsUnder(ds, 'snapshot');
    suite.rig.write('p.md', doc('three'));
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    const third = (await datasetsUnder(ds, 'snapshot')).filter((s) => !before.includes(s));
    suite.rig.write('p.md', doc('four'));
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    for (const [i, snap] of third.entries()) {
      const look = `${ds}/look-${i}`;
      looks.push(look);
      await cmd.value.run('zfs', ['clone', snap, look], look);
    }
    // The second run's snapshots are freed; the third's stay, for the clones made of them.
    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    const real = await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect([dry.code, real.code], dry.stderr + real.stderr).toEqual([0, 0]);
    expect(said(dry.stdout)).toBe(said(real.stdout));
    expect(freed(real.stdout)).toBeGreaterThan(0);
    expect(await datasetsUnder(ds, 'snapshot')).toEqual(expect.arrayContaining(third));
    // Nothing is left that a dry run would count and --delete could not free.
    const again = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    expect(said(again.stdout)).toBe('0 objects, 0.0 MB');
  });

  it('counts alike when a user took a snapshot of a killed run\'s read-only clone (mnt/): that clone stays, and what it was made of', async () => {
    const cmd = Commands.find();
    if (!cmd.ok) throw new Error('zfs is not usable');
    const before = await datasetsUnder(ds, 'snapshot');
    suite.rig.write('p.md', doc('five'));
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    const fifth = (await datasetsUnder(ds, 'snapshot')).filter((s) => !before.includes(s));
    suite.rig.write('p.md', doc('six'));
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    // As a killed run left it (its pid now init's, not the process that made it), then snapshotted by a user.
    const clone = `${ds}/mnt/ws-killed-1`;
    const owner = ['-o', 'shark:pid=1', '-o', `shark:host=${hostname()}`, '-o', 'shark:start=1'];
    await cmd.value.run('zfs', ['clone', '-o', 'readonly=on', ...owner, fifth[0]!, clone], clone);
    await cmd.value.run('zfs', ['snapshot', `${clone}@look`], clone);
    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    const real = await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete']);
    expect([dry.code, real.code], dry.stderr + real.stderr).toEqual([0, 0]);
    expect(said(dry.stdout)).toBe(said(real.stdout));
    expect(await datasetsUnder(ds, 'filesystem')).toContain(clone);
    expect(await datasetsUnder(ds, 'snapshot')).toEqual(expect.arrayContaining([fifth[0]!, `${clone}@look`]));
    await cmd.value.run('zfs', ['destroy', '-r', clone], clone);
  });
});
