import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { Rig } from '../support/rig.js';
import { failureMessage } from '../../src/store/zfs-store.js';
import { createDataset, destroyDataset, zfsTurn, zfsUnavailable } from './zfs-datasets.js';

/**
 * What every ZFS test file starts with: its datasets' parent, its turn
 * (one ZFS test file at a time: zfs-datasets.ts `zfsTurn`) and whether ZFS
 * can be used at all. Kept apart from zfs-datasets.ts, which the bench
 * imports without vitest.
 */

/** Where the tests make their datasets: `$SHARK_ZFS_POOL/test`. */
export const PARENT = `${process.env['SHARK_ZFS_POOL'] ?? 'sharkpool'}/test`;

/** Takes the file's turn (given back after its tests) and says why ZFS cannot be used here, or undefined when it can. */
export async function zfsTestFile(): Promise<string | undefined> {
  const giveTurnBack = await zfsTurn();
  afterAll(() => giveTurnBack());
  return zfsUnavailable(PARENT);
}

/** Whether a file's ZFS suites skip: ZFS is missing and not required (SHARK_REQUIRE_ZFS=1 makes them fail instead). */
export const skipZfs = (missing: string | undefined): boolean => missing !== undefined && process.env['SHARK_REQUIRE_ZFS'] !== '1';

/** A suite's own dataset name, so that runs can overlap: `PARENT/PREFIX-PID-RANDOM`. */
export const suiteDataset = (prefix: string): string => `${PARENT}/${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** Makes a suite's dataset (in its `beforeAll`): ZFS required but not usable, or the dataset not made, fails the suite. */
export async function makeSuiteDataset(ds: string, missing: string | undefined): Promise<void> {
  if (missing !== undefined) throw new Error(`ZFS is required but not usable: ${missing}`);
  const made = await createDataset(ds);
  if (!made.ok) throw new Error(failureMessage(made.error));
}

/**
 * A suite's own dataset and a `Rig`, made before its tests (`makeSuiteDataset`)
 * and removed after them, the dataset with all it holds (clones made of it too).
 */
export function zfsSuite(prefix: string, missing: string | undefined): { readonly ds: string; readonly store: string; readonly rig: Rig } {
  const ds = suiteDataset(prefix);
  let rig: Rig | undefined;
  beforeAll(async () => {
    await makeSuiteDataset(ds, missing);
    rig = new Rig();
  });
  afterAll(async () => {
    rig?.cleanup();
    await destroyDataset(ds);
  });
  return {
    ds,
    store: `zfs:${ds}`,
    get rig(): Rig {
      if (rig === undefined) throw new Error(`the suite's dataset ${ds} was not made`);
      return rig;
    },
  };
}
