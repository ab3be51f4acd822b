import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { blockInCrate, checkCrate, type Crate, type Entity } from './crate-rules.js';

const FAILING = [
  '```shark-run', 'echo good > /data/good.txt', '```', '',
  '```shark-run', 'false && echo bad > /data/bad.txt', '```', '',
  '```shark-publish', '/data/good.txt', '/data/bad.txt', '```', '',
].join('\n');

const ids = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);
const status = (e: Entity | undefined): string | undefined => ids(e?.['actionStatus'])[0];
const FAILED = 'http://schema.org/FailedActionStatus';

describe('shark export crate of a run that failed', () => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-crate-failed-')));
  afterEach(() => rig.cleanup());

  it('says the run failed, lists the failed job with its error, and claims no publish that never happened', async () => {
    rig.write('f.md', FAILING);
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    const out = await rig.shark(['export', 'crate', 'f.md', '-o', 'crate']);
    expect(out.code, out.stderr).toBe(0);
    // Its failed job is an action of the crate too (it said `1 job`).
    expect(out.stdout).toMatch(/^crate: run 1, 2 jobs \(1 failed\), \d+ entities\n$/);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const run = crate['@graph'].find((e) => e['@id'] === '#run-1')!;
    expect(status(run)).toBe(FAILED);
    expect(run['error']).toBe('job run-2 (line 6) failed: exit status 1');
    expect(ids(run['result'])).toEqual([]);
    const failed = blockInCrate(crate, 'run-2').actions;
    expect(failed.map((a) => [a['@type'], status(a), a['error'], a['description'], ids(a['result'])]))
      .toEqual([['CreateAction', FAILED, 'exit status 1', 'false && echo bad > /data/bad.txt', []]]);
    expect(status(blockInCrate(crate, 'run').actions[0])).toBe('http://schema.org/CompletedActionStatus');
    expect(crate['@graph'].filter((e) => String(e['@id']).includes('publish'))
      .filter((e) => e['@type'] === 'CreateAction')).toEqual([]);
  });

  it('records a failed job with every input it read that the crate holds, a directory too, and when its command started', async () => {
    rig.write('f.md', ['```shark-run', 'echo 1 > /data/one.txt', '```', '', '```shark-run', 'echo a > /data/d/a.txt', '```', '',
      '```shark-run', 'cat /data/one.txt && ls /data/d/ && false > /data/out.txt', '```', ''].join('\n'));
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    const out = await rig.shark(['export', 'crate', 'f.md', '-o', 'crate']);
    expect(out.code, out.stderr).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const [failed] = blockInCrate(crate, 'run-3').actions;
    expect([failed!['@id'], status(failed), ids(failed!['object'])]).toEqual(['#run-1-job-run-3', FAILED, ['data/d/', 'data/one.txt']]);
    expect(typeof failed!['startTime'] === 'string' && failed!['startTime'] <= String(failed!['endTime'])).toBe(true);
  });

  it('of a run that published: its publish action and result, as before, and the run completed', async () => {
    rig.write('f.md', FAILING.replace('false && ', ''));
    expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'f.md', '-o', 'crate'])).code).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const run = crate['@graph'].find((e) => e['@id'] === '#run-1')!;
    expect(status(run)).toBe('http://schema.org/CompletedActionStatus');
    expect(ids(run['result'])).toEqual(['data/good.txt', 'data/bad.txt']);
    expect(blockInCrate(crate, 'publish').actions.map((a) => ids(a['object']))).toEqual([['data/good.txt', 'data/bad.txt']]);
  });

  it('of a run whose publish alone failed: the run\'s error names the publish, where and why (it said only `run 2 failed`)', async () => {
    rig.write('p.md', '# P\n\n```shark-run\nmkdir -p /data/out && echo a > /data/out/a\n```\n\n```shark-publish\n/data/out\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('_shark/out/notes.txt', 'mine\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(1);
    expect((await rig.shark(['export', 'crate', 'p.md', '--run', '2', '-o', 'crate'])).code).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    const run = crate['@graph'].find((e) => e['@id'] === '#run-2')!;
    expect(status(run)).toBe(FAILED);
    expect(run['error']).toBe('p-2 (p.md:8:1) failed: conflict');
  });

  it('of a run whose publish a target left out: no publish action, no result', async () => {
    rig.write('f.md', FAILING.replace('false && ', ''));
    expect((await rig.shark(['run', 'f.md', '/data/good.txt'])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'f.md', '-o', 'crate'])).code).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(ids(crate['@graph'].find((e) => e['@id'] === '#run-1')!['result'])).toEqual([]);
    expect(blockInCrate(crate, 'publish').actions).toEqual([]);
  });
});
