import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A job that colours its output: `shark logs` in a pipe shows its words, not escape codes (as `git log | cat`). */
describe('shark logs of a job that printed colours', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', "# P\n\n```shark-run\nprintf '\\033[31mred\\033[0m \\033]0;title\\007done\\n'; echo 1 > /data/x.txt\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('shows the log without escape sequences when the output is not a terminal', async () => {
    const logs = await rig.shark(['logs', 'p.md', 'p']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\nred done\n$/);
    expect(logs.stdout).not.toContain('\x1b');
  });
});
