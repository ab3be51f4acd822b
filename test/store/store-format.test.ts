import Database from 'better-sqlite3';
import { mkdirSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_FORMAT } from '../../src/store/store-format.js';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A store records its format: a Shark refuses, in one line and before it
 * changes anything, a store a newer Shark made in a format it does not know
 * (an older Shark's gc, blind to the rows that say a run reused a step's
 * results, freed the latest run's data). A store of an older Shark, without
 * the record, is brought up to this Shark's format.
 */

const DOC = '# t\n\n```shark-run\necho hi > /data/out.txt\n```\n';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-store-format-')));
afterEach(() => rig.cleanup());

function newerStore(): void {
  rig.write('p.md', DOC);
  mkdirSync(rig.path('.shark'));
  const db = new Database(rig.path('.shark/shark.sqlite'));
  db.exec(`CREATE TABLE store_format (version INTEGER NOT NULL); INSERT INTO store_format VALUES (${STORE_FORMAT + 1})`);
  db.close();
}

const REFUSED = (dir: string): string =>
  `shark: error: cannot open the store at ${dir}: it was made or used by a newer Shark (store format ${STORE_FORMAT + 1}; this Shark knows format ${STORE_FORMAT} and older): use that Shark, or upgrade this one\n`;

function tables(db: Database.Database): string[] {
  return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
}

describe('the store format', () => {
  it('of a store a newer Shark made is refused by every command, exit 2, the store left as it was', async () => {
    newerStore();
    const said = REFUSED(rig.path('.shark'));
    for (const args of [['run', 'p.md'], ['plan', 'p.md'], ['runs', 'p.md'], ['gc', 'p.md', '--delete'], ['fsck']]) {
      const ran = await rig.shark(args);
      expect({ args, stderr: ran.stderr, code: ran.code }).toEqual({ args, stderr: said, code: 2 });
    }
    const after = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    expect(tables(after)).toEqual(['store_format']);
    after.close();
  });

  it('of a store a newer Shark made is refused where it is read-only to the user too', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    newerStore();
    const ran = await shark('runs', 'p.md');
    noCrash(ran.stderr);
    expect({ stderr: ran.stderr, code: ran.code }).toEqual({ stderr: REFUSED(rig.path('.shark')), code: 2 });
  });

  it('of an older Shark\'s store read-only to the user: read through a copy brought up to date, the store left as it was', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', DOC);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // As an older Shark left it: without tables and columns added since (`runs` read in every command).
    const db = new Database(rig.path('.shark/shark.sqlite'));
    for (const t of db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all()) db.exec(`DROP TRIGGER ${t}`);
    db.exec('DROP TABLE store_format; DROP TABLE lineage_generation; ALTER TABLE runs DROP COLUMN variables');
    db.close();
    const before = readFileSync(rig.path('.shark/shark.sqlite'));
    const runs = await shark('runs', 'p.md');
    noCrash(runs.stderr);
    expect([runs.stderr, runs.code]).toEqual(['', 0]);
    expect(runs.stdout).toMatch(/^1 +ok /m);
    const plan = await shark('plan', 'p.md');
    expect([plan.stderr, plan.code]).toEqual(['', 0]);
    expect(plan.stdout).toContain('1 job: 1 cached, 0 to run');
    const lineage = await shark('lineage', 'p.md', '/data/out.txt');
    expect([lineage.stderr, lineage.code]).toEqual(['', 0]);
    const ran = await shark('run', 'p.md');
    expect([ran.stderr, ran.code]).toEqual([`shark: error: the store at .shark is read-only to you: \`shark run\` writes to it (run it as the store's owner, or give it a store of its own: --store DIR)\n`, 2]);
    expect(readFileSync(rig.path('.shark/shark.sqlite')).equals(before)).toBe(true);
  });

  it('of an older Shark\'s store (no record of it) is raised to this one\'s, and the store is used', async () => {
    rig.write('p.md', DOC);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.exec('DROP TABLE store_format');
    db.close();
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stdout).toContain('1 job: 1 cached, 0 to run');
    const after = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    expect(after.prepare('SELECT version FROM store_format').pluck().all()).toEqual([STORE_FORMAT]);
    after.close();
  });
});
