import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createDataset, datasetsUnder } from './zfs-datasets.js';
import { skipZfs, zfsSuite, zfsTestFile } from './zfs-test-file.js';

/**
 * A killed run's workspace is gc's to destroy once its process is gone, even
 * when the machine has since given its pid to another process (a busy
 * machine does within minutes): the dataset records when its process
 * started, as leases and runs do.
 */
const missing = await zfsTestFile();

describe.skipIf(skipZfs(missing))('gc of a ZFS workspace whose pid was given to another process', () => {
  const suite = zfsSuite('gc-pid', missing);
  const { ds, store } = suite;

  it('destroys it: pid 1 lives, but is not the process that made the dataset', async () => {
    suite.rig.write('p.md', '# P\n\n```shark-run\necho one > /data/a.txt\n```\n');
    expect((await suite.rig.shark(['run', 'p.md', '--store', store])).code).toBe(0);
    // As a run killed long ago left it: its pid now another process's (init's), its start time not that one's.
    const left = `${ds}/job/ws-killed`;
    const made = await createDataset(left, { 'shark:pid': '1', 'shark:host': hostname(), 'shark:start': '1', mountpoint: 'none' });
    expect(made.ok).toBe(true);
    const dry = await suite.rig.shark(['gc', 'p.md', '--store', store]);
    expect(dry.stdout).toMatch(/would free 1 object/);
    expect((await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete'])).code).toBe(0);
    expect(await datasetsUnder(ds, 'filesystem')).not.toContain(left);
  });

  it('spares one whose process lives and started when it says', async () => {
    const mine = `${ds}/job/ws-alive`;
    const start = (await import('../../src/store/liveness.js')).ownStart();
    const made = await createDataset(mine, { 'shark:pid': String(process.pid), 'shark:host': hostname(), ...(start === null ? {} : { 'shark:start': start }), mountpoint: 'none' });
    expect(made.ok).toBe(true);
    expect((await suite.rig.shark(['gc', 'p.md', '--store', store, '--delete'])).code).toBe(0);
    expect(await datasetsUnder(ds, 'filesystem')).toContain(mine);
  });
});
