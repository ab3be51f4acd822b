import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * An empty PATH (`shark why ''`, a variable that expanded to nothing) is a
 * usage error that says so, not `shark: error: : no such file or directory`.
 */
describe('why and diff of an empty path', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-why-empty-');
    rig.write('p.md', '```shark-run\necho 1 > /data/x.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('why says the path is empty, exit 2', async () => {
    const ran = await rig.shark(['why', '']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: the path is empty: name a file or directory on disk\n');
  });

  it('diff of an empty OLD says so too, exit 2', async () => {
    const ran = await rig.shark(['diff', 'p.md', '', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: the path is empty: name a file or directory on disk\n');
  });
});
