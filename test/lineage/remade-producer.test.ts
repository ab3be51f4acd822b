import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const PIPELINE = '```shark-run {id=make}\necho same > /data/a.txt\n```\n\n```shark-run {id=read}\ncat /data/a.txt > /data/b.txt\n```\n';

describe('a producer forced again to the same bytes, under a reader that stayed cached', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-remade-');
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('is said to have made those bytes again after the reader read them (its time is later than the reader\'s)', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    await new Promise((done) => setTimeout(done, 20));
    expect((await rig.shark(['run', 'p.md', '--force', 'make'])).code).toBe(0);
    const text = (await rig.shark(['lineage', 'p.md', '/data/b.txt'])).stdout;
    expect(text).toMatch(/^ {6}ran \S+ on \S+, shark \S+; made again after read read the same bytes$/m);
    // A program reading the JSON is told too: the reader's input says its bytes were made again after it read them.
    const json = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--json'])).stdout) as { inputs: { path: string; madeAgainAfterRead?: true }[] };
    expect(json.inputs).toEqual([expect.objectContaining({ path: '/data/a.txt', madeAgainAfterRead: true })]);
    // The first run's lineage: made before it was read, nothing said.
    expect((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--run', '1'])).stdout).not.toContain('made again');
    const first = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--run', '1', '--json'])).stdout) as { inputs: { madeAgainAfterRead?: true }[] };
    expect(first.inputs[0]!.madeAgainAfterRead).toBeUndefined();
  });
});
