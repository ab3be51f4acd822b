import { describe, expect, it } from 'vitest';
import { CommitQueue } from '../../src/exec/run/commit-queue.js';
import { Metadata, type ResultRow, type Success } from '../../src/store/metadata.js';
import { tempDir } from '../support/temp-dir.js';

function success(meta: Metadata, runId: number, n: number, poison = false): Success {
  const result: ResultRow = {
    key: `key${n}`, identity: `id${n}`, record: '{}', outputs: '{}', meta: '{}', log: null, started: 1, ended: 2, run_id: runId,
  };
  // A NOT NULL column left null: the store refuses the row, as a full disk or a broken database would.
  return { result: poison ? { ...result, record: null as unknown as string } : result, job: { job: `j${n}`, step: 's', block: 1, line: 1, item: `${n}` } };
}

describe('results of finished jobs are committed a batch at a time, each batch whole', () => {
  it('makes a result readable only once its promise has resolved, and commits the jobs that end together in one batch', async () => {
    const meta = new Metadata(tempDir('shark-commit-'));
    const run = meta.startRun('p.md');
    const queue = new CommitQueue(meta);
    const pending = [1, 2, 3].map((n) => queue.add(success(meta, run, n)));
    // Nothing is written yet: a reader (another run, `logs`) never sees a job the run has not announced.
    expect(meta.result('key1')).toBeUndefined();
    await Promise.all(pending);
    expect([1, 2, 3].map((n) => meta.result(`key${n}`)?.key)).toEqual(['key1', 'key2', 'key3']);
    expect(meta.runJobs(run).map((j) => [j.job, j.status])).toEqual([['j1', 'ok'], ['j2', 'ok'], ['j3', 'ok']]);
    meta.close();
  });

  it('fails every job of a batch the store refuses, and keeps none of its results', async () => {
    const meta = new Metadata(tempDir('shark-commit-'));
    const run = meta.startRun('p.md');
    const queue = new CommitQueue(meta);
    const pending = [queue.add(success(meta, run, 1)), queue.add(success(meta, run, 2, true))].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    const outcomes = await Promise.all(pending);
    expect(outcomes[0]).toMatch(/NOT NULL/);
    expect(outcomes[1]).toMatch(/NOT NULL/);
    expect(meta.result('key1')).toBeUndefined();
    expect(meta.runJobs(run)).toEqual([]);
    meta.close();
  });

  it('commits at once the result of the only job going (a chain of steps), without waiting for others to join its batch', () => {
    const meta = new Metadata(tempDir('shark-commit-'));
    const run = meta.startRun('p.md');
    let others = 1;
    const queue = new CommitQueue(meta, () => others === 0);
    void queue.add(success(meta, run, 1));
    // Another job is going: the result waits for its batch.
    expect(meta.result('key1')).toBeUndefined();
    others = 0;
    void queue.add(success(meta, run, 2));
    // Alone: written before add returns, with the one that waited.
    expect([1, 2].map((n) => meta.result(`key${n}`)?.key)).toEqual(['key1', 'key2']);
    meta.close();
  });
});
