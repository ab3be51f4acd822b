import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';

const fence = '```';

/** One input, one axis, one scalar; the output shows every value a run used. */
const DOC = `---
inputs:
  occ: /data/occ.txt
TAXA: [AMPHIBIA, AVES, MAMMALIA]
SCALE: 10
---

# Scale

${fence}shark-run
n=$(cat /data/occ.txt); echo "%{TAXA} $((n * %{SCALE})) \${NOTE:-}" > /data/out/%{TAXA}.txt
${fence}

${fence}shark-publish
/data/out/
${fence}
`;

/** Every layer a config file can set, each on its own line (the golden names them). */
const CONFIG = `store: cache
jobs: 3
inputs:
  occ: data/a.txt
env:
  NOTE: from-config
frontmatter:
  TAXA: [AVES, REPTILIA]
  SCALE: 20
`;

interface Setting {
  name: string;
  value: unknown;
  from: 'default' | 'document' | 'config' | 'command line' | 'environment';
  at?: string;
}

describe('shark.yaml: defaults for options and frontmatter values', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
    rig.write('data/a.txt', '1\n');
    rig.write('data/b.txt', '2\n');
  });
  afterEach(() => rig.cleanup());

  async function settings(...args: string[]): Promise<Map<string, Setting>> {
    const r = await rig.shark(['config', 'p.md', '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { settings: Setting[] };
    return new Map(parsed.settings.map((s) => [s.name, s]));
  }

  // Each setting three ways: the document (or the default) alone, then shark.yaml over it, then the command line over both.
  it.each([
    ['SCALE', { value: '10', from: 'document', at: 'p.md:5' }, { value: '20', from: 'config', at: 'shark.yaml:9' }, ['-e', 'SCALE=30'], { value: '30', from: 'command line', at: '-e' }],
    ['TAXA', { value: ['AMPHIBIA', 'AVES', 'MAMMALIA'], from: 'document', at: 'p.md:4' }, { value: ['AVES', 'REPTILIA'], from: 'config', at: 'shark.yaml:8' }, ['-e', 'TAXA=AVES'], { value: ['AVES'], from: 'command line', at: '-e' }],
    ['store', { value: '.shark', from: 'default' }, { value: 'cache', from: 'config', at: 'shark.yaml:1' }, ['--store', 'other'], { value: 'other', from: 'command line', at: '--store' }],
    ['jobs', { value: availableParallelism(), from: 'default' }, { value: 3, from: 'config', at: 'shark.yaml:2' }, ['-j', '2'], { value: 2, from: 'command line', at: '-j' }],
    ['inputs.occ', { value: null, from: 'default' }, { value: 'data/a.txt', from: 'config', at: 'shark.yaml:4' }, ['-i', 'occ=data/b.txt'], { value: 'data/b.txt', from: 'command line', at: '-i' }],
    ['NOTE', undefined, { value: 'from-config', from: 'config', at: 'shark.yaml:6' }, ['-e', 'NOTE=cli'], { value: 'cli', from: 'command line', at: '-e' }],
  ])('%s: command line > shark.yaml > document', async (name, alone, configured, args, given) => {
    expect((await settings()).get(name)).toEqual(alone === undefined ? undefined : { name, ...alone });
    rig.write('shark.yaml', CONFIG);
    expect((await settings()).get(name)).toEqual({ name, ...configured });
    expect((await settings(...args)).get(name)).toEqual({ name, ...given });
  });

  it('a run uses the config file, and the command line over it', async () => {
    rig.write('shark.yaml', CONFIG);
    const r = await rig.shark(['run', 'p.md']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(rig.exists('cache/shark.sqlite')).toBe(true);
    expect(rig.exists('.shark')).toBe(false);
    expect(rig.read('_shark/out/AVES.txt')).toBe('AVES 20 from-config\n');
    expect(rig.read('_shark/out/REPTILIA.txt')).toBe('REPTILIA 20 from-config\n');
    expect(rig.exists('_shark/out/AMPHIBIA.txt')).toBe(false);

    // Another store knows nothing of the first one's publishes: its copies are moved away first.
    rmSync(rig.path('_shark'), { recursive: true });
    const over = await rig.shark(['run', 'p.md', '--store', 'other', '-i', 'occ=data/b.txt', '-e', 'SCALE=30', '-e', 'NOTE=cli', '-e', 'TAXA=REPTILIA']);
    expect(over.stderr).toBe('');
    expect(over.code).toBe(0);
    expect(rig.exists('other/shark.sqlite')).toBe(true);
    expect(rig.read('_shark/out/REPTILIA.txt')).toBe('REPTILIA 60 cli\n');
  });

  it('a config that overrides an axis changes the instances plan lists', async () => {
    const before = await rig.plan('p.md', '-i', 'occ=data/a.txt');
    expect(before.jobs.map((j) => j.job)).toEqual(['scale[TAXA=AMPHIBIA]', 'scale[TAXA=AVES]', 'scale[TAXA=MAMMALIA]']);
    rig.write('shark.yaml', 'frontmatter:\n  TAXA: [AVES, REPTILIA]\n');
    const after = await rig.plan('p.md', '-i', 'occ=data/a.txt');
    expect(after.jobs.map((j) => j.job)).toEqual(['scale[TAXA=AVES]', 'scale[TAXA=REPTILIA]']);
    // -e restricts the axis as shark.yaml gives it.
    const subset = await rig.plan('p.md', '-i', 'occ=data/a.txt', '-e', 'TAXA=REPTILIA');
    expect(subset.jobs.map((j) => j.job)).toEqual(['scale[TAXA=REPTILIA]']);
  });

  it('env: in shark.yaml restricts an axis as -e does', async () => {
    rig.write('shark.yaml', 'env:\n  TAXA: AVES,MAMMALIA\ninputs:\n  occ: data/a.txt\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => j.job)).toEqual(['scale[TAXA=AVES]', 'scale[TAXA=MAMMALIA]']);
  });

  it('env: in shark.yaml picks the run lineage reads as -e does, and says so when none matches', async () => {
    expect((await rig.shark(['run', 'p.md', '-i', 'occ=data/a.txt'])).code).toBe(0);
    rig.write('shark.yaml', 'env:\n  SCALE: 2\n');
    const r = await rig.shark(['lineage', 'p.md', '/data/out/AVES.txt', '--run', '1']);
    expect([r.code, r.stderr]).toEqual([1, "shark: run 1 produced /data/out/AVES.txt with SCALE=10, not SCALE=2 (the values are the config file's env:; -e NAME=VALUE asks for others)\n"]);
  });

  it('$SHARK_STORE comes between the command line and shark.yaml', async () => {
    rig.write('shark.yaml', CONFIG);
    const r = await rig.shark(['config', 'p.md'], { env: { SHARK_STORE: 'from-env' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('store = from-env ($SHARK_STORE)\n');
  });

  it('shark config prints every setting and where it came from', async () => {
    rig.write('shark.yaml', CONFIG);
    const r = await rig.shark(['config', 'p.md', '-e', 'SCALE=30']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectGolden('config/effective.txt', r.stdout);
    rig.write('shark.yaml', '');
    expectGolden('config/empty.txt', (await rig.shark(['config', 'p.md', '-j', '2'])).stdout);
  });

  // A value holding an escape sequence or a newline reached the terminal as it was: it cleared the screen, or forged a setting's line.
  it('shark config shows a value holding control characters escaped, one line each; --json keeps it whole', async () => {
    rig.write('shark.yaml', 'env:\n  NOTE: "\\e[2Jx"\n');
    const r = await rig.shark(['config', 'p.md', '-e', 'EXTRA=1\njobs = 99 (default)']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('NOTE = \\x1b[2Jx (shark.yaml:2)\n');
    expect(r.stdout).toContain('EXTRA = 1\\njobs = 99 (default) (command line -e)\n');
    expect(r.stdout).not.toMatch(/\x1b|^jobs = 99/m);
    expect((await settings('-e', 'EXTRA=1\n2')).get('EXTRA')?.value).toBe('1\n2');
    // A path is the path in JSON, not the text output's quoted name.
    expect((await settings('--store', 'st\x1bore')).get('store')?.value).toBe('st\x1bore');
    expect((await rig.shark(['config', 'p.md', '--store', 'st\x1bore'])).stdout).toContain('store = st\\x1bore (command line --store)\n');
  });

  it('--config reads a file elsewhere, whose relative paths are its own, and ignores shark.yaml beside the document', async () => {
    rig.write('shark.yaml', 'store: wrong\n');
    rig.write('conf/site.yaml', 'store: ../stores/site\ninputs:\n  occ: ../data/b.txt\nfrontmatter:\n  TAXA: [AVES]\n');
    const r = await rig.shark(['run', 'p.md', '--config', 'conf/site.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(rig.exists('stores/site/shark.sqlite')).toBe(true);
    expect(rig.exists('wrong')).toBe(false);
    expect(rig.read('_shark/out/AVES.txt')).toBe('AVES 20 \n');
    const shown = await rig.shark(['config', 'p.md', '--config', 'conf/site.yaml']);
    expect(shown.stdout).toContain('config = conf/site.yaml (command line --config)\n');
    expect(shown.stdout).toContain('store = stores/site (conf/site.yaml:1)\n');
  });

  it('check, dag and impact see the config file\'s frontmatter; gc and fsck find the store it names', async () => {
    rig.write('shark.yaml', CONFIG);
    const dag = await rig.shark(['dag', 'p.md', '--json']);
    expect(dag.code).toBe(0);
    expect(dag.stdout).toContain('scale[TAXA=REPTILIA]');
    expect(dag.stdout).not.toContain('scale[TAXA=AMPHIBIA]');
    expect((await rig.shark(['check', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['impact', 'p.md', 'scale[TAXA=REPTILIA]'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md']);
    expect(gc.stderr).toBe('');
    expect(gc.code).toBe(0);
    const fsck = await rig.shark(['fsck', 'p.md']);
    expect(fsck.stderr).toBe('');
    expect(fsck.code).toBe(0);
    rig.write('shark.yaml', 'jobs: four\n');
    for (const command of ['check', 'dag', 'gc', 'fsck']) {
      const bad = await rig.shark([command, 'p.md']);
      expect(bad.code, command).toBe(2);
      expect(bad.stderr, command).toContain('shark.yaml:1:7: error: `jobs` must be a positive whole number');
    }
  });

  it('fsck --config FILE and gc --config FILE check the store FILE names, with or without a pipeline; a FILE not there is exit 2', async () => {
    rig.write('cfg/c.yaml', 'store: ../stores/s1\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'occ=data/a.txt', '--store', 'stores/s1'])).code).toBe(0);
    for (const args of [['fsck', '--config', 'cfg/c.yaml'], ['fsck', 'p.md', '--config', 'cfg/c.yaml'], ['gc', 'p.md', '--config', 'cfg/c.yaml']]) {
      const ran = await rig.shark(args);
      expect({ args, stderr: ran.stderr, code: ran.code }).toEqual({ args, stderr: '', code: 0 });
      expect(ran.stdout, args.join(' ')).toContain(rig.path('stores/s1'));
    }
    for (const args of [['fsck', '--config', 'nowhere.yaml'], ['fsck', 'p.md', '--config', 'nowhere.yaml'], ['gc', 'p.md', '--config', 'nowhere.yaml']]) {
      const ran = await rig.shark(args);
      expect({ args, stderr: ran.stderr, code: ran.code }).toEqual({ args, stderr: 'nowhere.yaml: error: cannot read config: no such file\n', code: 2 });
    }
  });

  it('a count in shark.yaml is written in digits, as its option takes it (jobs: 0x10 ran 16 at once where -j 0x10 is refused)', async () => {
    for (const [value, ok] of [['0x10', false], ['1e1', false], ['1.0', false], ['3', true]] as const) {
      rig.write('shark.yaml', `jobs: ${value}\nitems-per-task: 2\n`);
      const ran = await rig.shark(['config', 'p.md']);
      expect(ran.code, value).toBe(ok ? 0 : 2);
      if (ok) expect(ran.stdout).toMatch(/^jobs = 3 \(shark\.yaml:1\)$/m);
      else expect(ran.stderr).toContain(`shark.yaml:1:7: error: \`jobs\` must be a positive whole number, not \`${value}\``);
    }
  });

  it('~/ in a config path is the home directory', async () => {
    rig.write('shark.yaml', 'store: ~/stores/home\n');
    const r = await rig.shark(['config', 'p.md'], { env: { HOME: rig.path('home') } });
    expect(r.stdout).toContain('store = home/stores/home (shark.yaml:1)\n');
  });
});
