import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** `shark logs FILE BLOCK` on a shark-publish block: it ran, but publishing keeps no log. */
describe('shark logs of a publish block', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', '# P\n\n```shark-run\necho 1 > /data/total.txt\n```\n\n```shark-publish\n/data/total.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('says a publish has no log, not that it did not run', async () => {
    const ran = await rig.shark(['logs', 'p.md', 'p-2']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toBe('shark: `p-2` is a shark-publish block: publishing keeps no log\n');
  });
});
