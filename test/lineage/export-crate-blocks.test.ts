import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { blockInCrate, checkCrate, type Crate } from './crate-rules.js';
import { INPUTS, tinyRig } from './fixture.js';

const ids = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);

describe('shark export crate: every block of the document that took part is a tool, a step and a ControlAction', () => {
  let rig: Rig;
  beforeEach(() => void (rig = tinyRig()));
  afterEach(() => rig.cleanup());

  it('a publish block, its action reading what it published', async () => {
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'crate'])).code).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const publish = blockInCrate(crate, 'publish');
    expect(publish.tool?.['@type']).toBe('SoftwareApplication');
    expect(ids(crate['@graph'].find((e) => e['@id'] === 'p.md')?.['hasPart'])).toContain('#tool-publish');
    expect(publish.actions.map((a) => [a['@type'], ids(a['instrument']), ids(a['object'])])).toEqual([['CreateAction', ['#tool-publish'], ['data/report.txt']]]);
    const report = blockInCrate(crate, 'report');
    expect(Number(publish.step?.['position'])).toBeGreaterThan(Number(report.step?.['position']));
  });

  it('of an older run whose document changed since: warns, says so in the crate, and describes no block from today\'s text', async () => {
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    rig.write('p.md', rig.read('p.md').replace('cat * /data/upper.txt', 'cat /data/upper.txt *').replace('```shark-publish\n/data/report.txt\n', '```shark-publish\n/data/report.txt\n/data/upper.txt\n'));
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    const old = await rig.shark(['export', 'crate', 'p.md', '--run', '1', '-o', 'crate1']);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toBe('shark: warning: p.md changed since run 1: the crate holds the document as it is now, not as run 1 ran it\n');
    const crate = JSON.parse(rig.read('crate1/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate1'))).toEqual([]);
    expect(crate['@graph'].find((e) => e['@id'] === 'p.md')?.['description']).toBe('p.md as it is now, not as run 1 ran it: the document changed since');
    // The publish block's text is today's (it publishes /data/upper.txt too): not run 1's description.
    expect(blockInCrate(crate, 'publish').tool?.['description']).toBeUndefined();
    expect(blockInCrate(crate, 'report').tool?.['description']).toBe('cd /data/sizes/ && cat * /data/upper.txt > /data/report.txt');
    const prov = await rig.shark(['export', 'prov', 'p.md', '--run', '1', '-o', 'prov1.json']);
    expect(prov.stderr).toBe('shark: warning: p.md changed since run 1: the export describes the document as it is now, not as run 1 ran it\n');
    // The latest run ran the document as it is.
    const latest = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate2']);
    expect(latest.stderr).toBe('');
    const now = JSON.parse(rig.read('crate2/ro-crate-metadata.json')) as Crate;
    expect(now['@graph'].find((e) => e['@id'] === 'p.md')?.['description']).toBeUndefined();
    expect(blockInCrate(now, 'publish').tool?.['description']).toBe('/data/report.txt\n/data/upper.txt');
  });

  it('after a heading was renamed, a step the document no longer names still comes before the step that read what it made', async () => {
    rig.write('h.md', '## A\n\n```shark-run\necho 1 > /data/a.txt\n```\n\n## B\n\n```shark-run\ncat /data/a.txt > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'h.md'])).code).toBe(0);
    rig.write('h.md', rig.read('h.md').replace('## A', '## First'));
    const out = await rig.shark(['export', 'crate', 'h.md', '-o', 'c']);
    expect([out.code, out.stderr]).toEqual([0, 'shark: warning: h.md changed since run 1: the crate holds the document as it is now, not as run 1 ran it\n']);
    const crate = JSON.parse(rig.read('c/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('c'))).toEqual([]);
    expect(['a', 'b'].map((b) => blockInCrate(crate, b).step?.['position'])).toEqual([0, 1]);
  });

  it('after the heading over a publish block was renamed, what the run published is still its publish block\'s action', async () => {
    rig.write('h.md', '## A\n\n```shark-run\necho 1 > /data/a.txt\n```\n\n## Out\n\n```shark-publish\n/data/a.txt\n```\n');
    expect((await rig.shark(['run', 'h.md'])).code).toBe(0);
    rig.write('h.md', rig.read('h.md').replace('## Out', '## Results'));
    expect((await rig.shark(['export', 'crate', 'h.md', '-o', 'c'])).code).toBe(0);
    const crate = JSON.parse(rig.read('c/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('c'))).toEqual([]);
    // Run 1 recorded that block `out` published /data/a.txt: the action is the run's, whatever the heading says now.
    const out = blockInCrate(crate, 'out');
    expect(out.actions.map((a) => [a['@id'], ids(a['object'])])).toEqual([['#run-1-publish-out', ['data/a.txt']]]);
    expect(Number(out.step?.['position'])).toBeGreaterThan(Number(blockInCrate(crate, 'a').step?.['position']));
  });

  it('of a run recorded before runs kept their document\'s hash: changed when a job\'s command is not the document\'s, else unknown', async () => {
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.exec('UPDATE runs SET document = NULL');
    db.close();
    const same = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate1']);
    expect(same.stderr).toBe('');
    const crate = JSON.parse(rig.read('crate1/ro-crate-metadata.json')) as Crate;
    expect(crate['@graph'].find((e) => e['@id'] === 'p.md')?.['description']).toBe('p.md as it is now: run 1 did not record the document it ran, which may have been another');
    expect(blockInCrate(crate, 'publish').tool?.['description']).toBeUndefined();
    rig.write('p.md', rig.read('p.md').replace('cat * /data/upper.txt', 'cat /data/upper.txt *'));
    const changed = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate2']);
    expect(changed.stderr).toBe('shark: warning: p.md changed since run 1: the crate holds the document as it is now, not as run 1 ran it\n');
  });
});

describe('shark export crate: a cached job is the action of the run that computed it, by the name it had there', () => {
  let rig: Rig;
  beforeEach(() => void (rig = tinyRig()));
  afterEach(() => rig.cleanup());

  it('after two blocks swapped ids, each action is named as run 1 named the job, as the PROV export names it (it took run 2\'s names)', async () => {
    rig.write('s.md', '# T\n\n## Step\n\n```shark-run\necho a > /data/a.txt\n```\n\n```shark-run\necho b > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    rig.write('s.md', '# T\n\n## Step\n\n```shark-run\necho b > /data/b.txt\n```\n\n```shark-run\necho a > /data/a.txt\n```\n');
    expect((await rig.shark(['run', 's.md'])).stdout).toContain('2 cached');
    expect((await rig.shark(['export', 'crate', 's.md', '-o', 'c'])).code).toBe(0);
    const crate = JSON.parse(rig.read('c/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('c'))).toEqual([]);
    const made = crate['@graph'].filter((e) => e['@type'] === 'CreateAction' && String(e['@id']).startsWith('#run-1-job-'))
      .map((e) => [e['@id'], e['name'], e['description'], ids(e['result'])]).sort();
    expect(made).toEqual([
      ['#run-1-job-step', 'step (run 1)', 'echo a > /data/a.txt', ['data/a.txt']],
      ['#run-1-job-step-2', 'step-2 (run 1)', 'echo b > /data/b.txt', ['data/b.txt']],
    ]);
  });
});
