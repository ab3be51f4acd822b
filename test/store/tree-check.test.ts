import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The compiled modules: under vitest's TypeScript loader the worker's file does not exist and no check is started ahead.
const { CasStore } = (await import('../../dist/src/store/cas-store.js')) as typeof import('../../src/store/cas-store.js');
const { Metadata } = (await import('../../dist/src/store/metadata.js')) as typeof import('../../src/store/metadata.js');

/** A store holding a directory of `n` files, as a map's composed outputs: its tree and each object's path. */
async function storeWithTree(n: number): Promise<{ dir: string; store: InstanceType<typeof CasStore>; meta: InstanceType<typeof Metadata>; tree: string; paths: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'shark-tree-check-'));
  mkdirSync(join(dir, 'out'));
  for (let i = 0; i < n; i++) writeFileSync(join(dir, 'out', `${i}.txt`), `item ${i}\n`);
  const meta = new Metadata(join(dir, 'store'));
  const store = new CasStore(join(dir, 'store'), meta);
  const tree = await store.ingest(join(dir, 'out'));
  const paths = store.entries(tree)!.map((e) => store.objectPath!(e.id)!);
  return { dir, store, meta, tree, paths };
}

describe('a directory checked ahead, on a worker, while the plan goes on', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('answers as the check made when it is asked: whole, or not for a missing, rewritten or wrongly counted directory', async () => {
    const { dir, store, meta, tree, paths } = await storeWithTree(50);
    dirs.push(dir);
    const reopened = (): InstanceType<typeof CasStore> => new CasStore(join(dir, 'store'), meta);
    const sized = (size: number): Map<string, number> => new Map([[tree, size]]);
    const ahead = async (size: number): Promise<boolean> => {
      const s = reopened();
      s.checkTreesAhead([sized(size)]);
      return s.holdsTrees(sized(size));
    };
    expect(await ahead(50)).toBe(true);
    expect(await ahead(49)).toBe(false);
    // An object rewritten in place (its time moved), then one removed: the directory is not whole.
    chmodSync(paths[7]!, 0o644);
    writeFileSync(paths[7]!, 'item 7 changed\n');
    expect(await ahead(50)).toBe(false);
    expect(await reopened().holdsTrees(sized(50))).toBe(false);
    rmSync(paths[7]!);
    expect(await ahead(50)).toBe(false);
    // A tree the store does not have.
    const s = reopened();
    const unknown = new Map([['tree:' + '0'.repeat(64), 1]]);
    s.checkTreesAhead([unknown]);
    expect(await s.holdsTrees(unknown)).toBe(false);
    meta.close();
  });

  it('reads a tree below the directory from the database itself (the asking thread gives only the top one)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-tree-check-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'out', 'deep', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'out', 'top.txt'), 'top\n');
    writeFileSync(join(dir, 'out', 'deep', 'deeper', 'leaf.txt'), 'leaf\n');
    const meta = new Metadata(join(dir, 'store'));
    const tree = await new CasStore(join(dir, 'store'), meta).ingest(join(dir, 'out'));
    const whole = new Map([[tree, 2]]);
    const leaf = new CasStore(join(dir, 'store'), meta).objectPath!(`sha256:${createHash('sha256').update('leaf\n').digest('hex')}`)!;
    // The worker's answer, made before the leaf went: had the worker failed, this thread would have checked now (and said no).
    const checked = new CasStore(join(dir, 'store'), meta);
    checked.checkTreesAhead([whole]);
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(leaf);
    expect(await checked.holdsTrees(whole)).toBe(true);
    const again = new CasStore(join(dir, 'store'), meta);
    again.checkTreesAhead([whole]);
    expect(await again.holdsTrees(whole)).toBe(false);
    meta.close();
  });

  it('is judged by the record where only the time differs, as a check on this thread is', async () => {
    const { dir, store, meta, tree, paths } = await storeWithTree(20);
    dirs.push(dir);
    // The same bytes with another time (a store made before objects were given theirs): its record still vouches for it.
    utimesSync(paths[3]!, new Date(5000), new Date(5000));
    meta.db.prepare('UPDATE objects SET mtime = ? WHERE id = ?').run(String(5000), store.entries(tree)![3]!.id);
    const fresh = new CasStore(join(dir, 'store'), meta);
    fresh.checkTreesAhead([new Map([[tree, 20]])]);
    expect(await fresh.holdsTrees(new Map([[tree, 20]]))).toBe(true);
    meta.close();
  });

  it('answers what the store held when the check was made, and never a check a later one replaced', async () => {
    /** A store instance that checked its directory ahead (and let the worker finish), after which an object went. */
    const checkedThenRemoved = async (): Promise<{ store: InstanceType<typeof CasStore>; whole: Map<string, number>; meta: InstanceType<typeof Metadata> }> => {
      const { dir, meta, tree, paths } = await storeWithTree(10);
      dirs.push(dir);
      const whole = new Map([[tree, 10]]);
      // Another instance: the one that stored the directory knows it whole without a check.
      const store = new CasStore(join(dir, 'store'), meta);
      store.checkTreesAhead([whole]);
      await new Promise((r) => setTimeout(r, 1000));
      rmSync(paths[0]!);
      return { store, whole, meta };
    };
    // Taken: the answer of the check made before the object went (the plan's, started before its walk).
    const a = await checkedThenRemoved();
    expect(await a.store.holdsTrees(a.whole)).toBe(true);
    a.meta.close();
    // Replaced by a later plan's checks (none here): that answer is not used, the directory is checked again.
    const b = await checkedThenRemoved();
    b.store.checkTreesAhead([]);
    expect(await b.store.holdsTrees(b.whole)).toBe(false);
    b.meta.close();
  });
});
