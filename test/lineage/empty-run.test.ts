import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { database } from './ask-fixture.js';

describe('a run that recorded no job hides no earlier run from lineage, logs and exports', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', '# R\n\n```shark-run\necho 1 > /data/one.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // A run cut short before its first job (its process died): run 2, no job.
    const db = database(rig);
    db.prepare("INSERT INTO runs (pipeline, place, started, status, pid, host, beat) VALUES (?, 'p.md', ?, 'running', 999999999, 'elsewhere.invalid', 0)")
      .run(rig.path('p.md'), Date.now());
    db.close();
  });
  afterAll(() => rig.cleanup());

  it('is still listed by `runs`', async () => {
    const ran = await rig.shark(['runs', 'p.md', '--json']);
    expect((JSON.parse(ran.stdout) as { runs: { run: number; status: string }[] }).runs.map((r) => [r.run, r.status]))
      .toEqual([[2, 'interrupted'], [1, 'ok']]);
  });

  it('lineage, logs and export crate answer from the latest run that ran a job', async () => {
    const lineage = await rig.shark(['lineage', 'p.md', '/data/one.txt']);
    expect(lineage.code, lineage.stderr).toBe(0);
    expect(lineage.stdout).toContain('$ echo 1 > /data/one.txt');
    const logs = await rig.shark(['logs', 'p.md']);
    expect(logs.code, logs.stderr).toBe(0);
    // It printed nothing: no log file was made, and none is named (a path that could not be opened).
    expect(logs.stdout).toBe('==> r (ok, line 4) (printed nothing)\n');
    const crate = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(crate.code, crate.stderr).toBe(0);
    expect(crate.stdout).toMatch(/^crate: run 1, 1 job,/);
  });

  it('--run names the empty run still', async () => {
    const lineage = await rig.shark(['lineage', 'p.md', '/data/one.txt', '--run', '2']);
    expect(lineage.code).toBe(1);
    expect(lineage.stderr).toContain('no job of run 2 produced /data/one.txt');
  });
});
