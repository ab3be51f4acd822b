import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, renameSync } from 'node:fs';
import { Rig } from '../support/rig.js';
import { database, PIPELINE } from './ask-fixture.js';

/** A project directory moved or renamed, its `.shark/` store with it: its history comes along. */
describe('a moved project', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('a/p.md', PIPELINE.replace('echo "total', 'echo hello from report; echo "total'));
    expect((await rig.shark(['run', 'a/p.md'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('keeps its runs: runs, logs, lineage and export find them, and the next run is added to them', async () => {
    renameSync(rig.path('a'), rig.path('b'));
    const runs = await rig.shark(['runs', 'b/p.md', '--json']);
    expect(runs.stderr).toBe('');
    expect((JSON.parse(runs.stdout) as { runs: { run: number }[] }).runs.map((r) => r.run)).toEqual([1]);
    for (const args of [['logs', 'b/p.md'], ['lineage', 'b/p.md', '/data/report.txt'], ['export', 'prov', 'b/p.md']]) {
      const ran = await rig.shark(args);
      expect([args[0], ran.code, ran.stderr]).toEqual([args[0], 0, '']);
    }
    // The logs are read where the store is now.
    const logs = await rig.shark(['logs', 'b/p.md', 'report']);
    expect(logs.stdout).toContain(`${rig.path('b/.shark/logs/1/')}report-`);
    expect(logs.stdout).toContain('hello from report');
    expect((await rig.shark(['run', 'b/p.md'])).code).toBe(0);
    const after = JSON.parse((await rig.shark(['runs', 'b/p.md', '--json'])).stdout) as { runs: { run: number; cached: number }[] };
    expect(after.runs.map((r) => [r.run, r.cached])).toEqual([[2, 4], [1, 0]]);
  });

  it('keeps runs recorded before Shark noted where a document sits beside its store', async () => {
    const db = database(rig, 'a/.shark');
    db.prepare('UPDATE runs SET place = NULL').run();
    db.close();
    // Opened where it ran: the store learns each old run's place.
    expect((await rig.shark(['runs', 'a/p.md'])).code).toBe(0);
    renameSync(rig.path('a'), rig.path('b'));
    expect((await rig.shark(['runs', 'b/p.md'])).code).toBe(0);
  });

  it('keeps runs recorded before Shark noted places, when the store moved before it could learn them: found by where their logs were', async () => {
    const db = database(rig, 'a/.shark');
    db.prepare('UPDATE runs SET place = NULL').run();
    db.close();
    renameSync(rig.path('a'), rig.path('b'));
    const ran = await rig.shark(['runs', 'b/p.md']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
  });

  it('a store moved away from its project (--store, or shark.yaml store:): lineage names the document where it still is', async () => {
    renameSync(rig.path('a/.shark'), rig.path('elsewhere'));
    const lineage = await rig.shark(['lineage', 'a/p.md', '/data/report.txt', '--store', 'elsewhere', '-f', 'json']);
    expect([lineage.code, lineage.stderr]).toEqual([0, '']);
    expect((JSON.parse(lineage.stdout) as { location: string }).location).toMatch(/^a\/p\.md:\d+:\d+$/);
  });

  it('copied with its store: a document never run there is told the documents of the copy, not of the original', async () => {
    cpSync(rig.path('a'), rig.path('b'), { recursive: true });
    rig.write('b/new.md', PIPELINE);
    const ran = await rig.shark(['runs', 'b/new.md']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`has runs of ${rig.path('b/p.md')} (`);
  });

  it('moved without its store: names the paths the store has runs for, instead of "not run yet"', async () => {
    rig.write('c/p.md', PIPELINE);
    const ran = await rig.shark(['runs', 'c/p.md', '--store', 'a/.shark']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).not.toContain('has not been run yet');
    expect(ran.stderr).toContain(`has runs of ${rig.path('a/p.md')}`);
    const lineage = await rig.shark(['lineage', 'c/p.md', '/data/report.txt', '--store', 'a/.shark']);
    expect(lineage.code).toBe(1);
    expect(lineage.stderr).toContain(`has runs of ${rig.path('a/p.md')}`);
    // diff too, as lineage says it (exit 1), with --from as without: the pipeline has no run to name.
    for (const extra of [[], ['--from', '1']]) {
      const diff = await rig.shark(['diff', 'c/p.md', '/data/report.txt', '--store', 'a/.shark', ...extra]);
      expect([diff.code, diff.stderr]).toEqual([1, lineage.stderr]);
    }
  });
});
