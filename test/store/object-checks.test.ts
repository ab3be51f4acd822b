import { mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
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
    for (let i = 0; i < 5000; i++) {
      const file = join(dir, `f${i}`);
      writeFileSync(file, `object ${i}\n`);
      ids.push(await objects.absorbFile(file, statSync(file), false));
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
    expect(ahead.filter((v) => v === 'ok')).toHaveLength(4996);
    expect([ahead[10], ahead[20], ahead[30], ahead[40]]).toEqual(['missing', 'changed', 'changed', 'changed']);
    meta.close();
  });
});
