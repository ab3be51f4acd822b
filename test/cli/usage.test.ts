import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

describe('usage errors', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());

  it.each([
    [['run']],
    [['plan', 'p.md', '--bogus']],
    [['bogus']],
    [['dag', 'p.md', '--format', 'png']],
    [['run', 'p.md', '-j', '0']],
    [['run', 'p.md', '-i', 'novalue']],
  ])('shark %j exits 2 with a one-line reason and no stack trace', async (args) => {
    rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/x\n```\n');
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/error/);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['run', 'p.md', '--force'], 'shark run'],
    [['plan', 'p.md', '--bogus'], 'shark plan'],
    [['export', 'prov', 'p.md', '--run', 'x'], 'shark export prov'],
    [['bogus'], 'shark'],
  ])('shark %j names the help of the command that was mistyped (it said `shark --help`, which lists commands only)', async (args, command) => {
    rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/x\n```\n');
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(new RegExp(`\\n\\(run \`${command} --help\` for usage\\)\\n$`));
  });

  it.each([[[]], [['export']]])('shark %j is a usage error: help on stderr, exit 2', async (args) => {
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('Usage: shark');
  });

  // Commander quotes what was typed: an escape sequence in a mistyped value or option reached the terminal.
  it.each([
    [['logs', 'p.md', '--run', '\x1b[2J'], '--run expects a whole number, not `\\x1b[2J`'],
    [['diff', 'p.md', '/data/x', '--from', '\x07'], '--from expects a whole number, not `\\x07`'],
    [['runs', 'p.md', '--\x1b[1m'], "unknown option '--\\x1b[1m'"],
  ])('shark %j shows the control characters it quotes escaped', async (args, said) => {
    rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/x\n```\n');
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(said);
    expect(ran.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
  });

  it.each([[['help', 'nosuch'], 'shark'], [['help', 'export', 'nosuch'], 'shark export']])('shark %j says the command is unknown, exit 2', async (args, called) => {
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toBe(`shark: error: unknown command 'nosuch'\n(run \`${called} --help\` for its commands)\n`);
  });

  it('shark nosuch --help is the unknown command, exit 2, as shark nosuch is (it showed the program\'s help, exit 0)', async () => {
    for (const args of [['nosuch', '--help'], ['nosuch', 'p.md', '-h']]) {
      const ran = await rig.shark(args);
      expect([ran.code, ran.stdout, ran.stderr]).toEqual([2, '', "shark: error: unknown command 'nosuch'\n(run `shark --help` for usage)\n"]);
    }
    expect((await rig.shark(['run', '--help'])).code).toBe(0);
  });

  it('shark help of a near miss names the command meant, as shark plann does', async () => {
    const ran = await rig.shark(['help', 'export', 'pruv']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe("shark: error: unknown command 'pruv'\n(Did you mean prov?)\n(run `shark export --help` for its commands)\n");
  });

  it('shark help of a subcommand is its help, not its parent\'s', async () => {
    const help = await rig.shark(['help', 'export', 'prov']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: shark export prov /);
  });

  it('prints help and the version with exit 0', async () => {
    expect((await rig.shark(['help'])).code).toBe(0);
    expect((await rig.shark(['help', 'run'])).code).toBe(0);
    expect((await rig.shark(['export', '--help'])).code).toBe(0);
    expect((await rig.shark(['--help'])).stdout).toContain('Commands:');
    expect((await rig.shark(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await rig.shark(['run', '--help'])).code).toBe(0);
  });

  it.each([
    ['gc', '(default: $SHARK_STORE, then store: in each pipeline\'s config file, then .shark/ beside each pipeline)'],
    ['shell', '(default: $SHARK_STORE, then .shark/ beside FILE or here)'],
    ['fsck', '(default: $SHARK_STORE, then store: in the config file, then .shark/ beside the pipeline, or ./.shark without one)'],
  ])('shark %s --help gives the store\'s default in the order it is looked for ($SHARK_STORE first)', async (command, said) => {
    const help = await rig.shark([command, '--help']);
    // Joined again: help is wrapped to the terminal's width.
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(said);
  });

  it.each([
    [['verify'], '--threshold <n>', '(default: 1)'],
    [['run'], '--items-per-task <n>', '(default: 1)'],
    [['config'], '--items-per-task <n>', '(default: 1)'],
  ])('shark %j --help shows the default of %s as a number, as --port\'s (not the string "1")', async (command, option, said) => {
    const help = await rig.shark([...command, '--help']);
    const line = help.stdout.replace(/\s+/g, ' ').split(option)[1] ?? '';
    expect(line.split(' -')[0]).toContain(said);
  });

  it('describes the columns of `shark runs` in the order it prints them (the help said start and end came before status)', async () => {
    rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/x\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const header = (await rig.shark(['runs', 'p.md'])).stdout.split('\n')[0] ?? '';
    expect(header.split(/\s+/).slice(0, 5)).toEqual(['run', 'status', 'started', 'ended', 'jobs']);
    const help = (await rig.shark(['runs', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('list the runs of a pipeline: number, status, start, end, jobs run/cached/failed');
  });

  it('runs from the compiled modules, not the bundle, with SHARK_DEBUG=1 (stack traces that name files and lines)', async () => {
    // NODE_DEBUG=module names each CommonJS file loaded: the bundle, or (the modules being ES) the packages they import.
    const bundled = await rig.shark(['plan', 'missing.md'], { env: { NODE_DEBUG: 'module' } });
    expect(bundled.stderr).toContain('dist/shark.cjs');
    const debug = await rig.shark(['plan', 'missing.md'], { env: { SHARK_DEBUG: '1', NODE_DEBUG: 'module' } });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('missing.md');
    expect(debug.stderr).toContain('node_modules/commander/index.js');
    expect(debug.stderr).not.toContain('shark.cjs');
  });
});
