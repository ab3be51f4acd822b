import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A run number the pipeline does not have is a usage error wherever a command takes one. */
describe('--run, --from and --to naming no run of the pipeline', () => {
  const rig = new Rig();
  beforeAll(async () => {
    rig.write('p.md', '# P\n\n```shark-run\necho a > /data/one.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it.each([
    [['export', 'prov', 'p.md', '--run', '99'], '99'],
    [['export', 'prov', 'p.md', '--run', '99', '-f', 'prov-jsonld'], '99'],
    [['export', 'crate', 'p.md', '--run', '99', '-o', 'crate'], '99'],
    [['lineage', 'p.md', '/data/one.txt', '--run', '99'], '99'],
    [['diff', 'p.md', '/data/one.txt', '--from', '999'], '999'],
    [['diff', 'p.md', '/data/one.txt', '--to', '999'], '999'],
  ])('shark %j: a usage error naming the runs there are, exit 2', async (args, n) => {
    const ran = await rig.shark(args);
    expect(ran.stderr).toBe(`shark: error: run ${n} is not a run of this pipeline (its runs: 1)\n`);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(rig.exists('crate')).toBe(false);
  });
});
