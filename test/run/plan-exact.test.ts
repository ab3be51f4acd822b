import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A local directory imported, then mapped over: plan should see the new item before anything runs. */
const PIPELINE = `# exact

\`\`\`shark-import
file:species/ /data/species/
\`\`\`

\`\`\`shark-run
wc -c < /data/species/* > /data/sizes/+
\`\`\`

\`\`\`shark-run
find /data/sizes/ -type f | wc -l > /data/count.txt
\`\`\`
`;

describe('plan is exact before anything runs', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('lists the map jobs of a changed local import item by item instead of blocked', async () => {
    for (const s of ['robin', 'wren', 'kite']) rig.write(`species/${s}.txt`, `${s}\n`);
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('species/heron.txt', 'heron\n');
    const plan = await rig.plan('p.md');
    const map = plan.jobs.filter((j) => j.step === 'exact-2');
    expect(map.map((j) => [j.job, j.status])).toEqual([
      ['exact-2[heron.txt]', 'run'], ['exact-2[kite.txt]', 'cached'], ['exact-2[robin.txt]', 'cached'], ['exact-2[wren.txt]', 'cached'],
    ]);
    expect(map[0]!.reasons).toEqual(['no previous result (new item)']);
    expect(plan.summary.blocked).toBe(1);
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout).toMatch(/exact-2 +p\.md:8 +4 jobs — 3 cached, 1 to run \(new item\)/);
    // And the run agrees with the plan.
    const ran = await rig.shark(['run', 'p.md', '--json']);
    const done = ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; job?: string }).filter((e) => e.type === 'job-done').map((e) => e.job);
    expect(done.sort()).toEqual(['exact', 'exact-2[heron.txt]', 'exact-3']);
  });
});
