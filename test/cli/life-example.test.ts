import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, Rig } from '../support/rig.js';

/** pipelines/life.md: two axes, a per-species map, a join, a per-taxon reduce and a fan-in across taxa. */
describe('the LIFE-shaped example', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    cpSync(join(ROOT, 'pipelines/life.md'), rig.path('life.md'));
    cpSync(join(ROOT, 'pipelines/life'), rig.path('life'), { recursive: true });
  });
  afterEach(() => rig.cleanup());

  const done = (stdout: string): string[] =>
    stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; job?: string })
      .filter((e) => e.type === 'job-done').map((e) => e.job!).sort();

  it('runs the sweep, sums across taxa, and re-runs exactly one species and what its change reaches', async () => {
    const first = await rig.shark(['run', 'life.md', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(done(first.stdout)).toHaveLength(32);
    expect(rig.read('_shark/total/restore.txt')).toBe('5\n');
    expect(rig.read('_shark/total/arable.txt')).toBe('-6\n');

    // One more forest cell for the robin: its AoH changes everywhere, its restore delta does not.
    appendFileSync(rig.path('life/ranges/AVES/robin.txt'), 'c14 forest\n');
    const second = await rig.shark(['run', 'life.md', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(done(second.stdout)).toEqual([
      'area-of-habitat-today[TAXA=AVES][robin.txt]',
      'area-of-habitat-under-each-scenario[TAXA=AVES,SCENARIO=arable][robin.txt]',
      'area-of-habitat-under-each-scenario[TAXA=AVES,SCENARIO=restore][robin.txt]',
      'change-per-species[TAXA=AVES,SCENARIO=arable][robin.txt]',
      'change-per-species[TAXA=AVES,SCENARIO=restore][robin.txt]',
      'sum-per-taxon[TAXA=AVES,SCENARIO=arable]',
      'the-ranges',
      'total-per-scenario-across-taxa[SCENARIO=arable]',
    ]);
    expect(rig.read('_shark/total/arable.txt')).toBe('-7\n');

    // A subset of the sweep: one taxon only. Its jobs are cached; only the totals, now over one taxon, run.
    const subset = await rig.shark(['run', 'life.md', '-e', 'TAXA=AMPHIBIA', '--json']);
    expect(subset.code, subset.stderr).toBe(0);
    expect(done(subset.stdout)).toEqual(['total-per-scenario-across-taxa[SCENARIO=arable]', 'total-per-scenario-across-taxa[SCENARIO=restore]']);
    // Published over the whole sweep's totals: said under the summary (it was left to be found in _shark/).
    const text = await rig.shark(['run', 'life.md', '-e', 'TAXA=AMPHIBIA']);
    expect(text.stdout).toContain("note: published from a subset of the sweep (-e TAXA=AMPHIBIA): the published files hold that subset's results (a total across an axis is over its kept values alone), not the whole sweep's\n");
    // And the whole sweep again is all cached: a subset's jobs keep the keys of the whole sweep.
    const whole = await rig.shark(['run', 'life.md', '--json']);
    expect(done(whole.stdout)).toEqual([]);
    expect((await rig.shark(['run', 'life.md'])).stdout).not.toContain('subset');
  });
});
