import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUTS, tinyRig } from './fixture.js';
import type { Rig } from '../support/rig.js';

/** lineage and why find producers through an index of results' outputs, kept by triggers on the results table. */
describe('outputs index', () => {
  let rig: Rig;
  const db = (): Database.Database => new Database(rig.path('.shark/shark.sqlite'));
  beforeAll(async () => {
    rig = tinyRig();
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('is filled from the results of a store made before it, with the same answers', async () => {
    const before = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--json']);
    const why = await rig.shark(['why', '_shark/report.txt', '--json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).inputs.map((i: { from: unknown[] }) => i.from.length)).toEqual([2, 1]);
    const d = db();
    d.exec('DROP TRIGGER result_outputs_put; DROP TRIGGER result_outputs_drop; DROP TABLE result_outputs; DROP INDEX run_jobs_run_key');
    d.close();
    const after = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--json']);
    expect(after.stdout).toBe(before.stdout);
    expect((await rig.shark(['why', '_shark/report.txt', '--json'])).stdout).toBe(why.stdout);
  });

  it('shows a result written before results kept what a lineage shows (shown null) exactly as one written after', async () => {
    const d = db();
    const count = (): unknown => d.prepare('SELECT count(*) AS rows, count(shown) AS shown FROM results').get();
    expect(count()).toEqual({ rows: expect.any(Number), shown: (count() as { rows: number }).rows });
    const before = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--json']);
    d.exec('UPDATE results SET shown = NULL');
    expect(count()).toMatchObject({ shown: 0 });
    d.close();
    const after = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--json']);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
  });

  it('forgets a result that is dropped, and follows one that is written again', () => {
    const d = db();
    const count = (): number => (d.prepare('SELECT count(*) AS n FROM result_outputs').get() as { n: number }).n;
    const row = d.prepare("SELECT * FROM results WHERE outputs LIKE '%report.txt%'").get() as Record<string, unknown>;
    const n = count();
    d.prepare('DELETE FROM results WHERE key = ?').run(row.key);
    expect(count()).toBe(n - 1);
    d.prepare('INSERT OR REPLACE INTO results (key, identity, record, outputs, meta, log, started, ended, run_id) VALUES (@key, @identity, @record, @outputs, @meta, @log, @started, @ended, @run_id)').run(row);
    d.prepare('INSERT OR REPLACE INTO results (key, identity, record, outputs, meta, log, started, ended, run_id) VALUES (@key, @identity, @record, @outputs, @meta, @log, @started, @ended, @run_id)').run(row);
    expect(count()).toBe(n);
    expect(d.prepare('SELECT path FROM result_outputs WHERE key = ?').all(row.key)).toEqual([{ path: '/data/report.txt' }]);
    d.close();
  });
});
