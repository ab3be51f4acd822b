import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * The kernel reads `//data/x` and `/./data/x` as /data/x. Left as written, a
 * host step would read and write the machine's own /data, which no step may
 * see: Shark reads them as /data paths and puts them in the job's workspace.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-data-spellings-')));
afterEach(() => rig.cleanup());

describe('/data written with more slashes or `.`', () => {
  it('is the job\'s /data on the host, in commands and in a cd, and lineage takes it too', async () => {
    rig.write('p.md', [
      '# p', '', '```shark-run', 'echo hi > //data/a.txt', 'mkdir -p /./data/d/ && cat ///data/a.txt > /data/d/b.txt', '```', '',
      '```shark-run', 'cd //data/d', 'cat b.txt > /data/e.txt', '```', '', '```shark-publish', '/data/e.txt', '```', '',
    ].join('\n'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.stdout + ran.stderr).toContain('ok: 3 run');
    expect(rig.read('_shark/e.txt')).toBe('hi\n');
    const lineage = await rig.shark(['lineage', 'p.md', '//data/a.txt']);
    expect([lineage.code, lineage.stdout]).toEqual([0, expect.stringContaining('→ /data/a.txt')]);
    // So do the other commands that take a /data path: as a target, to impact and to diff.
    const plan = await rig.shark(['plan', 'p.md', '//data/d/b.txt', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as { jobs: { step: string }[] }).jobs.map((j) => j.step)).toEqual(['p.1', 'p.2']);
    const forced = await rig.shark(['plan', 'p.md', '--force', '/./data/e.txt']);
    expect([forced.code, forced.stdout]).toEqual([0, expect.stringMatching(/run +p-2 .*forced \(--force\)/)]);
    const impact = await rig.shark(['impact', 'p.md', '//data/d/']);
    expect([impact.code, impact.stdout]).toEqual([0, expect.stringContaining('if /data/d changes')]);
    const diff = await rig.shark(['diff', 'p.md', '//data/e.txt']);
    expect([diff.code, diff.stdout]).toEqual([0, expect.stringContaining('nothing to compare')]);
  });

  it('naming /data itself is refused as /data is, from check on', async () => {
    rig.write('p.md', '# p\n\n```shark-run\necho hi > /data/a.txt\nls //data/ > /data/b.txt\n```\n');
    const checked = await rig.shark(['check', 'p.md']);
    expect([checked.code, checked.stdout + checked.stderr]).toEqual([2, expect.stringContaining('p.md:5:4: error: `//data/` names /data itself')]);
  });
});
