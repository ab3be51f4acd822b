import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { SWEEP } from './shared-options-fixture.js';

/** Each command that reads what runs recorded, with the arguments it needs. */
const READERS: readonly (readonly string[])[] = [
  ['runs', 'p.md'],
  ['logs', 'p.md'],
  ['lineage', 'p.md', '/data/one/AVES.txt'],
  ['diff', 'p.md', '/data/one/AVES.txt'],
  ['export', 'prov', 'p.md'],
  ['export', 'crate', 'p.md', '-o', 'crate'],
];

/** Where a run's values are given by its number, not by -e. */
const NO_ENV = READERS.filter((r) => r[0] !== 'lineage');

const name = (args: readonly string[]): string => (args[0] === 'export' ? `export ${args[1]}` : args[0]!);

describe('shared options a command has no use for are refused, not ignored', () => {
  const rig = new Rig();
  beforeAll(async () => {
    rig.write('p.md', SWEEP);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'X=b'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it.each(READERS.flatMap((args) => [
    [args, ['-i', 'ghost=/nonexistent'], '-i'],
    [args, ['--secrets', '/nonexistent'], '--secrets'],
    [args, ['--refresh'], '--refresh'],
  ]))('shark %j %j: a usage error saying %s is not used there (exit 2)', async (args, extra, flag) => {
    const ran = await rig.shark([...args, ...extra]);
    expect(ran.stderr).toMatch(new RegExp(`^shark: error: ${flag} is not used by \`shark ${name(args)}\`: .*\`plan\` and \`run\`\\n$`));
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
  });

  it.each(NO_ENV)('shark %s … -e X=a: a usage error saying what picks the run instead (exit 2)', async (...args) => {
    const ran = await rig.shark([...args, '-e', 'X=a']);
    expect(ran.stderr).toMatch(new RegExp(`^shark: error: -e is not used by \`shark ${name(args)}\`: .*(--run|--from|lineage)`));
    expect(ran.stderr).not.toContain('X=a');
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
  });

  it.each([
    ['attest', 'p.md', '/data/one/AVES.txt'],
    ['verify', 'p.md', '/data/one/AVES.txt', '--key', 'k.pub'],
    ['sign', 'p.md', '/data/one/AVES.txt', '--key', 'k.key'],
  ])('shark %s … -e X=a: refused, as it answers for the latest run that made PATH (its help said -e set a variable)', async (...args) => {
    const ran = await rig.shark([...args, '-e', 'X=a']);
    expect(ran.stderr).toMatch(new RegExp(`^shark: error: -e is not used by \`shark ${args[0]}\`: it answers for the latest run that made PATH \\(or --run N\\); .*lineage`));
    expect(ran.code).toBe(2);
    expect((await rig.shark([args[0]!, '--help'])).stdout).not.toContain('--env');
  });

  it.each(READERS)('shark %s … --help leaves out the options it does not use', async (...args) => {
    const help = (await rig.shark([...args.slice(0, args[0] === 'export' ? 2 : 1), '--help'])).stdout;
    expect(help).toContain('--store');
    expect(help).toContain('--config');
    for (const flag of ['--input', '--secrets', '--refresh']) expect(help, flag).not.toContain(flag);
    if (args[0] === 'lineage') expect(help).toContain('-e, --env');
    else expect(help).not.toContain('--env');
  });

  it('a shark.yaml giving env:, inputs: and secrets: for every command keeps working silently for these', async () => {
    rig.write('sec.env', 'TOKEN=t\n');
    rig.write('in.txt', 'x\n');
    rig.write('shark.yaml', 'env:\n  X: b\ninputs:\n  ghost: in.txt\nsecrets: sec.env\n');
    try {
      for (const args of READERS) {
        const ran = await rig.shark(args[0] === 'export' && args[1] === 'crate' ? [...args.slice(0, -1), 'crate-yaml'] : args);
        // diff: the two runs' X differ (exit 1); every other answers (exit 0).
        expect({ args, stderr: ran.stderr, code: ran.code }).toEqual({ args, stderr: '', code: args[0] === 'diff' ? 1 : 0 });
      }
    } finally {
      rig.write('shark.yaml', '');
    }
  });
});
