import { describe, expect, it } from 'vitest';
import { blockView, type Progress } from '../../src/serve/block-view.js';
import type { PlannedJob } from '../../src/plan/planner.js';
import type { BlockNode } from '../../src/pipeline/pipeline.js';
import type { RunJobRow, RunRow } from '../../src/store/metadata.js';

const block = { id: 'b', kind: 'run', env: null, section: 'B', steps: ['b'], inputs: ['/data/a/'], outputs: ['/data/b/'], after: [] } as unknown as BlockNode;
const run = { id: 1, status: 'running' } as unknown as RunRow;

const planned = (job: string, items: string[], status: PlannedJob['status']): PlannedJob =>
  ({ block: 'b', step: 'b', job, line: 16, items, status, reasons: [] });
const row = (job: string, item: string): RunJobRow =>
  ({ run_id: 1, job, step: 'b', block: 'b', line: 16, item, key: `k-${item}`, status: 'ok', log: null });
const progress = (begun: number | undefined, rows: RunJobRow[] = [], leased: string[] = []): Progress => ({
  live: true, byJob: new Map(rows.map((r) => [r.job, r])), leased: new Set(leased),
  begun: new Map(begun === undefined ? [] : [['b', begun]]), isMap: (s) => s === 'b',
});

describe('a block of a map over an earlier map of a live run', () => {
  // The page planned while the earlier map had made 4 of its 6 items: the plan names all 6 jobs, 2 of them blocked.
  const partlyMade = [1, 2, 3, 4].map((i) => planned(`b[i${i}]`, [`i${i}`], 'run'))
    .concat([5, 6].map((i) => planned(`b[i${i}]`, [`i${i}`], 'blocked')));

  it('counts each job the plan named once when the run begins the step, blocked or not', () => {
    const rows = [row('b[i1]', 'i1')];
    const v = blockView(block, partlyMade, rows, [], progress(6, rows, ['b[i2]']), new Map(), run, true);
    expect(v.total).toBe(6);
    expect(v.done).toBe(1);
    expect(v.label).toBe('running in run 1: 1/6 jobs done');
    expect(v.jobs.map((j) => `${j.job}=${j.status}`)).toEqual(['b[i1]=ran', 'b[i2]=running', 'b[i3]=waiting', 'b[i4]=waiting', 'b[i5]=waiting', 'b[i6]=waiting']);
  });

  it('knows all the jobs the plan named before the run begins the step', () => {
    const v = blockView(block, partlyMade, [], [], progress(undefined), new Map(), run, true);
    expect(v.total).toBe(6);
    expect(v.partial).toBeUndefined();
    expect(v.label).toBe('waiting in run 1: 0/6 jobs done');
  });

  it('counts the jobs behind a stand-in the plan could not name once the run says how many there are', () => {
    const standIn = [planned('b', [], 'blocked')];
    expect(blockView(block, standIn, [], [], progress(undefined), new Map(), run, true).label).toBe('waiting in run 1: its jobs are known once its inputs are made');
    const rows = [row('b[x]', 'x')];
    const v = blockView(block, standIn, rows, [], progress(6, rows), new Map(), run, true);
    expect([v.total, v.done, v.label]).toEqual([6, 1, 'waiting in run 1: 1/6 jobs done']);
  });
});

describe('a block of a run that ended', () => {
  const three = [1, 2, 3].map((i) => planned(`b[i${i}]`, [`i${i}`], 'cached'));
  const ended = { ...run, status: 'ok' } as unknown as RunRow;

  it('says how its jobs ended each way when they did not end alike (a partly cached map said `ran (3/3 jobs)`)', () => {
    const rows = [row('b[i1]', 'i1'), { ...row('b[i2]', 'i2'), status: 'cached' }, { ...row('b[i3]', 'i3'), status: 'cached' }];
    const v = blockView(block, three, rows, [], { ...progress(3, rows), live: false }, new Map(), ended, true);
    expect(v.label).toBe('ran in run 1 (1 ran, 2 cached)');
    const all = [1, 2, 3].map((i) => row(`b[i${i}]`, `i${i}`));
    expect(blockView(block, three, all, [], { ...progress(3, all), live: false }, new Map(), ended, true).label).toBe('ran in run 1 (3/3 jobs)');
  });
});
