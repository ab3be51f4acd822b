import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const PIPELINE = [
  '---',
  'inputs:',
  '  species: /data/species.csv',
  '  overrides: {path: /data/overrides.csv, optional: true}',
  '---',
  '# Optional inputs',
  '',
  '```shark-run',
  'if [ -e /data/overrides.csv ]; then cat /data/species.csv /data/overrides.csv > /data/all.csv; else cat /data/species.csv > /data/all.csv; fi; echo ran >> counter',
  '```',
  '',
  '```shark-run',
  'wc -l < /data/all.csv > /data/count.txt',
  '```',
  '',
  '```shark-publish',
  '/data/all.csv',
  '```',
  '',
].join('\n');

describe('optional inputs', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-optional-');
    rig.write('p.md', PIPELINE);
    rig.write('species.csv', 'robin\n');
    rig.write('overrides.csv', 'puffin\n');
  });
  afterEach(() => rig.cleanup());

  it('left unbound: the path does not exist for the steps, which are neither blocked nor failed', async () => {
    const plan = await rig.plan('p.md', '-i', 'species=species.csv');
    expect(plan.jobs.map((j) => [j.job, j.status, j.reasons])).toEqual([
      ['optional-inputs', 'run', ['no previous result']],
      ['optional-inputs-2', 'blocked', ['upstream will run (optional-inputs)']],
    ]);
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species.csv']);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    expect(rig.read('_shark/all.csv')).toBe('robin\n');
    expect(rig.count()).toBe(1);
  });

  it('bound, it is read as any input, and binding or unbinding it is a change of input', async () => {
    expect((await rig.shark(['run', 'p.md', '-i', 'species=species.csv'])).code).toBe(0);
    const plan = await rig.plan('p.md', '-i', 'species=species.csv', '-i', 'overrides=overrides.csv');
    expect(plan.jobs[0]).toMatchObject({ status: 'run', reasons: ['new input /data/overrides.csv'] });
    expect((await rig.shark(['run', 'p.md', '-i', 'species=species.csv', '-i', 'overrides=overrides.csv'])).code).toBe(0);
    expect(rig.read('_shark/all.csv')).toBe('robin\npuffin\n');
    // Unbound again: the first result is still there.
    expect((await rig.plan('p.md', '-i', 'species=species.csv')).summary).toMatchObject({ cached: 2, run: 0, blocked: 0 });
    expect(rig.count()).toBe(2);
  });

  it('left unbound inside a bound input\'s directory, it is what that directory holds there, for `cat` as for `ls`', async () => {
    rig.write('pb/123.geojson', '123\n');
    rig.write('pb/456.geojson', '456\n');
    rig.write('q.md', [
      '---', 'inputs:', '  projects: /data/tmf/pb/', '  boundary: {path: /data/tmf/pb/123.geojson, optional: true}', '---', '',
      '```shark-run', 'ls /data/tmf/pb/ > /data/list.txt', '```', '',
      '```shark-run', 'cat /data/tmf/pb/123.geojson > /data/one.txt', '```', '',
      '```shark-publish', '/data/list.txt', '/data/one.txt', '```', '',
    ].join('\n'));
    const ran = await rig.shark(['run', 'q.md', '-i', 'projects=pb']);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    expect([rig.read('_shark/list.txt'), rig.read('_shark/one.txt')]).toEqual(['123.geojson\n456.geojson\n', '123\n']);
  });

  it('a required input still must be bound, and an optional one bound to nothing is an error', async () => {
    const unbound = await rig.shark(['run', 'p.md']);
    expect(unbound.code).toBe(2);
    expect(unbound.stderr).toContain('input `species` (/data/species.csv) is not bound');
    expect(unbound.stderr).not.toContain('overrides');
    const wrong = await rig.shark(['plan', 'p.md', '-i', 'species=species.csv', '-i', 'overrides=nowhere.csv']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('input `overrides` is bound to nowhere.csv, which does not exist');
  });

  it('malformed entries are located errors', async () => {
    rig.write('p.md', PIPELINE.replace('optional: true}', 'optional: maybe}'));
    const bad = await rig.shark(['check', 'p.md']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('p.md:4:52: error: input `overrides`: `optional` is true or false');
    rig.write('p.md', PIPELINE.replace('{path: /data/overrides.csv, optional: true}', '{optional: true}'));
    const noPath = await rig.shark(['check', 'p.md']);
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toContain('input `overrides` needs a `path:`');
  });
});
