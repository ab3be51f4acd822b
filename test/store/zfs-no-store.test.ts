import { describe, expect, it } from 'vitest';
import { datasetsUnder } from './zfs-datasets.js';
import { skipZfs, zfsSuite, zfsTestFile } from './zfs-test-file.js';

/**
 * The commands that only read a store (`why`, `fsck`, `gc` without
 * `--delete`, `runs`, `lineage`, `logs`) never make one, on ZFS as in a
 * directory: given a dataset no run ever used (a typo, the pool's parent
 * of several stores), they say there is no store there, and leave the
 * dataset without the store's areas (`meta`, `in`, `job`, `mnt`).
 */
const missing = await zfsTestFile();

describe.skipIf(skipZfs(missing))('read-only commands on a ZFS dataset that holds no store', () => {
  const suite = zfsSuite('no-store', missing);
  const { ds, store } = suite;
  const DOC = '# P\n\n```shark-run\necho a > /data/a.txt\n```\n';

  it.each([
    [['why', 'f.txt'], 2, `shark: error: no Shark store at ${store} (from --store)\n`],
    [['fsck'], 2, `shark: error: no store at ${store}\n`],
    [['gc', 'p.md'], 2, `shark: error: no store at ${store}: p.md never ran there\n`],
    [['runs', 'p.md'], 1, `shark: this pipeline has not been run yet: there is no store at ${store}\n`],
    [['lineage', 'p.md', '/data/a.txt'], 1, `shark: this pipeline has not been run yet: there is no store at ${store}\n`],
    [['logs', 'p.md'], 1, `shark: this pipeline has not been run yet: there is no store at ${store}\n`],
  ])('%j says so and makes nothing', async (args, code, stderr) => {
    suite.rig.write('p.md', DOC);
    suite.rig.write('f.txt', 'a\n');
    const r = await suite.rig.shark([...args, '--store', store]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr });
    expect(await datasetsUnder(ds, 'filesystem')).toEqual([]);
  });
});
