import { describe, expect, it } from 'vitest';
import { CachedRows } from '../../src/exec/run/cached-rows.js';
import { Metadata, type RunJobRow } from '../../src/store/metadata.js';
import { tempDir } from '../support/temp-dir.js';

function rows(runId: number, step: string, n: number, poison = false): RunJobRow[] {
  return Array.from({ length: n }, (_, i) => ({
    run_id: runId, job: `${step}[${i}]`, step, block: step, line: 1, item: `${i}`, key: `${step}-key${i}`,
    // A NOT NULL column left null: the store refuses the row, as a full disk or a broken database would.
    status: poison && i === 0 ? (null as unknown as string) : 'cached', log: null,
  }));
}

const settled = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the rows of cached jobs are written for many steps at once', () => {
  it('announces each step once its rows can be read, and writes the steps that finish together in one transaction', async () => {
    const meta = new Metadata(tempDir('shark-cached-'));
    const run = meta.startRun('p.md');
    let transactions = 0;
    const record = meta.recordRunJobs.bind(meta);
    meta.recordRunJobs = (r) => (transactions++, record(r));
    const queue = new CachedRows(meta, (e) => { throw e; });
    const seen: [string, number][] = [];
    for (const step of ['a', 'b', 'c']) {
      queue.add(rows(run, step, 3), () => seen.push([step, meta.runJobs(run).filter((j) => j.step === step).length]), () => seen.push([step, -1]));
    }
    // Nothing is announced before it is written: `logs` and `lineage` can read whatever the events name.
    expect(seen).toEqual([]);
    await settled(60);
    expect(seen).toEqual([['a', 3], ['b', 3], ['c', 3]]);
    expect(transactions).toBe(1);
    meta.close();
  });

  it('writes what waits when the run ends, without waiting for the delay', () => {
    const meta = new Metadata(tempDir('shark-cached-'));
    const run = meta.startRun('p.md');
    const queue = new CachedRows(meta, (e) => { throw e; });
    let announced = false;
    queue.add(rows(run, 'a', 2), () => (announced = true), () => undefined);
    queue.flush();
    expect(announced).toBe(true);
    expect(meta.runJobs(run)).toHaveLength(2);
    meta.close();
  });

  it('reports every step of a batch the store refuses, announces none, and keeps none of its rows', () => {
    const meta = new Metadata(tempDir('shark-cached-'));
    const run = meta.startRun('p.md');
    const queue = new CachedRows(meta, (e) => { throw e; });
    const told: string[] = [];
    queue.add(rows(run, 'a', 2), () => told.push('a announced'), (m) => told.push(`a: ${m}`));
    queue.add(rows(run, 'b', 2, true), () => told.push('b announced'), (m) => told.push(`b: ${m}`));
    queue.flush();
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(/^a: cannot record the cached jobs: .*NOT NULL/);
    expect(told[1]).toMatch(/^b: cannot record the cached jobs: .*NOT NULL/);
    expect(meta.runJobs(run)).toEqual([]);
    meta.close();
  });
});
