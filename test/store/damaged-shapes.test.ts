import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { withStoreDb } from '../support/store-db.js';

/**
 * A row edited into valid JSON of another shape (`{}` for a key record,
 * `[1,2]` for what lineage shows, `[]` for a result's meta) is damage, said
 * as one that no longer parses is: one line and exit 2 from the commands
 * that read it, a problem of the job from `verify`, and `fsck` finds it. It
 * was an internal error (exit 70), and `fsck` called the store sound.
 */
const PIPELINE = `# shapes

\`\`\`shark-run
echo one > /data/a.txt
\`\`\`

\`\`\`shark-run
cat /data/a.txt > /data/b.txt
\`\`\`

\`\`\`shark-publish
/data/b.txt
\`\`\`
`;

describe('a stored value of another shape', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-damaged-shapes-');
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  const edit = (column: string, value: string): void =>
    void withStoreDb(rig, (db) => db.prepare(`UPDATE results SET ${column} = ? WHERE identity LIKE '%b.txt%'`).run(value));
  const damaged = (stderr: string, what: string): void => {
    expect(stderr).toMatch(new RegExp(`^shark: error: the store's database is damaged \\(${what} is not of the shape Shark writes\\)`));
    expect(stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  };

  it('a key record: export says the damage (exit 2), verify names the job (exit 1), fsck finds it (exit 1)', async () => {
    edit('record', '{}');
    const exported = await rig.shark(['export', 'prov', 'p.md']);
    expect(exported.code).toBe(2);
    damaged(exported.stderr, "a result recorded in it");
    const verified = await rig.shark(['verify', 'p.md', '/data/b.txt', '--key', 'k.pub']);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(/^shapes-2: its stored result cannot be read \(a result recorded in it is not of the shape Shark writes\)$/m);
    const checked = await rig.shark(['fsck', 'p.md']);
    expect(checked.code).toBe(1);
    damaged(checked.stderr, 'a value of results.record');
  });

  it("what lineage shows, and a result's meta", async () => {
    edit('shown', '[1,2]');
    const lineage = await rig.shark(['lineage', 'p.md', '/data/b.txt']);
    expect(lineage.code).toBe(2);
    damaged(lineage.stderr, 'a result recorded in it');
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(1);
    edit('shown', null as unknown as string);
    edit('meta', '[]');
    const why = await rig.shark(['why', '_shark/b.txt']);
    expect(why.code).toBe(2);
    damaged(why.stderr, "a result's meta recorded in it");
  });
});
