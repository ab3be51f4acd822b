import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `gc --delete` frees the data of older runs but keeps their results, so
 * their lineage stays: what `lineage --run`, `diff` and `export prov` say of
 * a run is the same before and after gc freed the trees of the directories
 * it imported. Run 2 adds c.txt: its map jobs of a and b are found cached
 * from run 1, and read the entries of the directory run 2 imported (its
 * tree, which gc frees), not run 1's.
 */
const PIPELINE = `# Freed

\`\`\`shark-import
file:in/ /data/in/
\`\`\`

## Upper

\`\`\`shark-run
tr a-z A-Z < /data/in/*.txt > /data/up/+
\`\`\`

## Sum

\`\`\`shark-run
cd /data/up/ && cat * > /data/sum.txt
\`\`\`
`;

describe('lineage, diff and export of older runs after gc --delete', () => {
  let rig: Rig;
  const before = new Map<string, { stdout: string; stderr: string }>();
  // Each with its exit status: diff's 1 says the runs differ; run 1 had no c.txt.
  const asks: readonly (readonly [args: string, code: number])[] = [
    ['lineage p.md /data/sum.txt --run 2 --json', 0],
    ['lineage p.md /data/sum.txt --run 1 --json', 0],
    ['lineage p.md /data/in/b.txt --run 2 --json', 0],
    ['lineage p.md /data/in/c.txt --run 1', 1],
    ['diff p.md /data/sum.txt --from 1 --to 2', 1],
    ['export prov p.md --run 1', 0],
    ['export prov p.md --run 2', 0],
  ];
  beforeAll(async () => {
    rig = new Rig('shark-lineage-gc-');
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'two\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/c.txt', 'three\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/a.txt', 'one, changed\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    for (const [args, code] of asks) {
      const ran = await rig.shark(args.split(' '));
      expect(ran.code, ran.stderr).toBe(code);
      before.set(args, { stdout: ran.stdout, stderr: ran.stderr });
    }
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.stdout).toMatch(/freed [1-9]\d* objects/);
  });
  afterAll(() => rig.cleanup());

  it('shows the jobs of run 2 as before: its own import wrote the entries its cached jobs read', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/sum.txt', '--run', '2', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const json = JSON.parse(ran.stdout) as Node;
    const imports = new Set<number>();
    const walk = (n: Node): void => {
      if (n.kind === 'import') imports.add(n.run);
      for (const i of n.inputs) for (const f of i.from) walk(f);
    };
    walk(json);
    expect([...imports]).toEqual([2]);
  });

  it.each(asks)('%s says what it said before gc', async (args, code) => {
    const ran = await rig.shark(args.split(' '));
    expect(ran.stdout).toBe(before.get(args)!.stdout);
    expect(ran.stderr).toBe(before.get(args)!.stderr);
    expect(ran.code, ran.stderr).toBe(code);
  });

  it('export prov of run 1 still lists the members of the directory it imported', async () => {
    const prov = await rig.shark(['export', 'prov', 'p.md', '--run', '1']);
    expect(prov.stdout.match(/hadMember/g)?.length).toBeGreaterThanOrEqual(2);
  });
});

interface Node { kind: string; run: number; inputs: { from: Node[] }[] }
