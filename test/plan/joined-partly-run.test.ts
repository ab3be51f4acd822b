import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** Two maps over the same items, a map over those items joining both maps' outputs by name, and one joining its. */
const JOIN = `---
inputs:
  n: /data/n/
---
# Join

\`\`\`shark-run {id=cur}
cat /data/n/* > /data/cur/+
\`\`\`

\`\`\`shark-run {id=res}
rev /data/n/* > /data/res/+
\`\`\`

\`\`\`shark-run {id=both}
echo "$(cat /data/n/*)" >> counter; paste /data/n/* /data/cur/+ /data/res/+ > /data/both/+
\`\`\`

\`\`\`shark-run {id=next}
cat /data/n/* /data/both/+ > /data/next/+
\`\`\`
`;

describe('a join behind maps of which one job will run again', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('is blocked for that item alone, as run runs that one job and finds the others cached', async () => {
    rig.write('j.md', JOIN);
    for (const i of ['a', 'b', 'c', 'd', 'e']) rig.write(`in/${i}.txt`, `${i}\n`);
    const first = await rig.shark(['run', 'j.md', '-i', 'n=in']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(rig.count()).toBe(5);
    rig.write('in/c.txt', 'changed\n');
    const plan = await rig.plan('j.md', '-i', 'n=in');
    expect(plan.jobs.filter((j) => j.step === 'both').map((j) => [j.job, j.status, j.reasons])).toEqual([
      ['both[a.txt]', 'cached', []],
      ['both[b.txt]', 'cached', []],
      ['both[c.txt]', 'blocked', ['upstream will run (cur)']],
      ['both[d.txt]', 'cached', []],
      ['both[e.txt]', 'cached', []],
    ]);
    // And behind that join, in turn, only the item's job waits.
    expect(plan.jobs.filter((j) => j.status === 'blocked').map((j) => j.job)).toEqual(['both[c.txt]', 'next[c.txt]']);
    expect(plan.summary).toEqual({ cached: 16, run: 2, blocked: 2 });
    const ran = await rig.shark(['run', 'j.md', '-i', 'n=in']);
    expect(ran.stdout).toMatch(/^ok: 4 run, 16 cached/m);
    expect(rig.lines().slice(5)).toEqual(['changed']);
  });

  it('over a map\'s own directory: the item the map makes again is a blocked job in its place, the others cached', async () => {
    rig.write('j.md', JOIN.replace('echo "$(cat /data/n/*)" >> counter; paste /data/n/* /data/cur/+ /data/res/+', 'paste /data/cur/* /data/res/+'));
    for (const i of ['a', 'b', 'c']) rig.write(`in/${i}.txt`, `${i}\n`);
    const first = await rig.shark(['run', 'j.md', '-i', 'n=in']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    rig.write('in/b.txt', 'changed\n');
    const plan = await rig.plan('j.md', '-i', 'n=in');
    expect(plan.jobs.filter((j) => j.step !== 'cur' && j.step !== 'res').map((j) => [j.job, j.status])).toEqual([
      ['both[a.txt]', 'cached'], ['both[b.txt]', 'blocked'], ['both[c.txt]', 'cached'],
      ['next[a.txt]', 'cached'], ['next[b.txt]', 'blocked'], ['next[c.txt]', 'cached'],
    ]);
    const text = await rig.shark(['plan', 'j.md', '-i', 'n=in']);
    expect(text.stdout.split('\n').at(-2)).toBe('12 jobs: 8 cached, 2 to run, 2 blocked');
    const ran = await rig.shark(['run', 'j.md', '-i', 'n=in']);
    expect(ran.stdout).toMatch(/^ok: 4 run, 8 cached/m);
  });
});
