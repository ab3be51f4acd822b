import Database from 'better-sqlite3';
import { cpSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashOnDisk, namedContent, subdirectoryOnDisk, whyContent } from '../../src/lineage/why.js';
import { ancestriesOfContents } from '../../src/lineage/content-pair.js';
import { Metadata } from '../../src/store/metadata.js';
import { Rig } from '../support/rig.js';

const PIPELINE = `# Doubles

\`\`\`shark-import
in/ /data/in/
\`\`\`

\`\`\`shark-run
awk '{ print $1 * 2 }' /data/in/*.txt > /data/dbl/+
\`\`\`

\`\`\`shark-publish
/data/dbl/
\`\`\`
`;

/** A published map output of `n` items, run twice (the second time with one item changed), and a copy of the first. */
async function published(n: number): Promise<Rig> {
  const rig = new Rig();
  rig.write('p.md', PIPELINE);
  for (let i = 0; i < n; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  expect((await rig.shark(['why', '_shark/dbl', '--depth', '0'])).code).toBe(0);
  cpSync(rig.path('_shark/dbl'), rig.path('old'), { recursive: true });
  rig.write('in/f0.txt', '1000\n');
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  return rig;
}

/**
 * Statements run that read the `trees` table other than by a tree's id:
 * each is a pass over every directory the store holds, so their number must
 * not grow with the entries asked about.
 */
function treeScans(): { count: () => number; stop: () => void } {
  let scans = 0;
  const prepare = Database.prototype.prepare;
  const spy = vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, sql: string) {
    const stmt = prepare.call(this, sql);
    if (!/\btrees\b/.test(sql) || /\bid = \?/.test(sql)) return stmt;
    for (const name of ['all', 'get', 'iterate'] as const) {
      const run = stmt[name].bind(stmt) as (...args: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => ((scans += 1), run(...args));
    }
    return stmt;
  } as typeof prepare);
  return { count: () => scans, stop: () => spy.mockRestore() };
}

/** `why DIR` and `diff FILE OLD NEW` of directories on disk, as the commands ask, counting the passes over the trees. */
function passes(rig: Rig): { why: number; diff: number } {
  const scans = treeScans();
  const meta = new Metadata(rig.path('.shark'));
  try {
    const asked = (dir: string): ReturnType<typeof namedContent> => {
      const hashed = hashOnDisk(rig.path(dir));
      if (!hashed.ok) throw new Error(hashed.message);
      return namedContent(meta, rig.path(dir), hashed);
    };
    const before = scans.count();
    const now = asked('_shark/dbl');
    const answer = whyContent(meta, rig.path('_shark/dbl'), now.id, 0, now.entries, (rel) => subdirectoryOnDisk(rig.path('_shark/dbl'), rel));
    expect(answer.notProduced).toEqual([]);
    const why = scans.count() - before;
    const old = asked('old');
    const paired = ancestriesOfContents(meta,
      { id: old.id, entries: old.entries ?? [], entriesOf: (rel) => subdirectoryOnDisk(rig.path('old'), rel) },
      { id: now.id, entries: now.entries ?? [], entriesOf: (rel) => subdirectoryOnDisk(rig.path('_shark/dbl'), rel) });
    expect(paired.ok).toBe(true);
    return { why, diff: scans.count() - before - why };
  } finally {
    meta.db.close();
    scans.stop();
  }
}

/**
 * `why _shark/dbl` of a 1,500-item map took 12 s, and `diff p.md old
 * _shark/dbl` 35 s: each entry looked for the directories holding it with a
 * pass over every tree of the store, and read each one found whole.
 */
describe('why and diff of a directory no job wrote whole', () => {
  const rigs: Rig[] = [];
  beforeAll(async () => {
    rigs.push(await published(10), await published(30));
  }, 120_000);
  afterAll(() => rigs.forEach((r) => r.cleanup()));

  it('look up the directories holding its entries all at once, however many entries it has', () => {
    const [small, large] = rigs.map(passes);
    expect(large).toEqual(small);
    expect(small!.why).toBeLessThan(10);
  });
});
