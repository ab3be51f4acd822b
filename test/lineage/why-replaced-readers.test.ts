import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A map over host inputs: each job records the file it read. */
const MAP = `---
inputs:
  regions: /data/inputs/regions/
---

# Count

\`\`\`shark-run:host
wc -l < /data/inputs/regions/* > /data/counts/+
\`\`\`
`;

interface Answer { readBy: { job: string; run: number; entry?: string }[] }

describe('shark why of a file whose reader was replaced by a later run', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-why-replaced-');
    rig.write('p.md', MAP);
    rig.write('regions/r1.txt', 'a 1\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'regions=regions'])).code).toBe(0);
    // The same key run again: run 1's result is replaced, and kept only in the result history.
    expect((await rig.shark(['run', 'p.md', '-i', 'regions=regions', '--force', 'count'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('names the same readers of the bytes alone as inside their directory', async () => {
    const alone = JSON.parse((await rig.shark(['why', 'regions/r1.txt', '--json'])).stdout) as { files: Answer[] };
    expect(alone.files[0]!.readBy.map((r) => [r.job, r.run])).toEqual([['count[r1.txt]', 1], ['count[r1.txt]', 2]]);
    const inside = JSON.parse((await rig.shark(['why', 'regions', '--json'])).stdout) as { files: Answer[] };
    expect(inside.files[0]!.readBy.filter((r) => r.entry === 'r1.txt').map((r) => [r.job, r.run])).toEqual([['count[r1.txt]', 1], ['count[r1.txt]', 2]]);
  });
});
