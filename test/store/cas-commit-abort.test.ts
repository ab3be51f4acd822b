import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { Metadata } from '../../src/store/metadata.js';

/**
 * Ctrl-C while a job's output of thousands of files is being stored: each
 * file is synced on its own, so a loaded machine took over a minute, and the
 * run waited for all of it. The commit stops at the next file instead.
 */
describe('content-addressed store: a commit stopped half-way', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stops at the next file once its signal is aborted, leaving the rest in the workspace and no tree of the whole', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shark-cas-abort-'));
    const meta = new Metadata(dir);
    const store = new CasStore(dir, meta);
    const ws = await store.createWorkspace('many');
    const out = join(ws.root, 'data/many');
    mkdirSync(out);
    for (let i = 0; i < 200; i++) writeFileSync(join(out, `f${i}`), `f ${i}\n`);
    const stop = new AbortController();
    const committing = store.commit(ws, '/data/many', stop.signal);
    // Aborted while the first file is being synced: as a signal handler runs between two awaits.
    stop.abort();
    await expect(committing).rejects.toThrow(/abort/i);
    expect(readdirSync(out).length).toBeGreaterThan(190);
    expect(meta.db.prepare('SELECT count(*) AS n FROM trees').get()).toEqual({ n: 0 });
    await store.disposeWorkspace(ws);
    store.close();
    meta.close();
  });
});

describe('content-addressed store: an output written while it is stored', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused, never stored under the hash of other bytes (a process the job left running corrupted a trusted object)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shark-cas-changing-'));
    const meta = new Metadata(dir);
    const store = new CasStore(dir, meta);
    const ws = await store.createWorkspace('busy');
    const file = join(ws.root, 'data/o.bin');
    writeFileSync(file, Buffer.alloc(64 << 20));
    // Appends for as long as the commit may take.
    const writer = spawn('sh', ['-c', `while :; do echo x >> '${file}'; done`], { stdio: 'ignore' });
    try {
      await expect(store.commit(ws, '/data/o.bin')).rejects.toThrow(/changed while it was stored/);
      // Nothing was recorded as sound under any name.
      expect(meta.db.prepare('SELECT count(*) AS n FROM objects').get()).toEqual({ n: 0 });
    } finally {
      writer.kill('SIGKILL');
      await store.disposeWorkspace(ws);
      store.close();
      meta.close();
    }
  });
});

/**
 * Ctrl-C while a large input is taken in (a first run over 100,000 files
 * hashes and copies them all): the run heard it only once all were stored,
 * 15 s later at 100,000 files. Ingesting stops between batches instead.
 */
describe('content-addressed store: an input stopped half-way in', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stops at the next batch once its signal is aborted, leaving no staged copy and no tree of it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shark-cas-ingest-abort-'));
    const host = join(dir, 'items');
    mkdirSync(host);
    for (let i = 0; i < 20_000; i++) writeFileSync(join(host, `f${i}`), `f ${i}\n`);
    const meta = new Metadata(join(dir, 'store'));
    const store = new CasStore(join(dir, 'store'), meta);
    const stop = new AbortController();
    const ingesting = store.ingest(host, undefined, stop.signal);
    // Heard between two awaits, as a signal handler runs.
    await new Promise((r) => setImmediate(r));
    stop.abort();
    await expect(ingesting).rejects.toThrow(/abort/i);
    expect(meta.db.prepare('SELECT count(*) AS n FROM trees').get()).toEqual({ n: 0 });
    // Fewer than all were stored: it stopped, not ran to the end.
    expect((meta.db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n).toBeLessThan(20_000);
    expect(readdirSync(join(dir, 'store/tmp')).filter((n) => n.startsWith('in-'))).toEqual([]);
    store.close();
    meta.close();
  });
});
