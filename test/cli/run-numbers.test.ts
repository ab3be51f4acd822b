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

  it.each([
    [['export', 'prov', 'p.md', '--run', '1e1'], '--run', '1e1'],
    [['export', 'prov', 'p.md', '--run', '0x1'], '--run', '0x1'],
    [['export', 'crate', 'p.md', '--run', '1.0', '-o', 'crate'], '--run', '1.0'],
    [['lineage', 'p.md', '/data/one.txt', '--run', '0x1'], '--run', '0x1'],
  ])('shark %j: digits only, as every run number is read (export took 1e1 as run 10), exit 2', async (args, flag, typed) => {
    const ran = await rig.shark(args);
    // The parser's words alone: commander's "option '--run <n>' argument '1e1' is invalid." before them said it twice.
    expect(ran.stderr).toBe(`shark: error: ${flag} expects a whole number, not \`${typed}\`\n(run \`shark ${args.slice(0, args[0] === "export" ? 2 : 1).join(" ")} --help\` for usage)\n`);
    expect(ran.code).toBe(2);
    expect(rig.exists('crate')).toBe(false);
  });

  it.each([
    [['lineage', 'p.md', '/data/one.txt', '--run', '99999999999999999999'], '--run'],
    [['export', 'prov', 'p.md', '--run', '9007199254740993'], '--run'],
    [['diff', 'p.md', '/data/one.txt', '--from', '99999999999999999999'], '--from'],
    [['why', 'p.md', '--depth', '99999999999999999999'], '--depth'],
  ])('shark %j: a number too large to be read exactly is refused as typed, not rounded (run 100000000000000000000), exit 2', async (args, flag) => {
    const typed = args[args.length - 1]!;
    const ran = await rig.shark(args);
    expect(ran.stderr).toBe(`shark: error: ${flag} expects a whole number no larger than 9007199254740991, not \`${typed}\`\n(run \`shark ${args.slice(0, args[0] === "export" ? 2 : 1).join(" ")} --help\` for usage)\n`);
    expect(ran.code).toBe(2);
  });
});
