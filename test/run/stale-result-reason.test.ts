import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { objectWith } from '../support/objects.js';
import { Rig } from '../support/rig.js';

const PIPELINE = `# Two steps

\`\`\`shark-run
echo hello > /data/a.txt
\`\`\`

\`\`\`shark-run
mkdir -p /data/d && echo inner > /data/d/x.txt && cat /data/a.txt > /data/d/y.txt
\`\`\`
`;

describe('a recorded result whose data is not all in the store', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('is said to have been changed in the store when an object was rewritten in place, also inside a directory', async () => {
    for (const text of ['hello\n', 'inner\n']) {
      const file = objectWith(rig, text);
      chmodSync(file, 0o644);
      writeFileSync(file, 'tampered\n');
    }
    const plan = await rig.shark(['plan', 'p.md', '--json']);
    const reasons = JSON.parse(plan.stdout).jobs.map((j: { reasons: string[] }) => j.reasons[0]);
    expect(reasons[0]).toBe("the previous result's data was changed in the store since it was stored (`shark fsck` says which file)");
    // The second step is blocked behind the first; once that is cached again, its own damaged directory is said.
    expect((await rig.shark(['run', 'p.md', 'two-steps'])).code).toBe(0);
    const again = JSON.parse((await rig.shark(['plan', 'p.md', '--json'])).stdout).jobs[1].reasons[0];
    expect(again).toBe("the previous result's data was changed in the store since it was stored (`shark fsck` says which file)");
  });

  it('is said to be no longer in the store when an object was removed', async () => {
    rmSync(objectWith(rig, 'hello\n'));
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stdout).toMatch(/two-steps +p\.md:4 +the previous result's data is no longer in the store\n/);
  });
});
