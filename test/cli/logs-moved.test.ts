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

/** A sweep's map, its heading renamed since the run: a job is named by its whole id, instance and item, as `logs` heads it. */
describe('shark logs of a renamed sweep\'s map job', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('in/A/x.txt', '1\n');
    rig.write('in/B/y.txt', '2\n');
    const doc = (heading: string): string => `---\nT: [A, B]\n---\n\n## Get\n\n${fence}shark-import\nfile:in/ /data/in/\n${fence}\n\n## ${heading}\n\n${fence}shark-run\necho hello; awk '{print $1*2}' /data/in/%{T}/*.txt > /data/out/%{T}/+\n${fence}\n`;
    rig.write('p.md', doc('Double'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', doc('Twice'));
  });
  afterAll(() => rig.cleanup());

  it('finds the job by the id its instance\'s logs print (it matched nothing)', async () => {
    const instance = await rig.shark(['logs', 'p.md', 'twice[T=A]']);
    expect(instance.stdout).toMatch(/^==> twice\[T=A\]\[x\.txt\] \(ok, line 14; run 1 ran it as double\[T=A\]\[x\.txt\], line 14\) \S+\nhello\n$/);
    const job = await rig.shark(['logs', 'p.md', 'twice[T=A][x.txt]']);
    expect([job.code, job.stderr, job.stdout]).toEqual([0, '', instance.stdout]);
  });
});
