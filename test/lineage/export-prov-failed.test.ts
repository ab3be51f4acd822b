import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeWithPython } from './fixture.js';

const READER = join(import.meta.dirname, 'read-prov.py');

/** One job writes a file, one reads it and a directory and fails, one would have read what it writes. */
const FAILING = ['# F', '', '```shark-run', 'echo 1 > /data/one.txt', '```', '', '```shark-run', 'echo a > /data/d/a.txt', '```', '',
  '```shark-run', 'cat /data/one.txt && ls /data/d/ && exit 3; echo x > /data/out.txt', '```', '',
  '```shark-run', 'cat /data/out.txt > /data/last.txt', '```', ''].join('\n');

interface Found {
  activities: number;
  wasGeneratedBy: number;
  activityTimes: Record<string, { start: string | null; end: string | null }>;
  ordering: string[];
}

type Relations = Record<string, Record<string, string>>;
type ProvJson = { activity: Record<string, Record<string, unknown>>; used: Relations; wasGeneratedBy: Relations; wasAssociatedWith: Relations };

describeWithPython('shark export prov of a run that failed', ['prov', 'rdflib'], (python) => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-prov-failed-')));
  afterEach(() => rig.cleanup());

  it('has each job that failed as an activity too: its times, its error, what it used, and nothing generated', async () => {
    rig.write('f.md', FAILING);
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    const out = await rig.shark(['export', 'prov', 'f.md', '-o', 'prov.json']);
    expect(out.code, out.stderr).toBe(0);
    const found = JSON.parse(execFileSync(python, [READER, 'json', rig.path('prov.json')], { encoding: 'utf8' })) as Found;
    // f, f-2, f-3 (failed) and the run.
    expect(found.activities).toBe(4);
    expect(found.wasGeneratedBy).toBe(2);
    expect(found.ordering).toEqual([]);
    const failed = 'shark-job:run/1/job/f-3';
    const times = found.activityTimes[failed];
    expect(times?.start, JSON.stringify(found.activityTimes)).toBeTruthy();
    expect(times!.start! <= times!.end!).toBe(true);

    const prov = JSON.parse(rig.read('prov.json')) as ProvJson;
    expect(prov.activity[failed]).toMatchObject({ 'shark:status': 'failed', 'shark:error': 'exit status 3', 'shark:block': 'f-3' });
    const used = Object.values(prov.used).filter((u) => u['prov:activity'] === failed).map((u) => u['prov:entity']);
    expect(used.filter((e) => e!.startsWith('shark-data:')).map((e) => e!.replace(/@.*/, ''))).toEqual(['shark-data:d', 'shark-data:one.txt']);
    expect(used.some((e) => e!.startsWith('shark-env:'))).toBe(true);
    expect(Object.values(prov.wasGeneratedBy).some((g) => g['prov:activity'] === failed)).toBe(false);
    expect(Object.values(prov.wasAssociatedWith).find((a) => a['prov:activity'] === failed)?.['prov:plan']).toMatch(/^shark-plan:f-3-/);

    // The same in PROV-O.
    expect((await rig.shark(['export', 'prov', 'f.md', '-f', 'prov-jsonld', '-o', 'prov.jsonld'])).code).toBe(0);
    const ld = JSON.parse(execFileSync(python, [READER, 'jsonld', rig.path('prov.jsonld')], { encoding: 'utf8' })) as Found;
    expect([ld.activities, ld.wasGeneratedBy]).toEqual([4, 2]);
  });
});
