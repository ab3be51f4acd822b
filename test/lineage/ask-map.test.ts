import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { normalise } from './ask-fixture.js';

const MAP = `---
inputs:
  ranges: /data/ranges/
---
# Species

## Area of habitat

\`\`\`shark-run
wc -c < /data/ranges/* > /data/aoh/+
\`\`\`

## Summary

\`\`\`shark-run
find /data/aoh/ -type f | sort | xargs cat > /data/summary.txt
\`\`\`

## Publish

\`\`\`shark-publish
/data/aoh/
/data/summary.txt
\`\`\`
`;

describe('why and diff over a map', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', MAP);
    rig.write('ranges/a.tif', 'a\n');
    rig.write('ranges/b.tif', 'range of b\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'ranges=ranges'])).code).toBe(0);
    rig.write('ranges/b.tif', 'a longer range of b\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'ranges=ranges'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('finds the map job that made one item of a published directory, and the directory itself', async () => {
    const item = await rig.shark(['why', '_shark/aoh/a.tif', '--json']);
    expect(item.code).toBe(0);
    const made = (JSON.parse(item.stdout) as { files: { produced: { job: string; path: string; run: number }[] }[] }).files[0]!.produced;
    expect(made.map((m) => [m.job, m.path, m.run])).toEqual([['area-of-habitat[a.tif]', '/data/aoh/a.tif', 1]]);
    const dir = await rig.shark(['why', '_shark/aoh', '--json']);
    expect(dir.code).toBe(0);
    const jobs = (JSON.parse(dir.stdout) as { files: { id: string; produced: { job: string; path: string }[] }[] }).files[0]!;
    expect(jobs.id).toMatch(/^tree:/);
    // No job wrote the directory whole: the jobs that made its entries.
    expect(jobs.produced.map((m) => [m.job, m.path])).toEqual([['area-of-habitat[a.tif]', '/data/aoh/a.tif'], ['area-of-habitat[b.tif]', '/data/aoh/b.tif']]);
  });

  it('points a /data path given to why, which reads files on disk, at lineage', async () => {
    const r = await rig.shark(['why', 'p.md', '/data/summary.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('shark: error: /data/summary.txt: no such file or directory (`why` reads files on disk, as published in _shark/; what a document wrote at a /data path: `shark lineage p.md /data/summary.txt`)\n');
  });

  it('quotes the lineage command it points at, so a path holding a space can be pasted', async () => {
    const r = await rig.shark(['why', 'p.md', '/data/aoh/a b.tif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`shark lineage p.md '/data/aoh/a b.tif'`");
  });

  it('a changed host input is the root cause; the item job and the reduce are propagated', async () => {
    const ran = await rig.shark(['diff', 'p.md', '/data/summary.txt']);
    expect(ran.code).toBe(1);
    expectGolden('lineage-queries/diff-host-input.txt', normalise(ran.stdout, rig));
  });

  it('compares two contents of a map\'s directory, by tree id or on disk, by the jobs that made its entries', async () => {
    const summary = JSON.parse((await rig.shark(['diff', 'p.md', '/data/summary.txt', '--json'])).stdout) as { steps: { changes: { field: string; old: string; new: string }[] }[] };
    const aoh = summary.steps.flatMap((s) => s.changes).find((c) => c.field === 'input /data/aoh')!;
    expect(aoh.old).toMatch(/^tree:/);
    const ran = await rig.shark(['diff', 'p.md', aoh.old, aoh.new, '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(1);
    const steps = (JSON.parse(ran.stdout) as { steps: { job: string; class: string }[] }).steps.map((s) => [s.job, s.class]);
    expect(steps).toEqual([['input /data/ranges/b.tif', 'root-cause'], ['area-of-habitat[b.tif]', 'propagated'], ['area-of-habitat[a.tif]', 'same']]);
    const onDisk = await rig.shark(['diff', 'p.md', aoh.old, '_shark/aoh']);
    expect(onDisk.stderr).toBe('');
    expect(onDisk.code).toBe(1);
    expect((await rig.shark(['diff', 'p.md', '_shark/aoh', aoh.new])).code).toBe(0);
  });
});

describe('why of a map directory whose items made equal bytes', () => {
  it('names each entry\'s own job, not every job that made those bytes', async () => {
    const rig = new Rig();
    try {
      for (const n of ['a', 'b', 'c', 'd']) rig.write(`ranges/${n}.tif`, `${n}\n`);
      rig.write('p.md', MAP);
      expect((await rig.shark(['run', 'p.md', '-i', 'ranges=ranges'])).code).toBe(0);
      const dir = await rig.shark(['why', '_shark/aoh', '--json']);
      const made = (JSON.parse(dir.stdout) as { files: { produced: { job: string; entry: string }[] }[] }).files[0]!.produced;
      expect(made.map((m) => [m.entry, m.job])).toEqual(['a', 'b', 'c', 'd'].map((n) => [`${n}.tif`, `area-of-habitat[${n}.tif]`]));
    } finally {
      rig.cleanup();
    }
  });
});

describe('why of bytes written in many places', () => {
  it('names every place, in each directory and below it, once', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', '---\ninputs:\n  ranges: /data/ranges/\n---\n# Copy\n\n```shark-run\nmkdir -p /data/copy && cp -r /data/ranges/. /data/copy/\n```\n');
      for (const path of ['ranges/c.txt', 'ranges/sub/a.txt', 'ranges/sub/b.txt', 'ranges/sub/deeper/d.txt']) rig.write(path, 'the same bytes\n');
      rig.write('ranges/other.txt', 'other bytes\n');
      expect((await rig.shark(['run', 'p.md', '-i', 'ranges=ranges'])).code).toBe(0);
      const why = await rig.shark(['why', 'ranges/c.txt', '--json']);
      expect(why.code).toBe(0);
      const made = (JSON.parse(why.stdout) as { files: { produced: { job: string; path: string }[] }[] }).files[0]!.produced;
      expect(made.map((m) => m.path).sort()).toEqual(['/data/copy/c.txt', '/data/copy/sub/a.txt', '/data/copy/sub/b.txt', '/data/copy/sub/deeper/d.txt']);
    } finally {
      rig.cleanup();
    }
  });
});
