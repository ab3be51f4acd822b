import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const one = `${fence}shark-run\necho one-said; echo one > /data/one.txt\n${fence}\n`;
const zero = `${fence}shark-run\necho zero-said; echo zero > /data/zero.txt\n${fence}\n`;

/**
 * Block ids are numbered in their section (format.md): a block inserted
 * above another takes its id. `logs FILE BLOCK` names the block as the
 * document has it now, as `plan` does (`cached step-2`).
 */
describe('shark logs after an inserted block renumbered the ids', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', `## Step\n\n${one}`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', `## Step\n\n${zero}\n${one}`);
  });
  afterAll(() => rig.cleanup());

  it('shows the log of the block now called step-2, saying what the run called it', async () => {
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stdout).toMatch(/^cached +step-2 /m);
    const logs = await rig.shark(['logs', 'p.md', 'step-2']);
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^==> step-2 \(ok, line 8; run 1 ran it as step, line 4\) \S+\n/);
    expect(logs.stdout).toContain('one-said');
  });

  it('does not show another block\'s log under the new block\'s id, and says what the id named in that run', async () => {
    const logs = await rig.shark(['logs', 'p.md', 'step']);
    expect(logs.code).toBe(1);
    expect(logs.stdout).toBe('');
    expect(logs.stderr).toBe('shark: block `step` has no job in run 1: run 1\'s `step` was another block, now `step-2` (line 8)\n');
  });
});
