import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/rig.js';
import { datasetsUnder, destroyDataset } from './zfs-datasets.js';
import { makeSuiteDataset, skipZfs, suiteDataset, zfsTestFile } from './zfs-test-file.js';

/**
 * Several processes opening one fresh ZFS store at once: each lays out the
 * store's areas on first use, and racing on `zfs create` must not fail any.
 * Real `node` processes open it through the compiled `openStore`.
 */
const missing = await zfsTestFile();

const OPEN = `
const { openStore } = await import(process.argv[1]);
const r = openStore(process.argv[2], '/tmp');
if (r.ok) { r.value.store.close(); r.value.meta.close(); console.log('ok'); } else console.log(r.message);
`;

function openInChild(spec: string): Promise<string> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', OPEN, join(ROOT, 'dist/src/store/open-store.js'), spec], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => done(code === 0 ? out.trim() : `exit ${code}: ${out.trim()}`));
  });
}

describe.skipIf(skipZfs(missing))('ZFS store: concurrent first use', () => {
  const ds = suiteDataset('race');

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/src/store/open-store.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
    await makeSuiteDataset(ds, missing);
  });
  afterAll(async () => {
    await destroyDataset(ds);
  });

  it('lets 4 processes open a fresh store at once', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => openInChild(`zfs:${ds}`)));
    expect(answers).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await datasetsUnder(ds, 'filesystem')).toEqual(['in', 'job', 'meta', 'mnt'].map((a) => `${ds}/${a}`));
    // One database, in the meta dataset (not beneath its mountpoint before it was mounted).
    expect(await openInChild(`zfs:${ds}`)).toBe('ok');
  });
});
