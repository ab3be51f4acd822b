import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A reduce that reads a directory of host inputs whole, not file by file. */
const REDUCE = `---
inputs:
  regions: /data/inputs/regions/
---

# Reduce

\`\`\`shark-run:host
cd /data/inputs/regions/ && cat * | wc -l > /data/total.txt
\`\`\`
`;

interface Answer { path: string; produced: unknown[]; readBy: { job: string; path: string; run: number; entry?: string }[]; notProduced?: string[] }

describe('shark why of files inside a directory a job read whole', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-why-inside-');
    rig.write('p.md', REDUCE);
    rig.write('regions/r1.txt', 'a 1\n');
    rig.write('regions/deep/r2.txt', 'b 2\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'regions=regions'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('names the job that read the directory as a reader of each file in it, at its path there', async () => {
    const ran = await rig.shark(['why', 'regions/r1.txt', 'regions/deep/r2.txt']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/^regions\/r1\.txt .*\n {2}not produced by Shark.*\n {2}read by reduce \(as \/data\/inputs\/regions\/r1\.txt\) in run 1 of p\.md$/m);
    expect(ran.stdout).toMatch(/^ {2}read by reduce \(as \/data\/inputs\/regions\/deep\/r2\.txt\) in run 1 of p\.md$/m);
    const json = JSON.parse((await rig.shark(['why', 'regions/r1.txt', '--json'])).stdout) as { files: Answer[] };
    expect(json.files.map((f) => Object.keys(f))).toEqual([['path', 'id', 'produced', 'readBy']]);
    expect(json.files[0]!.readBy.map((r) => [r.job, r.path, r.run])).toEqual([['reduce', '/data/inputs/regions/r1.txt', 1]]);
  });

  it('names it for each entry of the directory too, besides the directory itself', async () => {
    const json = JSON.parse((await rig.shark(['why', 'regions', '--json'])).stdout) as { files: Answer[] };
    const [answer] = json.files;
    expect(answer!.notProduced).toEqual(['deep/r2.txt', 'r1.txt']);
    expect(answer!.readBy.map((r) => [r.entry ?? null, r.path])).toEqual([
      [null, '/data/inputs/regions'],
      ['deep/r2.txt', '/data/inputs/regions/deep/r2.txt'],
      ['r1.txt', '/data/inputs/regions/r1.txt'],
    ]);
  });

  it('leaves the store out of a directory it walks', async () => {
    const ran = await rig.shark(['why', '.', '--json']);
    expect(ran.code).toBe(1);
    const [answer] = (JSON.parse(ran.stdout) as { files: (Answer & { produced: { entry: string }[] })[] }).files;
    const named = [...answer!.notProduced!, ...answer!.produced.map((m) => m.entry)];
    expect(named.filter((e) => e.startsWith('.shark'))).toEqual([]);
    expect(named).toContain('regions/r1.txt');
    expect(named).toContain('p.md');
    const text = await rig.shark(['why', '.']);
    expect(text.stdout).not.toMatch(/\.shark\//);
  });
});
