import Database from 'better-sqlite3';
import { renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const DOC = '# Map\n\n```shark-import\nitems /data/items/\n```\n\n```shark-run\nwc -c < /data/items/* > /data/out/+\n```\n';

/**
 * A large input directory's names kept in the store from one plan to the
 * next (`listing-rows.ts`): the next plan reads them instead of the
 * directory, only while the directory shows the times it had then.
 */
describe('a large input directory listed by an earlier plan', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-listing-rows-');
  });
  afterEach(() => rig.cleanup());

  /** The map's items as the plan lists them. */
  const items = async (): Promise<string[]> => (await rig.plan('p.md')).jobs.filter((j) => j.item !== undefined).map((j) => j.item!);

  /** The names the store keeps of the directory, or undefined. */
  const kept = (): string[] | undefined => {
    const db = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT names FROM stat_listings WHERE path = ?').get(rig.path('items')) as { names: string } | undefined)?.names.split('/');
    } finally {
      db.close();
    }
  };

  it('is read again once a file was added, removed or renamed in it, and the plan sees the change', async () => {
    // Enough files for the stat workers too (16,384): their stats are the native module's where it is built.
    const names = Array.from({ length: 16_400 }, (_, i) => `${i}.txt`);
    for (const name of names) rig.write(`items/${name}`, `${name}\n`);
    rig.write('p.md', DOC);
    // Kept only once the directory has not changed within a tick of the clock.
    await sleep(250);
    expect((await items()).length).toBe(16_400);
    expect(kept()?.sort()).toEqual([...names].sort());
    expect((await items()).length).toBe(16_400);
    const changes: [string, () => void, (found: string[]) => void][] = [
      ['added', () => writeFileSync(rig.path('items/new.txt'), 'new\n'), (found) => expect(found).toContain('new.txt')],
      ['removed', () => unlinkSync(rig.path('items/7.txt')), (found) => expect(found).not.toContain('7.txt')],
      ['renamed', () => renameSync(rig.path('items/8.txt'), rig.path('items/eight.txt')), (found) => expect(found).toEqual(expect.arrayContaining(['eight.txt']))],
    ];
    for (const [what, change, check] of changes) {
      change();
      await sleep(250);
      const found = await items();
      check(found);
      expect(found.length, what).toBe(16_401 - (what === 'added' ? 0 : 1));
      // The change is what the store keeps now, for the plan after.
      expect(kept()?.sort(), what).toEqual([...found].sort());
    }
  });

  it('is read again once a link to the store replaced a file in it: the plan refuses it, as without the names kept', async () => {
    for (let i = 0; i < 5000; i++) rig.write(`items/${i}.txt`, `${i}\n`);
    rig.write('p.md', DOC);
    await sleep(250);
    expect((await items()).length).toBe(5000);
    expect(kept()?.length).toBe(5000);
    rmSync(rig.path('items/9.txt'));
    symlinkSync('../.shark', rig.path('items/9.txt'));
    const ran = await rig.shark(['plan', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`follows the symbolic link ${rig.path('items/9.txt')} (to \`../.shark\`), which is the store`);
  });
});
