import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { Rig } from '../support/rig.js';

const fence = '```';

/** A local import, a map over it writing one directory, and a publish of that directory. */
const PIPELINE = `# P

${fence}shark-import
in/ /data/in/
${fence}

${fence}shark-run
awk '{ print $1 * 10 }' /data/in/*.txt > /data/out/+
${fence}

${fence}shark-publish
/data/out/
${fence}
`;

/**
 * `diff FILE OLD_DIR NEW_DIR` of a map's directory, published then copied:
 * the same answer as `diff FILE /data/out/` across the runs that made the
 * two, though an entry's bytes were also made elsewhere (the import brought
 * in a file holding what an old item wrote).
 */
describe('shark diff of two copies of a map directory on disk', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '2\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    cpSync(rig.path('_shark/out'), rig.path('old'), { recursive: true });
  }, 30_000);
  afterEach(() => rig.cleanup());

  const diffOf = async (): Promise<{ byPath: string; onDisk: string }> => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const byPath = await rig.shark(['diff', 'p.md', '/data/out/']);
    const onDisk = await rig.shark(['diff', 'p.md', 'old', '_shark/out']);
    expect([byPath.code, onDisk.code, onDisk.stderr]).toEqual([1, 1, '']);
    return { byPath: byPath.stdout, onDisk: onDisk.stdout };
  };

  it('names the runs that made each and the import as the root cause, when the new input holds an old output\'s bytes', async () => {
    // Old b.txt is `20`: the bytes of the new in/b.txt, which the import made in run 2.
    rig.write('in/b.txt', '20\n');
    const { byPath, onDisk } = await diffOf();
    expect(onDisk.split('\n')[0]).toMatch(/^\/data\/out in run 1 \([0-9a-f]{8}…\) → \/data\/out in run 2 \([0-9a-f]{8}…\)$/);
    expect(onDisk.split('\n').slice(1, 4).map((l) => l.split(/\s{2,}/).slice(0, 2).join(' | '))).toEqual(['root cause | p', 'propagated | p-2[b.txt]', 'same | p-2[a.txt]']);
    expect(onDisk).toBe(byPath);
  });

  it("names run 1 for the old copy when run 2 made one of its entries again with the same bytes (the command changed)", async () => {
    // a.txt is made again by run 2 (`| cat`), with the bytes it had; b.txt changes. The old copy is run 1's directory.
    rig.write('in/b.txt', '7\n');
    rig.write('p.md', PIPELINE.replace("> /data/out/+", "| cat > /data/out/+"));
    const { byPath, onDisk } = await diffOf();
    expect(onDisk.split('\n')[0]).toMatch(/^\/data\/out in run 1 \([0-9a-f]{8}…\) → \/data\/out in run 2 /);
    expect(onDisk).toMatch(/^root cause +p-2\[a\.txt\] .*command text changed/m);
    expect(onDisk).toBe(byPath);
  });

  it('lists the import once, as the root cause, when no bytes are shared', async () => {
    rig.write('in/b.txt', '7\n');
    const { byPath, onDisk } = await diffOf();
    expect(onDisk.trimEnd().split('\n').at(-1)).toBe('3 jobs: 1 root cause, 1 propagated, 1 same');
    expect(onDisk).toBe(byPath);
  });
});

/**
 * `diff FILE TREE_ID TREE_ID` of a map's directory as lineage prints its id:
 * after `gc --delete` freed run 1's directory, its entries are still
 * recorded (freed_trees), so diff answers as before gc, as it does for the
 * same directory on disk.
 */
describe('shark diff of a map directory by its tree id, after gc', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('answers as before gc freed the old directory', async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '2\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/b.txt', '7\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const treeOf = async (run: string): Promise<string> => {
      const lineage = await rig.shark(['lineage', 'p.md', '/data/out', '--run', run, '--json']);
      return (JSON.parse(lineage.stdout) as { inputs: { id: string }[] }).inputs[0]!.id;
    };
    const [old, now] = [await treeOf('1'), await treeOf('2')];
    const before = await rig.shark(['diff', 'p.md', old, now]);
    expect([before.code, before.stderr]).toEqual([1, '']);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    const after = await rig.shark(['diff', 'p.md', old, now]);
    expect([after.code, after.stderr, after.stdout]).toEqual([1, '', before.stdout]);
  }, 30_000);
});
