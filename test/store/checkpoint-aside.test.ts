import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The compiled modules: under vitest's TypeScript loader the worker's file does not exist and SQLite checkpoints as before.
const { Metadata } = (await import('../../dist/src/store/metadata.js')) as typeof import('../../src/store/metadata.js');
type Success = import('../../src/store/metadata.js').Success;

/** `n` successful jobs of run `run`, each with a record of about a kilobyte, as a map's are. */
function successes(run: number, from: number, n: number): Success[] {
  return Array.from({ length: n }, (_, i) => {
    const key = `k${run}-${from + i}-`.padEnd(64, '0');
    const record = JSON.stringify({ kind: 'run', inputs: { item: `sha256:${key}` }, command: 'x'.repeat(800) });
    return {
      result: { key, identity: `map/${from + i}`, record, outputs: '{}', meta: '{}', log: null, started: 1, ended: 2, run_id: run },
      job: { job: `map[${from + i}]`, step: 'map', block: 'map', line: 1, item: String(from + i) },
    };
  });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Commits 6,000 results 50 at a time (`each` told after each batch), a pause between: the largest the log grew. */
async function largestLog(meta: InstanceType<typeof Metadata>, wal: string, each: (n: number) => void = () => undefined): Promise<number> {
  let largest = 0;
  for (let n = 0; n < 6000; n += 50) {
    meta.recordSuccesses(successes(1, n, 50));
    each(n);
    largest = Math.max(largest, statSync(wal, { throwIfNoEntry: false })?.size ?? 0);
    await pause(5);
  }
  return largest;
}

describe("the store's log, checkpointed on a thread of its own while a run commits many results", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stays bounded while results are committed, holds every result, and is gone once the store is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-checkpoints-'));
    dirs.push(dir);
    const wal = join(dir, 'shark.sqlite-wal');
    const meta = new Metadata(dir);
    // 6,000 results of ~1.3 KB, committed 50 at a time as a fast run's batches are: ~40 MB of log without checkpoints.
    const largest = await largestLog(meta, wal);
    expect(meta.db.prepare('SELECT count(*) AS n FROM results').get()).toEqual({ n: 6000 });
    // SQLite's own checkpoints keep it near 4 MB; the thread's, restarting it, under 16 MB. Never restarted, it grew to the 40 MB.
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(16 * 1024 * 1024);
    meta.close();
    // The thread's connection was closed before the store's, the last, which merged the log and removed it.
    expect(existsSync(wal)).toBe(false);
    const again = new Metadata(dir);
    expect(again.db.prepare('SELECT count(*) AS n FROM results').get()).toEqual({ n: 6000 });
    again.close();
  });

  it('stays bounded when the thread falls behind (a slow disk, a loaded machine): this connection checkpoints then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-checkpoints-'));
    dirs.push(dir);
    const wal = join(dir, 'shark.sqlite-wal');
    const meta = new Metadata(dir);
    // Once it has taken the checkpoints over, the thread is held up: it finds itself busy and makes none.
    const largest = await largestLog(meta, wal, (n) => {
      if (n === 1000) Atomics.store((meta as unknown as { checkpoints: { state: Int32Array } }).checkpoints.state, 0, 1);
    });
    // Without this connection's own checkpoints the log grew with every commit (28 MB here).
    expect(largest).toBeLessThan(16 * 1024 * 1024);
    Atomics.store((meta as unknown as { checkpoints: { state: Int32Array } }).checkpoints.state, 0, 0);
    meta.close();
    expect(existsSync(wal)).toBe(false);
  });

  it('a store closed while the thread checkpoints waits for it, then removes the log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-checkpoints-'));
    dirs.push(dir);
    for (let round = 0; round < 5; round++) {
      const meta = new Metadata(dir);
      for (let n = 0; n < 1000; n += 100) meta.recordSuccesses(successes(round, n, 100));
      // Closed at once, most likely with the thread's first checkpoint under way.
      await pause(round * 20);
      meta.close();
      expect(existsSync(join(dir, 'shark.sqlite-wal'))).toBe(false);
    }
  });
});
