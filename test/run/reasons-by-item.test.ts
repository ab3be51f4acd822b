import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const doc = (map: string): string => `---\ninputs:\n  in: /data/in/\n---\n\n## Map\n\n${fence}shark-run\n${map}\n${fence}\n`;

/**
 * A job's identity is its outputs as written: renaming them (`+.txt` → `+`)
 * makes a new one. `plan` still compares each item's job with that item's
 * last attempt in its own document, so it says what changed.
 */
describe('plan\'s reasons when a step\'s outputs are renamed', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-reasons-by-item-');
    for (const s of ['a', 'b']) rig.write(`in/${s}`, `${s}\n`);
  });
  afterEach(() => rig.cleanup());

  it('names what changed for the items that ran before, not "new item"', async () => {
    rig.write('p.md', doc('cat /data/in/* > /data/out/+.txt'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    const text = await rig.shark(['plan', 'p.md', '-i', 'in=in']);
    expect(text.stdout).toContain('2 jobs — 0 cached, 2 to run (command text changed)');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => j.reasons)).toEqual([
      ['command text changed', 'outputs changed'], ['command text changed', 'outputs changed'],
    ]);
  });

  it('still says "new item" for an item that never ran, and for every item of a document that never ran', async () => {
    rig.write('p.md', doc('cat /data/in/* > /data/out/+.txt'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    rig.write('in/c', 'c\n');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => [j.item, j.reasons[0]])).toEqual([
      ['a', 'command text changed'], ['b', 'command text changed'], ['c', 'no previous result (new item)'],
    ]);
    rig.write('q.md', doc('cat /data/in/* > /data/out/+'));
    expect((await rig.plan('q.md', '-i', 'in=in')).jobs.map((j) => j.reasons[0])).toEqual(['no previous result (new item)', 'no previous result (new item)', 'no previous result (new item)']);
  });
});
