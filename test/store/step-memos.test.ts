import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Metadata } from '../../src/store/metadata.js';

const row = (run: number, job: string, status = 'ok') => ({
  run_id: run, job: `map[${job}]`, step: 'map', block: 'map', line: 3, item: job, key: `key-${job}`, status, log: 'log', reason: null, exit_code: 0,
});

describe('step memos', () => {
  let dir: string;
  let meta: Metadata;
  const jobsOf = (run: number): string[] =>
    (meta.db.prepare('SELECT job, status, log FROM run_rows WHERE run_id = ? ORDER BY job').all(run) as { job: string; status: string; log: string | null }[])
      .map((r) => `${r.job} ${r.status} ${r.log}`);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shark-memos-'));
    meta = new Metadata(dir);
  });
  afterEach(() => {
    meta.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names a run's rows as cached rows of a later run, renamed after the step as it is now", () => {
    const run = meta.startRun('p.md');
    meta.recordRunJobs(['a', 'b'].map((j) => row(run, j)));
    meta.memos.put('m', new Map([['/data/out', 'tree:1']]), 2, { run, step: 'map' });
    const later = meta.startRun('p.md');
    expect(meta.runRows.link(meta.memos.get('m')!.source!, 2, { run: later, step: 'species', block: 'species', line: 9 })).toBe(true);
    expect(jobsOf(later)).toEqual(['species[a] cached null', 'species[b] cached null']);
  });

  it('notes the memo a step came to last, writing nothing when it is the one already noted (a plan of unchanged inputs)', () => {
    meta.memos.put('m', new Map([['/data/out', 'tree:1']]), 2);
    meta.memos.put('n', new Map([['/data/out', 'tree:2']]), 2);
    const changes = (): number => meta.db.prepare('SELECT total_changes()').pluck().get() as number;
    meta.memos.setLast('p.md\0map', 'm');
    const noted = changes();
    meta.memos.setLast('p.md\0map', 'm');
    expect(changes()).toBe(noted);
    expect(meta.memos.last('p.md\0map')!.outputs).toEqual(new Map([['/data/out', 'tree:1']]));
    meta.memos.setLast('p.md\0map', 'n');
    expect(changes()).toBe(noted + 1);
    expect(meta.memos.last('p.md\0map')!.outputs).toEqual(new Map([['/data/out', 'tree:2']]));
  });

  it('names nothing of a run cut short, or of one whose rows are not all ok', () => {
    const cut = meta.startRun('p.md');
    meta.recordRunJobs([row(cut, 'a')]);
    meta.memos.put('m', new Map([['/data/out', 'tree:1']]), 2, { run: cut, step: 'map' });
    const later = meta.startRun('p.md');
    expect(meta.runRows.link(meta.memos.get('m')!.source!, 2, { run: later, step: 'map', block: 'map', line: 3 })).toBe(false);
    meta.recordRunJobs([row(cut, 'b', 'failed')]);
    expect(meta.runRows.link(meta.memos.get('m')!.source!, 2, { run: later, step: 'map', block: 'map', line: 3 })).toBe(false);
    expect(jobsOf(later)).toEqual([]);
  });

  it('are forgotten when a result is replaced or dropped, not when one is added', () => {
    const result = (key: string, outputs: string) => ({
      key, identity: key, record: '{}', outputs, meta: '{}', log: null, started: 1, ended: 2, run_id: 1,
    });
    const put = meta.db.prepare('INSERT OR REPLACE INTO results (key, identity, record, outputs, meta, log, started, ended, run_id) VALUES (@key, @identity, @record, @outputs, @meta, @log, @started, @ended, @run_id)');
    put.run(result('k1', '{}'));
    meta.memos.put('m', new Map([['/data/out', 'tree:1']]), 1);
    put.run(result('k2', '{}'));
    expect(meta.memos.get('m')?.jobs).toBe(1);
    put.run(result('k1', '{"/data/out/a":"sha256:2"}'));
    expect(meta.memos.get('m')).toBeUndefined();
    meta.memos.put('m', new Map([['/data/out', 'tree:1']]), 1);
    meta.dropResults(['k2']);
    expect(meta.memos.get('m')).toBeUndefined();
  });
});
