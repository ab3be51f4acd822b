import { createHash } from 'node:crypto';
import { chmodSync, chownSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

// The compiled modules: under vitest's TypeScript loader the stat worker's file does not exist and checks run alone.
const { CasObjects } = (await import('../../dist/src/store/cas-objects.js')) as typeof import('../../src/store/cas-objects.js');
const { Metadata } = (await import('../../dist/src/store/metadata.js')) as typeof import('../../src/store/metadata.js');
const { ObjectRecords } = (await import('../../dist/src/store/object-records.js')) as typeof import('../../src/store/object-records.js');
const { refreshSighted, sightingOf } = (await import('../../dist/src/store/object-refresh.js')) as typeof import('../../src/store/object-refresh.js');

describe('object checks of many objects, stat-ed on the worker thread', () => {
  it('find the same objects sound, missing and changed as checking each alone', async () => {
    const dir = tempDir('shark-objects-');
    const meta = new Metadata(join(dir, 'meta'));
    const objects = new CasObjects(join(dir, 'store'), meta);
    const ids: string[] = [];
    // Enough that the worker is used (as many as make a directory's walk use it).
    for (let i = 0; i < 16_500; i++) {
      const file = join(dir, `f${i}`);
      writeFileSync(file, `object ${i}\n`);
      ids.push(objects.absorbFileNow(file, statSync(file)));
    }
    const at = (n: number): string => objects.pathOf(ids[n]!);
    unlinkSync(at(10));
    chmodSync(at(20), 0o644);
    writeFileSync(at(20), 'rewritten, longer than before\n');
    unlinkSync(at(30));
    symlinkSync(at(31), at(30));
    rmSync(at(40));
    writeFileSync(at(40), 'object 4X\n'); // a new file (inode and time) of the recorded size, other bytes
    rmSync(at(50));
    writeFileSync(at(50), 'object 50\n'); // the same bytes, a new file: hashed again, the object that was stored
    const alone = new CasObjects(join(dir, 'store'), meta).checkMany(ids);
    const ahead = await new CasObjects(join(dir, 'store'), meta).checkManyAhead(ids);
    expect(ahead).toEqual(alone);
    expect(ahead.filter((v) => v === 'ok')).toHaveLength(16_496);
    expect([ahead[10], ahead[20], ahead[30], ahead[40], ahead[50]]).toEqual(['missing', 'changed', 'changed', 'changed', 'ok']);
    // Without remembering each (a run's ingest, a step memo's outputs): the same verdicts, and all sound only without the four.
    expect(await new CasObjects(join(dir, 'store'), meta).checkManyAhead(ids, false)).toEqual(alone);
    expect(await new CasObjects(join(dir, 'store'), meta).allSound(ids)).toBe(false);
    expect(await new CasObjects(join(dir, 'store'), meta).allSound(ids.filter((_, n) => ![10, 20, 30, 40].includes(n)))).toBe(true);
    expect(await new CasObjects(join(dir, 'store'), meta).allSound([...ids.slice(0, 17_000).filter((_, n) => n > 40), ids[30]!])).toBe(false);
    meta.close();
  });
});

describe('storing objects', () => {
  it.runIf(process.getuid?.() === 0)('gives an object the store\'s owner when Shark runs as root, not the uid a container wrote it as', () => {
    const dir = tempDir('shark-objects-');
    try {
      const objects = new CasObjects(join(dir, 'store'), new Metadata(join(dir, 'meta')));
      const file = join(dir, 'r.txt');
      writeFileSync(file, 'result\n');
      chownSync(file, 1000, 1000);
      const object = statSync(objects.pathOf(objects.absorbFileNow(file, statSync(file))));
      const store = statSync(join(dir, 'store'));
      expect([object.uid, object.gid, object.mode & 0o777]).toEqual([store.uid, store.gid, 0o444]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a fan-out directory removed while the process runs is made again: the next object of that prefix is stored', async () => {
    const dir = tempDir('shark-objects-');
    const meta = new Metadata(join(dir, 'meta'));
    const objects = new CasObjects(join(dir, 'store'), meta);
    const store = (text: string): string => {
      const file = join(dir, 'f');
      writeFileSync(file, text);
      return objects.absorbFileNow(file, statSync(file));
    };
    const first = store('object 0\n');
    const prefix = first.slice('sha256:'.length, 'sha256:'.length + 2);
    rmSync(join(dir, 'store', 'objects', prefix), { recursive: true });
    // Another content whose name starts alike.
    let second: string | undefined;
    for (let i = 1; second === undefined; i++) {
      const text = `object ${i}\n`;
      if (createHash('sha256').update(text).digest('hex').startsWith(prefix)) second = store(text);
    }
    expect(readFileSync(objects.pathOf(second), 'utf8')).toMatch(/^object \d+\n$/);
    expect(objects.check(second, true)).toBe('ok');
    expect(objects.check(first, true)).toBe('missing');
    meta.close();
  });
});

describe('the time stored objects carry', () => {
  const setUp = (): { dir: string; meta: InstanceType<typeof Metadata>; objects: InstanceType<typeof CasObjects>; store: (text: string) => string } => {
    const dir = tempDir('shark-objects-');
    const meta = new Metadata(join(dir, 'meta'));
    const objects = new CasObjects(join(dir, 'store'), meta);
    let n = 0;
    const store = (text: string): string => {
      const file = join(dir, `f${n++}`);
      writeFileSync(file, text);
      return objects.absorbFileNow(file, statSync(file));
    };
    return { dir, meta, objects, store };
  };

  it('is 1 s after the epoch and as many microseconds as it has bytes, and comes back when a changed time is healed by a re-hash', () => {
    const { meta, objects, store } = setUp();
    const id = store('bytes\n');
    expect(statSync(objects.pathOf(id)).mtimeMs).toBe(1000.006);
    expect(statSync(objects.pathOf(store('x'.repeat(2_000_003)))).mtimeMs).toBe(3000.003);
    utimesSync(objects.pathOf(id), 5000, 5000); // touched: the same bytes, another time
    // A check hashes it again and records what it shows now, but leaves its time (a write after the hash would hide behind it).
    const records = new ObjectRecords(meta);
    expect(new CasObjects(objects.dir.slice(0, -'/objects'.length), meta).check(id)).toBe('ok');
    expect(statSync(objects.pathOf(id)).mtimeMs).toBe(5_000_000);
    expect(records.fresh(id)?.mtime).toBe('5000000');
    expect(objects.rehashMatches(id)).toBe(true);
    expect(statSync(objects.pathOf(id)).mtimeMs).toBe(1000.006);
    expect(new CasObjects(objects.dir.slice(0, -'/objects'.length), meta).check(id)).toBe('ok');
    meta.close();
  });

  it('a touched object fsck found sound is recorded again, unless it was written or its record replaced while fsck hashed it', () => {
    const { dir, meta, objects, store } = setUp();
    const records = new ObjectRecords(meta);
    const fresh = (): InstanceType<typeof CasObjects> => new CasObjects(join(dir, 'store'), meta);
    const [a, b, c] = ['a\n', 'b\n', 'c\n'].map(store) as [string, string, string];
    for (const id of [a, b, c]) utimesSync(objects.pathOf(id), 5000, 5000); // touched: the same bytes, another time
    const sighted = [a, b, c].map((id) => sightingOf(objects.pathOf(id), id, records)!);
    expect(sighted.every((s) => s !== undefined)).toBe(true);
    // Meanwhile a run healed b (its record replaced), and c was written to with its time put back.
    const was = records.fresh(b);
    meta.db.prepare('UPDATE objects SET ino = ? WHERE id = ?').run(12345, b);
    chmodSync(objects.pathOf(c), 0o644);
    writeFileSync(objects.pathOf(c), 'c\n');
    utimesSync(objects.pathOf(c), 5000, 5000);
    expect([a, b, c].map((id, i) => refreshSighted(objects.pathOf(id), id, sighted[i]!, records))).toEqual([true, false, false]);
    expect(records.fresh(b)).toEqual({ ...was, ino: 12345 });
    expect(fresh().check(a)).toBe('ok');
    // c was not recorded again; its bytes are still the object's, so a check finds it sound on a re-hash.
    expect(records.fresh(c)?.mtime).not.toBe('5000000');
    expect(fresh().check(c)).toBe('ok');
    // A sound object is not sighted at all.
    expect(sightingOf(objects.pathOf(a), a, records)).toBeUndefined();
    meta.close();
  });

  it('vouches for an object without its record; another time is judged by the record, as in stores made before', async () => {
    const { dir, meta, objects, store } = setUp();
    const ids = Array.from({ length: 3 }, (_, i) => store(`object ${i}\n`));
    // A store of before: object 1 has the time of its writing, and its record says so; object 2 was written to since.
    utimesSync(objects.pathOf(ids[1]!), 7, 7);
    meta.db.prepare('UPDATE objects SET mtime = ? WHERE id = ?').run(String(statSync(objects.pathOf(ids[1]!)).mtimeMs), ids[1]);
    chmodSync(objects.pathOf(ids[2]!), 0o644);
    writeFileSync(objects.pathOf(ids[2]!), 'object X\n');
    // Object 0's record is gone: its time alone vouches for it (its record's size would say otherwise).
    meta.db.prepare('UPDATE objects SET size = 999 WHERE id = ?').run(ids[0]);
    const fresh = (): InstanceType<typeof CasObjects> => new CasObjects(join(dir, 'store'), meta);
    expect(fresh().checkMany(ids)).toEqual(['ok', 'ok', 'changed']);
    expect(await fresh().checkManyAhead(ids)).toEqual(['ok', 'ok', 'changed']);
    expect(ids.map((id) => fresh().check(id))).toEqual(['ok', 'ok', 'changed']);
    meta.close();
  });
});
