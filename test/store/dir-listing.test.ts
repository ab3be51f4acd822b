import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepListing, takeListing } from '../../src/store/dir-listing.js';
import { textNames } from '../../src/store/storable.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A directory of `n` files, old enough (past the clock's tick) for its listing to be kept. */
async function filled(root: string, n: number): Promise<string> {
  const dir = join(root, `d${n}`);
  mkdirSync(dir);
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `${i}.txt`), '');
  await sleep(250);
  return dir;
}

function keep(dir: string): void {
  const st = lstatSync(dir, { bigint: true });
  keepListing(dir, st, readdirSync(dir));
}

/** A large directory read once for links and once for hashes in one plan: the second walk takes the first's names, only while nothing changed. */
describe('a directory listing handed from one walk to the next', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shark-listing-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is taken once, whole, by the next walk', async () => {
    const dir = await filled(root, 5000);
    keep(dir);
    const names = takeListing(dir);
    expect(names?.sort()).toEqual(readdirSync(dir).sort());
    expect(takeListing(dir)).toBeUndefined();
  });

  it('is not taken once a file was added, removed or renamed: the walk reads the directory again and sees it', async () => {
    const dir = await filled(root, 5000);
    for (const change of [
      () => writeFileSync(join(dir, 'new.txt'), ''),
      () => unlinkSync(join(dir, '7.txt')),
      () => renameSync(join(dir, '8.txt'), join(dir, 'eight.txt')),
    ]) {
      await sleep(250);
      keep(dir);
      change();
      expect(takeListing(dir)).toBeUndefined();
      expect(textNames(dir).sort()).toEqual(readdirSync(dir).sort());
    }
    expect(textNames(dir)).toContain('new.txt');
    expect(textNames(dir)).not.toContain('7.txt');
    expect(textNames(dir)).toContain('eight.txt');
  });

  it('is not kept of a directory changed within a tick of the clock (its next change could show the same times), nor of a small one', async () => {
    const dir = await filled(root, 5000);
    writeFileSync(join(dir, 'just-now.txt'), '');
    keep(dir);
    expect(takeListing(dir)).toBeUndefined();
    const small = await filled(root, 100);
    keep(small);
    expect(takeListing(small)).toBeUndefined();
  });
});
