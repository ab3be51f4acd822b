import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The compiled modules: under vitest's TypeScript loader the stat worker's file does not exist and checks run alone.
const { CasObjects } = (await import('../../dist/src/store/cas-objects.js')) as typeof import('../../src/store/cas-objects.js');
const { Metadata } = (await import('../../dist/src/store/metadata.js')) as typeof import('../../src/store/metadata.js');

describe('object checks of many objects, stat-ed on the worker thread', () => {
  it('find the same objects sound, missing and changed as checking each alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-objects-'));
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
    writeFileSync(at(40), 'object 40\n'); // the same bytes, a new file (inode and time): not the object that was stored
    const alone = new CasObjects(join(dir, 'store'), meta).checkMany(ids);
    const ahead = await new CasObjects(join(dir, 'store'), meta).checkManyAhead(ids);
    expect(ahead).toEqual(alone);
    expect(ahead.filter((v) => v === 'ok')).toHaveLength(16_496);
    expect([ahead[10], ahead[20], ahead[30], ahead[40]]).toEqual(['missing', 'changed', 'changed', 'changed']);
    meta.close();
  });
});

describe('storing objects', () => {
  it('a fan-out directory removed while the process runs is made again: the next object of that prefix is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-objects-'));
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
