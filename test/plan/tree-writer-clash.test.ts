import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A directory imported whole, and a file imported into it by the name the directory holds too. */
const DOC = '# Ov\n\n```shark-import\nov/ /data/ov/\nextra.txt /data/ov/x.txt\n```\n\n```shark-run {id=use}\ncat /data/ov/x.txt > /data/o.txt\n```\n';

describe('a directory written whole that holds a file another step writes', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
    rig.write('ov/x.txt', 'in-dir\n');
    rig.write('extra.txt', 'extra\n');
  });
  afterEach(() => rig.cleanup());

  it('is refused by plan at the later writer (one silently won: the reader got the file import\'s x.txt)', async () => {
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain('p.md:5:11: error: `/data/ov/x.txt` is written by two steps: `ov.1` (its directory /data/ov/ holds it) and `ov.2` (each path has one writer)');
    const run = await rig.shark(['run', 'p.md']);
    expect(run.code).toBe(1);
    // The later writer, at its place: the directory's import did its work.
    expect(run.stdout).toMatch(/failed: ov\.2 at p\.md:5:11 \(conflict\)/);
    expect(run.stdout).not.toMatch(/FAILED +ov\.1/);
    expect(rig.exists('_shark')).toBe(false);
  });

  it('fails the later writer at run time, not the import that did its work (it said `done ov.1`, then `FAILED ov.1`)', async () => {
    // A run writes into the imported directory: only the run knows its content's names as it ends.
    rig.write('p.md', '# Ov\n\n```shark-import\nov/ /data/ov/\n```\n\n```shark-run {id=mod}\necho pwn > /data/ov/x.txt\n```\n');
    for (const flags of [[], ['--keep-going']]) {
      const run = await rig.shark(['run', 'p.md', ...flags]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/failed: mod at p\.md:8:12 \(conflict\)/);
      // Not said skipped as well; the import is not the one failed.
      expect(run.stdout).not.toMatch(/skipped.*mod/);
      expect(run.stdout).not.toMatch(/FAILED +ov/);
    }
  });

  it('says nothing of a new name added beside the directory\'s', async () => {
    rig.write('p.md', DOC.replace('extra.txt /data/ov/x.txt', 'extra.txt /data/ov/y.txt').replace('/data/ov/x.txt >', '/data/ov/y.txt >'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
});
