import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { destroyDataset } from '../store/zfs-datasets.js';
import { makeSuiteDataset, skipZfs, suiteDataset, zfsTestFile } from '../store/zfs-test-file.js';
import { describeSlurm } from './rig.js';
import { runningUnder } from './run-rig.js';

const missing = await zfsTestFile();
const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

/**
 * A run that adopts a killed run's Slurm jobs on a ZFS store: each job has a
 * dataset of its own, so its outputs cannot be renamed into the new job's
 * (EXDEV, an internal error in every run until Slurm forgot the jobs).
 */
describeSlurm('adopting a killed run\'s Slurm jobs on a ZFS store', () => {
  if (skipZfs(missing)) return;
  const ds = suiteDataset('slurm-adopt');
  let rig: Rig;
  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    rig = new Rig('shark-slurm-adopt-zfs-');
  });
  afterAll(async () => {
    rig.cleanup();
    await destroyDataset(ds);
  });

  it('commits what they wrote, and nothing runs twice', async () => {
    for (const name of ['a', 'b']) rig.write(`in/${name}.txt`, `${name}\n`);
    rig.write('p.md', ['# Adopt on ZFS', '', `${fence}shark-import`, 'in/ /data/in/', fence, '', `${fence}shark-run`,
      'sleep 4; tr a-z A-Z < /data/in/*.txt > /data/out/+', fence, ''].join('\n'));
    const store = ['--store', `zfs:${ds}`, '--executor', 'slurm'];
    const first = rig.start(['run', 'p.md', ...store], { env, timeoutMs: 120_000 });
    // Its jobs run in their datasets, mounted under the store's.
    await runningUnder(first, `/${ds}`);
    first.process.kill('SIGKILL');
    await first.ended;
    const second = await rig.shark(['run', 'p.md', ...store], { env, timeoutMs: 120_000 });
    expect(second.stderr).not.toMatch(/internal error/);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/out/a.txt', ...store.slice(0, 2)]);
    expect(lineage.stdout).toMatch(/→ \/data\/out\/a\.txt {2}\S+/);
  }, 180_000);
});
