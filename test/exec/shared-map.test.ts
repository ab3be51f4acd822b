import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

const ITEMS = 40;

/** A slow map over 40 items: every job appends its item's name to `counter`, outside /data. */
function pipeline(): string {
  return `# shared map

\`\`\`shark-run {id=items}
mkdir -p /data/items && for i in $(seq 1 ${ITEMS}); do echo $i > /data/items/i$i.txt; done
\`\`\`

\`\`\`shark-run {id=slow}
echo "$(basename /data/items/*)" >> counter; sleep 0.5; cp /data/items/* /data/out/+
\`\`\`

\`\`\`shark-publish
/data/out/
\`\`\`
`;
}

type Event = { type: string; job?: string; step?: string };

const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
const started = (evs: readonly Event[]): string[] => evs.filter((e) => e.type === 'job-start' && e.step === 'slow').map((e) => e.job!);

describe('two runs of one pipeline sharing a store', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('share the jobs of a slow map: each runs the jobs the other has not leased, every job once, both end with all results', async () => {
    rig.write('p.md', pipeline());
    // The items first, so that both runs reach the map at once.
    const first = await rig.shark(['run', 'p.md', 'items']);
    expect(first.code, first.stderr).toBe(0);
    const runs = await Promise.all([1, 2].map(() => rig.shark(['run', 'p.md', '-j', '2', '--json'], { timeoutMs: 120_000 })));
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(r.code, r.stderr).toBe(0);
    }
    const each = runs.map((r) => started(events(r.stdout)));
    // Both runs started jobs of the map (each waited on every job the other leased: 40 and 0), and no job was started by both.
    // Not timed: under a loaded test suite the wall time says little; alone, 40 jobs of half a second at -j 2 take ~10 s, shared ~6.
    expect(each[0]!.length, `jobs started: ${each[0]!.length} and ${each[1]!.length}`).toBeGreaterThan(ITEMS / 4);
    expect(each[1]!.length, `jobs started: ${each[0]!.length} and ${each[1]!.length}`).toBeGreaterThan(ITEMS / 4);
    expect(each[0]!.length + each[1]!.length).toBe(ITEMS);
    // Each job's command ran exactly once in all.
    const lines = rig.lines();
    expect(lines).toHaveLength(ITEMS);
    expect(new Set(lines).size).toBe(ITEMS);
    expect(readdirSync(rig.path('_shark/out'))).toHaveLength(ITEMS);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  }, 150_000);
});
