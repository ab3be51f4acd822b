import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

const fence = '```';
const model = (who: string): string => `# Model\n\n${fence}shark-run {precious}\necho model-of-${who} > /data/model.txt\n${fence}\n`;

/**
 * A `{precious}` block keeps its own result: one made (or used) by a run of
 * its document, never another document's bytes at the same /data path.
 */
describe('a {precious} block and another document writing the same /data path', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('a document sharing the store that never ran its block runs it, and gets its own bytes', async () => {
    rig.write('x/p.md', model('X'));
    rig.write('y/p.md', model('Y'));
    expect((await rig.shark(['run', 'y/p.md', '--store', 'S'])).code).toBe(0);
    expect(toRun(await rig.plan('x/p.md', '--store', 'S'))).toEqual(['model']);
    const ran = await rig.shark(['run', 'x/p.md', '--store', 'S']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/ok: 1 run, 0 cached/);
    const lineage = await rig.shark(['lineage', 'x/p.md', '/data/model.txt', '--store', 'S']);
    expect(lineage.stdout).toContain('echo model-of-X');
    expect(lineage.stdout).not.toContain('model-of-Y');
  });

  it('two documents in one directory: a precious block whose command changed keeps its own result, not the other\'s newer one', async () => {
    rig.write('a.md', `# A\n\n${fence}shark-run\necho from-A > /data/x.txt\n${fence}\n`);
    const b = `# B\n\n${fence}shark-run {precious}\necho from-B > /data/x.txt\n${fence}\n\n${fence}shark-publish:outB\n/data/x.txt\n${fence}\n`;
    rig.write('b.md', b);
    expect((await rig.shark(['run', 'b.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'a.md'])).code).toBe(0);
    rig.write('b.md', b.replace('from-B', 'from-B2'));
    const ran = await rig.shark(['run', 'b.md']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/0 run, 1 cached/);
    expect(rig.read('outB/x.txt')).toBe('from-B\n');
  });

  it('keeps its own result when another document then computes the edited command: that result is not its own (it replaced it silently)', async () => {
    const p = `# P\n\n${fence}shark-run {precious}\necho one > /data/slow.txt\n${fence}\n\n${fence}shark-publish:out-p\n/data/slow.txt\n${fence}\n`;
    rig.write('p.md', p);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', p.replace('echo one', 'echo two'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('out-p/slow.txt')).toBe('one\n');
    rig.write('q.md', p.replace('echo one', 'echo two').replace('out-p', 'out-q'));
    expect((await rig.shark(['run', 'q.md'])).code).toBe(0);
    expect(rig.read('out-q/slow.txt')).toBe('two\n');
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stdout).toMatch(/^cached +p +p\.md:\d+ +kept \(precious\): command/m);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('out-p/slow.txt')).toBe('one\n');
    // --force makes the edited command's result its own: from then on it is cached, not kept.
    expect((await rig.shark(['run', 'p.md', '--force', 'p'])).code).toBe(0);
    expect(rig.read('out-p/slow.txt')).toBe('two\n');
    expect((await rig.shark(['plan', 'p.md'])).stdout).toMatch(/^cached +p +p\.md:\d+\s*$/m);
  });
});
