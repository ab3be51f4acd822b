import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { database, normalise, PIPELINE } from './ask-fixture.js';

describe('shark runs', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', PIPELINE.replace('echo independent >', 'exit 3; echo independent >'));
    expect((await rig.shark(['run', 'p.md', '-k'])).code).toBe(1);
    // A run whose process died without ending it: shown as interrupted, not running.
    const db = database(rig);
    db.prepare("INSERT INTO runs (pipeline, started, status, pid, host, beat) VALUES (?, ?, 'running', 999999999, ?, 0)")
      .run(rig.path('p.md'), Date.now(), 'elsewhere.invalid');
    db.close();
  });
  afterAll(() => rig.cleanup());

  it('lists every run, newest first, with its status, job counts and Shark version', async () => {
    const ran = await rig.shark(['runs', 'p.md']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expectGolden('lineage-queries/runs.txt', normalise(ran.stdout, rig));
  });

  it('answers in JSON', async () => {
    const ran = await rig.shark(['runs', 'p.md', '--json']);
    expect(ran.code).toBe(0);
    const runs = (JSON.parse(ran.stdout) as { runs: { run: number; status: string; started: string; ended: string | null; executed: number; cached: number; failed: number; version: string | null }[] }).runs;
    expect(runs.map((r) => [r.run, r.status, r.executed, r.cached, r.failed])).toEqual([
      [4, 'interrupted', 0, 0, 0],
      [3, 'failed', 0, 3, 1],
      [2, 'ok', 0, 4, 0],
      [1, 'ok', 4, 0, 0],
    ]);
    expect(runs[3]!.started).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(runs[0]!.ended).toBeNull();
    expect(runs[3]!.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('says so when the pipeline has never run (exit 1)', async () => {
    rig.write('q.md', PIPELINE);
    const ran = await rig.shark(['runs', 'q.md']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('q.md has not been run yet');
  });
});
