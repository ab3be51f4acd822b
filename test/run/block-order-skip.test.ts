import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A later command of a block runs after the ones above it, as the block
 * would as a script; skipped behind one that failed, it is said to be
 * skipped for that, not because "an input failed" (it reads nothing of it).
 */
describe('a later command of a block whose earlier command failed', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('is skipped for its block, and for an input when it reads the failed one', async () => {
    rig = new Rig('shark-block-order-');
    rig.write('p.md', '# X\n\n```shark-run\nfalse\necho b > /data/b.txt\n```\n\n```shark-run\necho a > /data/a.txt; exit 1\ncat /data/a.txt > /data/c.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md', '-k']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('skipped (an earlier command of its block failed): x.2');
    expect(ran.stdout).toContain('skipped (an input failed): x-2.2');
  });

  it('a `cd` line to a directory that is not there fails the job for want of it, naming the cd (it was an internal error)', async () => {
    rig = new Rig('shark-cd-missing-');
    rig.write('p.md', '# A\n\n```shark-run\ncd nothere\ncat f.txt > /data/a.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`error: \`cd nothere\`: no directory ${rig.path('nothere')}`);
    expect(ran.stdout).toMatch(/failed: a at p\.md:5:1 \(missing-input\)/);
  });
});
