import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `lineage` reads a level of jobs at a time and finds the producers of all
 * their inputs in a few statements: each input must still get its own
 * writers, whichever way they are found (the path itself, the directory it
 * is in, what is inside it) and however many other inputs share the batch.
 */
const PIPELINE = `---
inputs:
  x: /data/x.txt
  items: /data/items/
---
# Producers

## A

\`\`\`shark-run
cat /data/x.txt > /data/a.txt
\`\`\`

## B

\`\`\`shark-run
cat /data/a.txt /data/x.txt > /data/b.txt
\`\`\`

## M

\`\`\`shark-run
cat /data/items/* /data/a.txt > /data/m/+
\`\`\`

## T

\`\`\`shark-run
mkdir -p /data/tree/sub && cat /data/b.txt > /data/tree/sub/f.txt && cat /data/a.txt > /data/tree/g.txt
\`\`\`

## C

\`\`\`shark-run
ls /data/m/ | cat /data/a.txt /data/b.txt /data/tree/sub/f.txt - > /data/c.txt
\`\`\`

## D

\`\`\`shark-run
ls /data/tree/ | cat /data/c.txt /data/a.txt /data/m/y.txt - > /data/d.txt
\`\`\`
`;

type Node = { job: string; inputs: { path: string; from: Node[]; truncated?: true }[] };

/** Each input of a node with the jobs that produced it (once each, in name order: a map's finish in any order), and whether it was followed. */
function producers(n: Node): Record<string, string[]> {
  return Object.fromEntries(n.inputs.map((i) => [i.path, [...new Set(i.from.map((f) => f.job))].sort().concat(i.truncated ? ['(not followed)'] : [])]));
}

function child(n: Node, path: string, job: string): Node {
  const found = n.inputs.find((i) => i.path === path)?.from.find((f) => f.job === job);
  if (found === undefined) throw new Error(`no ${job} behind ${path} of ${n.job}`);
  return found;
}

describe('shark lineage: producers of every input of a level', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-');
    rig.write('p.md', PIPELINE);
    rig.write('x.txt', 'x\n');
    rig.write('items/x.txt', 'one\n');
    rig.write('items/y.txt', 'two\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'x=x.txt', '-i', 'items=items'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('finds each input its own writers: the path, its directory, or what is inside it', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/d.txt', '--json']);
    expect(ran.code).toBe(0);
    const d = JSON.parse(ran.stdout) as Node;
    expect(d.job).toBe('d');
    expect(producers(d)).toEqual({ '/data/a.txt': ['a'], '/data/c.txt': ['c'], '/data/m/y.txt': ['m[y.txt]'], '/data/tree': ['t'] });
    const c = child(d, '/data/c.txt', 'c');
    expect(producers(c)).toEqual({ '/data/a.txt': ['a'], '/data/b.txt': ['b'], '/data/m': ['m[x.txt]', 'm[y.txt]'], '/data/tree/sub/f.txt': ['t'] });
    expect(producers(child(c, '/data/m', 'm[y.txt]'))).toEqual({ '/data/a.txt': ['a'], '/data/items/y.txt': [] });
    expect(producers(child(c, '/data/b.txt', 'b'))).toEqual({ '/data/a.txt': ['a'], '/data/x.txt': [] });
    expect(producers(child(c, '/data/a.txt', 'a'))).toEqual({ '/data/x.txt': [] });
  });

  it('below --depth, marks only the inputs that have producers as not followed', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/d.txt', '--json', '--depth', '1']);
    expect(ran.code).toBe(0);
    const d = JSON.parse(ran.stdout) as Node;
    const c = child(d, '/data/c.txt', 'c');
    expect(producers(c)).toEqual({
      '/data/a.txt': ['(not followed)'], '/data/b.txt': ['(not followed)'], '/data/m': ['(not followed)'], '/data/tree/sub/f.txt': ['(not followed)'],
    });
    expect(producers(child(d, '/data/m/y.txt', 'm[y.txt]'))).toEqual({ '/data/a.txt': ['(not followed)'], '/data/items/y.txt': [] });
    expect(producers(child(d, '/data/a.txt', 'a'))).toEqual({ '/data/x.txt': [] });
  });
});
