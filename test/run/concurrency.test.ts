import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

/** A map over 24 items, a reduce, and a publish: every execution appends its name to `counter`. */
function pipeline(): string {
  return `# concurrent

\`\`\`shark-run
mkdir -p /data/items && for i in $(seq 1 24); do echo $i > /data/items/i$i.txt; done; echo items >> counter
\`\`\`

\`\`\`shark-run
sleep 0.05; echo "map $(basename /data/items/*)" >> counter; cat /data/items/* /data/items/* > /data/doubled/+
\`\`\`

\`\`\`shark-run
find /data/doubled/ -type f -exec cat {} + | sort -n > /data/all.txt; echo reduce >> counter
\`\`\`

\`\`\`shark-publish
/data/doubled/
/data/all.txt
\`\`\`
`;
}

describe('concurrent runs on one store', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('executes every job exactly once when 4 runs of one pipeline start together, and all succeed', async () => {
    rig.write('p.md', pipeline());
    const runs = await Promise.all([1, 2, 3, 4].map(() => rig.shark(['run', 'p.md', '-j', '3'], { timeoutMs: 120_000 })));
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(r.code, r.stderr).toBe(0);
    }
    const lines = rig.lines();
    // 1 + 24 + 1 jobs, each counted by its own command.
    expect(lines).toHaveLength(26);
    expect(new Set(lines).size).toBe(26);
    expect(rig.read('_shark/all.txt').split('\n').filter(Boolean)).toHaveLength(48);
    expect(readdirSync(rig.path('_shark/doubled'))).toHaveLength(24);
    // Nothing half-published is left beside the results.
    expect(readdirSync(rig.path('_shark')).sort()).toEqual(['all.txt', 'doubled']);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    // No run is left looking as if it were still going.
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
  });
});
