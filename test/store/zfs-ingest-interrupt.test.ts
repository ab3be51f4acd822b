import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { datasetsUnder } from './zfs-datasets.js';
import { skipZfs, zfsSuite, zfsTestFile } from './zfs-test-file.js';

/**
 * Ctrl-C while a large input is copied into a ZFS store: the copy was one
 * synchronous pass, and a run told to stop 3 s in stopped 15 s in, once
 * all 20,000 files were copied. It now hears the signal between entries.
 */
const missing = await zfsTestFile();

/** The datasets under `ds/in`: the inputs copied in, one each (none before the store made `in`). */
const inputDatasets = (ds: string): Promise<string[]> => datasetsUnder(`${ds}/in`, 'filesystem').catch(() => []);

describe.skipIf(skipZfs(missing))('Ctrl-C while an input is copied into a ZFS store', () => {
  const suite = zfsSuite('ingest-int', missing);

  it('stops the copy at once: exit 130, the map not started, the half-copied input\'s dataset destroyed', async () => {
    const { rig, ds, store } = suite;
    mkdirSync(rig.path('items'));
    for (let i = 0; i < 12_000; i++) writeFileSync(rig.path(`items/${i}.txt`), `${i}\n`);
    rig.write('p.md', '---\ninputs:\n  items: /data/items/\n---\n# Map\n\n```shark-run\ntrue /data/items/*\n```\n');
    const run = rig.start(['run', 'p.md', '-i', 'items=items', '--store', store]);
    // Once its dataset exists the copy has begun (the files were hashed before it).
    for (let i = 0; i < 600 && (await inputDatasets(ds)).length === 0 && run.process.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await inputDatasets(ds)).toHaveLength(1);
    const signalled = Date.now();
    run.process.kill('SIGINT');
    const ran = await run.ended;
    // The whole copy takes several seconds here; heard between entries, the run ends well within them.
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(ran.code, ran.stdout + ran.stderr).toBe(130);
    expect(ran.stdout).toContain('1 map not started');
    expect(await inputDatasets(ds)).toEqual([]);
  }, 120_000);
});
