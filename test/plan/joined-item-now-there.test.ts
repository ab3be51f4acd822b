import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const JOIN = `---
inputs:
  cur: /data/cur/
  fut: /data/fut/
---
# Join

\`\`\`shark-run
paste /data/cur/*.txt /data/fut/+ > /data/joined/+
\`\`\`
`;

describe('a joined item that was missing when its job last failed, and is there now', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('is named as missing before, not as a cut-off content id (`missing…`)', async () => {
    rig.write('j.md', JOIN);
    rig.write('cur/a.txt', 'a now\n');
    rig.write('cur/b.txt', 'b now\n');
    rig.write('fut/a.txt', 'a later\n');
    const args = ['-i', 'cur=cur', '-i', 'fut=fut'];
    const ran = await rig.shark(['run', 'j.md', ...args, '-k']);
    expect(ran.code, ran.stderr).toBe(1);
    rig.write('fut/b.txt', 'b later\n');
    const plan = await rig.plan('j.md', ...args);
    const reasons = plan.jobs.find((j) => j.job === 'join[b.txt]')!.reasons;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^input \/data\/fut\/b\.txt changed \(missing → [0-9a-f]{8}…\)$/);
  });
});
