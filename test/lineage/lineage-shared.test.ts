import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A job several others read is shown whole once in the text lineage: an
 * import under each item of a map was printed again under every one
 * (5,000 times for a reduce over 5,000 items), and a diamond's shared step
 * twice. A map's items are listed by name, not in the order they ended.
 */
const PIPELINE = `\`\`\`shark-import
in/ /data/in/
\`\`\`

\`\`\`shark-run
sort /data/in/*.txt > /data/out/+
\`\`\`

\`\`\`shark-run
cat /data/out/i1.txt /data/out/i2.txt > /data/d1.txt
\`\`\`

\`\`\`shark-run
cat /data/d1.txt /data/out/i1.txt > /data/top.txt
\`\`\`

\`\`\`shark-run
cd /data/out/ && cat i3.txt i2.txt i1.txt > /data/all.txt
\`\`\`
`;

describe('shark lineage of a job read by several', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-shared-');
    rig.write('p.md', PIPELINE);
    for (const i of [3, 1, 2]) rig.write(`in/i${i}.txt`, `${i}\n`);
    expect((await rig.shark(['run', 'p.md', '-j', '2'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('shows a shared job whole once, then names it as shown above', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/top.txt']);
    expect(ran.code).toBe(0);
    const lines = ran.stdout.split('\n');
    expect(lines.filter((l) => /^\s*import {2}\(p\.md:2:1, import\)$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^\s*import {2}\(p\.md:2:1, import\) {2}\(shown above\)$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^\s*run\[i1\.txt\] {2}\(p\.md:6:1, host:linux\/x64\)$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('run[i1.txt]') && l.endsWith('(shown above)'))).toHaveLength(1);
    // Once whole: its command and source are printed once.
    expect(lines.filter((l) => l.includes('source: path=in/'))).toHaveLength(1);
  });

  it("lists a map's jobs by name under a directory they wrote", async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/all.txt']);
    expect(ran.code).toBe(0);
    const items = ran.stdout.split('\n').filter((l) => /^\s*run\[i\d\.txt\] /.test(l)).map((l) => l.trim().split(' ')[0]);
    expect(items).toEqual(['run[i1.txt]', 'run[i2.txt]', 'run[i3.txt]']);
    // The JSON keeps every node whole, for machines.
    const json = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/all.txt', '--json'])).stdout) as { inputs: { from: { job: string; inputs: { from: { kind: string }[] }[] }[] }[] };
    const from = json.inputs[0]!.from;
    expect(from.map((f) => f.job)).toEqual(['run[i1.txt]', 'run[i2.txt]', 'run[i3.txt]']);
    expect(from.every((f) => f.inputs[0]!.from[0]!.kind === 'import')).toBe(true);
  });
});

describe('shark lineage of a directory one job wrote file by file', () => {
  it('shows the one job that wrote it file by file once, as the answer', async () => {
    const rig = new Rig('shark-lineage-one-writer-');
    try {
      rig.write('p.md', '# X\n\n```shark-run\necho a > /data/d/a.txt; echo b > /data/d/b.txt\n```\n');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      const text = await rig.shark(['lineage', 'p.md', '/data/d']);
      // The one job is the answer itself, as for a file it wrote: no group of "2 jobs", no repeat.
      expect(text.stdout.split('\n')[0]).toBe('x  (p.md:4:1, host:linux/x64)');
      expect(text.stdout).not.toContain('jobs wrote');
      expect(text.stdout).not.toContain('(shown above)');
      const json = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/d', '--json'])).stdout) as { job: string; kind: string };
      expect([json.job, json.kind]).toEqual(['x', 'run']);
    } finally {
      rig.cleanup();
    }
  });
});
