import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const doc = (other: string): string =>
  `---\ninputs:\n  in: /data/in/\n---\n\n## Map\n\n${fence}shark-run\ncp /data/in/* /data/out/+\n${fence}\n\n## Other\n\n${fence}shark-run\n${other}\n${fence}\n`;

/**
 * A map's item output (`/data/out/+`) and another step's output of the same
 * file (`/data/out/a.txt`, `a.txt` an item): two writers of one path, which
 * `check` cannot see (items are data) but `plan` can once the items are known.
 */
describe('a map item written by another step too', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-item-writers-');
    for (const s of ['a.txt', 'b.txt']) rig.write(`in/${s}`, `${s}\n`);
  });
  afterEach(() => rig.cleanup());

  it('is refused by plan at the later writer, naming the item and the other place, exit 2', async () => {
    rig.write('p.md', doc('echo hi > /data/out/a.txt'));
    const plan = await rig.shark(['plan', 'p.md', '-i', 'in=in']);
    expect([plan.code, plan.stdout]).toEqual([2, '']);
    expect(plan.stderr).toBe([
      'p.md:15:11: error: `/data/out/a.txt` is written by two steps: `map` (its item `a.txt`, as /data/out/+) and `other` (each path has one writer)',
      '   15 | echo hi > /data/out/a.txt',
      '      |           ^',
      'p.md:9:15: note: map `map` writes its item `a.txt` here',
      '1 error in p.md',
      '',
    ].join('\n'));
  });

  it('fails the map in run, before any of its jobs runs, with the same message, exit 1', async () => {
    rig.write('p.md', doc('echo hi > /data/out/a.txt'));
    const run = await rig.shark(['run', 'p.md', '-i', 'in=in']);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('`/data/out/a.txt` is written by two steps: `map` (its item `a.txt`, as /data/out/+) and `other`');
    expect(run.stdout + run.stderr).not.toMatch(/done +map/);
    expect(rig.exists('_shark/out')).toBe(false);
  });

  it('is no clash when no item has the name, or the map writes another extension', async () => {
    rig.write('p.md', doc('echo hi > /data/out/c.txt'));
    expect((await rig.shark(['plan', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('p.md', doc('echo hi > /data/out/a.txt').replace('/data/out/+', '/data/out/+.csv'));
    expect((await rig.shark(['plan', 'p.md', '-i', 'in=in'])).code).toBe(0);
  });
});
