import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { Metadata } from '../../src/store/metadata.js';

describe('content-addressed store: workspaces of one map step are reused only when clean', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shark-cas-pool-'));
  const meta = new Metadata(dir);
  const store = new CasStore(dir, meta);
  afterEach(() => undefined);

  const fileId = async (text: string): Promise<string> => {
    const src = join(dir, `src-${Math.random()}`);
    writeFileSync(src, text);
    return store.ingest(src);
  };

  it('hands the next job of the pool an emptied workspace, keeping only directories', async () => {
    const a = await store.createWorkspace('job-a', 'step');
    await store.materialize(await fileId('item a'), a, '/data/items/a.txt');
    mkdirSync(join(a.root, 'data/out'), { recursive: true });
    writeFileSync(join(a.root, 'data/out/a.txt'), 'result');
    expect(await store.commit(a, '/data/out/a.txt')).toMatch(/^sha256:/);
    await store.disposeWorkspace(a);

    const b = await store.createWorkspace('job-b', 'step');
    expect(b.root).toBe(a.root);
    expect(readdirSync(join(b.root, 'data/items'))).toEqual([]);
    expect(readdirSync(join(b.root, 'data/out'))).toEqual([]);
    await store.disposeWorkspace(b);
  });

  it('takes back out an input the job replaced with a directory or a link, and never follows the link', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'shark-cas-pool-outside-'));
    writeFileSync(join(outside, 'keep.txt'), 'not the store\'s');
    const a = await store.createWorkspace('job-a', 'replaced');
    await store.materialize(await fileId('item a'), a, '/data/items/a.txt');
    await store.materialize(await fileId('item b'), a, '/data/items/b.txt');
    rmSync(join(a.root, 'data/items/a.txt'));
    mkdirSync(join(a.root, 'data/items/a.txt/deeper'), { recursive: true });
    rmSync(join(a.root, 'data/items/b.txt'));
    symlinkSync(outside, join(a.root, 'data/items/b.txt'));
    await store.disposeWorkspace(a);
    expect(readdirSync(outside)).toEqual(['keep.txt']);
    const b = await store.createWorkspace('job-b', 'replaced');
    expect(b.root).toBe(a.root);
    expect(readdirSync(join(b.root, 'data/items'))).toEqual([]);
    await store.disposeWorkspace(b);
    rmSync(outside, { recursive: true, force: true });
  });

  it('makes again the directories a job removed, and places nothing through one it turned into a link', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'shark-cas-pool-outside-'));
    const a = await store.createWorkspace('job-a', 'removed');
    await store.materialize(await fileId('item a'), a, '/data/items/a.txt');
    rmSync(join(a.root, 'data/items'), { recursive: true });
    await store.disposeWorkspace(a);
    const b = await store.createWorkspace('job-b', 'removed');
    expect(b.root).toBe(a.root);
    await store.materialize(await fileId('item b'), b, '/data/items/b.txt');
    expect(readdirSync(join(b.root, 'data/items'))).toEqual(['b.txt']);
    // Between placing its inputs and the job's end nothing is checked again; a job making the directory a link
    // after its inputs were placed makes the next placement refuse it, or the workspace is not kept.
    rmSync(join(b.root, 'data/items'), { recursive: true });
    symlinkSync(outside, join(b.root, 'data/items'));
    await store.disposeWorkspace(b);
    const c = await store.createWorkspace('job-c', 'removed');
    expect(c.root).not.toBe(b.root);
    await store.materialize(await fileId('item c'), c, '/data/items/c.txt');
    expect(readdirSync(outside)).toEqual([]);
    await store.disposeWorkspace(c);
    rmSync(outside, { recursive: true, force: true });
  });

  it('takes an input back out never through a link the job put in place of its directory: the host file of that name stays', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'shark-cas-pool-outside-'));
    writeFileSync(join(outside, 'b.txt'), 'the host\'s own');
    const a = await store.createWorkspace('job-a', 'swapped');
    await store.materialize(await fileId('item b'), a, '/data/items/b.txt');
    rmSync(join(a.root, 'data/items'), { recursive: true });
    symlinkSync(outside, join(a.root, 'data/items'));
    await store.disposeWorkspace(a);
    expect(readdirSync(outside)).toEqual(['b.txt']);
    const b = await store.createWorkspace('job-b', 'swapped');
    expect(b.root).not.toBe(a.root);
    await store.disposeWorkspace(b);
    rmSync(outside, { recursive: true, force: true });
  });

  it('never reuses a workspace a job left a file in, nor one of another pool', async () => {
    const a = await store.createWorkspace('job-a', 'dirty');
    await store.materialize(await fileId('item'), a, '/data/items/x.txt');
    writeFileSync(join(a.root, 'data/stray.txt'), 'left behind');
    await store.disposeWorkspace(a);
    const b = await store.createWorkspace('job-b', 'dirty');
    expect(b.root).not.toBe(a.root);
    expect(existsSync(join(b.root, 'data/stray.txt'))).toBe(false);
    const c = await store.createWorkspace('job-c', 'other');
    expect(c.root).not.toBe(b.root);
    await store.disposeWorkspace(b);
    await store.disposeWorkspace(c);
    store.close();
    meta.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
