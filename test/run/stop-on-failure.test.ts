import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A failing step, then three independent ones that each count their start, and an import. */
const PIPELINE = `# Fail

\`\`\`shark-run {id=bad}
sleep 0.3; exit 3
\`\`\`

\`\`\`shark-run {id=one}
echo one >> counter; echo > /data/one.txt
\`\`\`

\`\`\`shark-run {id=two}
echo two >> counter; echo > /data/two.txt
\`\`\`

\`\`\`shark-run {id=three}
echo three >> counter; echo > /data/three.txt
\`\`\`

## Fetch

\`\`\`shark-import
file:f.txt /data/f.txt
\`\`\`
`;

describe('a run that stops at its first failure', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('starts no job waiting for a slot once a job has failed, even one of another step', async () => {
    rig.write('p.md', PIPELINE);
    rig.write('f.txt', 'f\n');
    for (let i = 0; i < 3; i++) {
      rig.write('counter', '');
      const ran = await rig.shark(['run', 'p.md', '-j', '1', '--json']);
      expect(ran.code).toBe(1);
      expect(rig.lines()).toEqual([]);
      const events = ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; job?: string; block?: string });
      expect(events.filter((e) => e.type === 'job-start').map((e) => e.job)).toEqual(['bad']);
      expect(events.filter((e) => e.type === 'job-skipped').map((e) => e.job).sort()).toEqual(['fetch', 'one', 'three', 'two']);
      // As every job event, a skipped one names its block.
      expect(events.filter((e) => e.type === 'job-skipped').map((e) => e.block).sort()).toEqual(['fetch', 'one', 'three', 'two']);
    }
  });

  it('with --keep-going, runs the others', async () => {
    rig.write('p.md', PIPELINE);
    const ran = await rig.shark(['run', 'p.md', '-j', '1', '-k']);
    expect(ran.code).toBe(1);
    expect(rig.lines().sort()).toEqual(['one', 'three', 'two']);
  });
});
