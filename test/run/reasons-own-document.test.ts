import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * `plan` says why a job runs by comparing it with the last attempt of the
 * same job in its own document: another document sharing the store, whose
 * block writes the same /data path, is not what changed.
 */
describe("plan's reasons and another document writing the same /data path", () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  const a = `---\ninputs:\n  x: /data/x.txt\n---\n# A\n\n${fence}shark-run\ncat /data/x.txt > /data/out.txt\n${fence}\n`;
  const b = `# B\n\n${fence}shark-run\necho B > /data/out.txt\n${fence}\n`;

  it('names the input that changed, not the other document\'s command', async () => {
    rig.write('a.md', a);
    rig.write('b.md', b);
    rig.write('in/x.txt', '1\n');
    expect((await rig.shark(['run', 'a.md', '-i', 'x=in/x.txt'])).code).toBe(0);
    expect((await rig.shark(['run', 'b.md'])).code).toBe(0);
    rig.write('in/x.txt', '2\n');
    const plan = await rig.plan('a.md', '-i', 'x=in/x.txt');
    expect(plan.jobs.map((j) => j.reasons)).toEqual([[expect.stringMatching(/^input \/data\/x\.txt changed \(\w+… → \w+…\)$/)]]);
  });

  it('a document whose job never ran says so, whatever the other document ran', async () => {
    rig.write('a.md', a);
    rig.write('b.md', b);
    rig.write('in/x.txt', '1\n');
    expect((await rig.shark(['run', 'b.md'])).code).toBe(0);
    const plan = await rig.plan('a.md', '-i', 'x=in/x.txt');
    expect(plan.jobs.map((j) => j.reasons)).toEqual([['no previous result']]);
  });
});
