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

  it('says so when the pipeline has never run (exit 1), naming the documents the store has runs of', async () => {
    rig.write('q.md', PIPELINE);
    const ran = await rig.shark(['runs', 'q.md']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`q.md has no run recorded in this store, which has runs of ${rig.path('p.md')}`);
    rig.write('alone/q.md', PIPELINE);
    const alone = await rig.shark(['runs', 'alone/q.md', '--store', 'alone/.shark']);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain('has not been run yet');
  });
});

describe('shark runs and logs of jobs a run skipped', () => {
  const SKIPPING = '# R\n\n```shark-run\necho a > /data/a.txt; exit 3\n```\n\n```shark-run\ncat /data/a.txt > /data/b.txt\n```\n\n```shark-run\necho c > /data/c.txt\n```\n';
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('r.md', SKIPPING);
    expect((await rig.shark(['run', 'r.md'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('counts the skipped jobs as not run, in text and JSON', async () => {
    const text = await rig.shark(['runs', 'r.md']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('1 run, 0 cached, 1 failed, 1 not run');
    const json = await rig.shark(['runs', 'r.md', '--json']);
    const [run] = (JSON.parse(json.stdout) as { runs: { executed: number; failed: number; other: number }[] }).runs;
    expect(run).toMatchObject({ executed: 1, failed: 1, other: 1 });
  });

  it('logs of a block whose jobs were skipped says they did not run, not that there is no such block', async () => {
    const ran = await rig.shark(['logs', 'r.md', 'r-2']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('block `r-2` has no job in run 1: its jobs did not run (run 1 failed, and they were skipped after the failure)');
    const unknown = await rig.shark(['logs', 'r.md', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no job of run 1 matches `nope` (blocks: r, r-3)');
  });
});

describe('shark logs of a map item a run stopped before', () => {
  const MAP = '# M\n\n```shark-import\nin /data/in/\n```\n\n```shark-run\nif grep -q bad /data/in/*; then exit 3; fi; cat /data/in/* > /data/out/+\n```\n';
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('in/a.txt', 'bad\n');
    for (const n of ['b', 'c', 'd']) rig.write(`in/${n}.txt`, `${n}\n`);
    rig.write('m.md', MAP);
    expect((await rig.shark(['run', 'm.md', '-j', '1'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('says the item did not run, as it says of a step, not that nothing matches', async () => {
    const ran = await rig.shark(['logs', 'm.md', 'm-2[d.txt]']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('job `m-2[d.txt]` has no row in run 1: it did not run (run 1 failed, and it was skipped after the failure)');
    expect(ran.stderr).not.toContain('matches');
  });
});

describe('shark runs of a document mid-edit', () => {
  let rig: Rig;
  beforeAll(() => void (rig = new Rig()));
  afterAll(() => rig.cleanup());

  it('lists the runs though the document does not check now (it refused, exit 2, as if the history were the text\'s)', async () => {
    rig.write('p.md', '# T\n\n```shark-run\necho x > /data/x.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', '# T\n\n```shark-run\necho x > /data/x.txt\n```\n\n```shark-run\ncat /data/nope.txt > /data/y.txt\n```\n');
    expect((await rig.shark(['check', 'p.md'])).code).toBe(2);
    const ran = await rig.shark(['runs', 'p.md', '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect((JSON.parse(ran.stdout) as { runs: { run: number; status: string }[] }).runs.map((r) => [r.run, r.status])).toEqual([[1, 'ok']]);
    // A document that is not there is still no pipeline: exit 2, as every command says it.
    expect((await rig.shark(['runs', 'nope.md'])).code).toBe(2);
  });
});
