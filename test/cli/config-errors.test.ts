import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

const DOC = `---
TAXA: [AVES, MAMMALIA]
SCALE: 10
---

${fence}shark-run
echo "%{TAXA} %{SCALE}" > /data/%{TAXA}.txt
${fence}
`;

describe('errors in shark.yaml, each located, exit 2', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
  });
  afterEach(() => rig.cleanup());

  it.each([
    ['an unknown key', 'jobs: 2\njob: 4\n', 'shark.yaml:2:1: error: unknown key `job` (known: env, executor, force, frontmatter, inputs, items-per-task, jobs, keep-going, memory, pools, secrets, slurm-opts, store, targets)'],
    ['an executor Shark does not have', 'executor: pbs\n', 'shark.yaml:1:11: error: `executor` must be one of local, slurm, not `pbs`'],
    ['a count that is no number', 'jobs: four\n', 'shark.yaml:1:7: error: `jobs` must be a positive whole number, not `four`'],
    ['a count below one', 'jobs: 0\n', 'shark.yaml:1:7: error: `jobs` must be a positive whole number, not `0`'],
    ['a count too large to hold exactly', 'jobs: 99999999999999999999\n', 'shark.yaml:1:7: error: `jobs` must be a positive whole number, not `99999999999999999999`'],
    ['an sbatch option Shark sets itself', 'slurm-opts: --array=1\n', "shark.yaml:1:13: error: `slurm-opts`: `--array=1` sets sbatch's --array, which Shark sets itself"],
    ['a word sbatch would take for its script', 'slurm-opts: [--partition=gpu, gpu]\n', "shark.yaml:1:31: error: `slurm-opts`: `gpu` is no sbatch option (they start with '-')"],
    ['a path that is a list', 'store: [a, b]\n', 'shark.yaml:1:8: error: `store` must be a path (a string)'],
    ['an empty store', 'store: ""\n', 'shark.yaml:1:8: error: `store` is empty: name a directory or zfs:POOL/DATASET, or leave the key out for the default'],
    ['an input bound to an empty path', 'inputs:\n  occ: ""\n', 'shark.yaml:2:8: error: `inputs.occ` is empty: name a file or directory'],
    // As `--store '  '` and a `$SHARK_STORE` of spaces are: it would make a directory named by spaces.
    ['a store of only spaces', 'store: "  "\n', 'shark.yaml:1:8: error: `store` is blank: name a directory or zfs:POOL/DATASET, or leave the key out for the default'],
    // No shell reads it: a directory named `$HOME` was made beside the file.
    ['a store naming a variable', 'store: $HOME/st\n', 'shark.yaml:1:8: error: `store` is taken as written: Shark expands no `$` in it, and would name a directory `$HOME`; write the path itself (`~/` is the home directory)'],
    ['inputs as a list', 'inputs: [a]\n', 'shark.yaml:1:9: error: `inputs` must map names to values (name: value lines)'],
    ['an input bound to a number', 'inputs:\n  occ: 3\n', 'shark.yaml:2:8: error: `inputs.occ` must be a path (a string)'],
    ['a variable that is a mapping', 'env:\n  NOTE: {a: 1}\n', 'shark.yaml:2:9: error: `env.NOTE` must be a plain string, number or boolean'],
    ['a variable that is a list (an axis\'s values, which -e writes with commas)', 'env:\n  S: [x, y]\n',
      'shark.yaml:2:6: error: `env.S` must be a plain string, number or boolean: to pick several values of an axis, write them with commas, as -e does (`S: a,b`)'],
    ['a variable with no value', 'env:\n  SCALE: ~\n', 'shark.yaml:2:10: error: `env.SCALE` has no value: a variable is a plain string, number or boolean (`SCALE: ""` for an empty string)'],
    ['a variable left empty', 'env:\n  SCALE:\n', 'shark.yaml:2:3: error: `env.SCALE` has no value: a variable is a plain string, number or boolean (`SCALE: ""` for an empty string)'],
    ['a bad variable name', 'env:\n  my-var: 1\n', 'shark.yaml:2:3: error: `my-var` is not a valid environment variable name'],
    ['a pool size that is no number', 'pools:\n  db: many\n', 'shark.yaml:2:7: error: `pools.db` must be a positive whole number, not `many`'],
    ['a boolean that is a string', 'keep-going: yes please\n', 'shark.yaml:1:13: error: `keep-going` must be true or false'],
    ['an axis value that leaves its directory', 'frontmatter:\n  TAXA: [AVES, ../x]\n', 'shark.yaml:2:16: error: the value `../x` of the axis `TAXA` would make a path leave its directory'],
    ['a variable holding a NUL byte', 'env:\n  V: "a\\0b"\n', 'shark.yaml:2:6: error: the value of the variable `V` holds a NUL byte (\\0), which no process environment can carry'],
    ['a frontmatter variable holding a NUL byte', 'frontmatter:\n  SCALE: "a\\0b"\n', 'shark.yaml:2:10: error: the value of the variable `SCALE` holds a NUL byte (\\0), which no process environment can carry'],
    ['a frontmatter variable with no value', 'frontmatter:\n  SCALE: ~\n', 'shark.yaml:2:10: error: `frontmatter.SCALE` must be a plain value, or a list of them (an axis)'],
    ['a frontmatter variable left empty', 'frontmatter:\n  SCALE:\n', 'shark.yaml:2:3: error: `frontmatter.SCALE` must be a plain value, or a list of them (an axis)'],
    ['an empty axis', 'frontmatter:\n  TAXA: []\n', 'shark.yaml:2:9: error: the axis `TAXA` has no values: list at least one'],
    ['frontmatter inputs', 'frontmatter:\n  inputs: {occ: /data/x}\n', 'shark.yaml:2:3: error: `frontmatter.inputs` cannot be set in a config file: bind inputs to host paths with the top-level `inputs:`'],
    ['one name under env and frontmatter', 'env:\n  SCALE: 2\nfrontmatter:\n  SCALE: 3\n', 'shark.yaml:4:3: error: `SCALE` is set twice in shark.yaml: under `env:` and `frontmatter:`'],
    ['not a mapping', '- jobs\n', 'shark.yaml:1:1: error: a config file must be a YAML mapping (key: value lines)'],
    ['a key indented more than its siblings', 'jobs: 2\n  store: x\n', 'shark.yaml:2:3: error: `store` is indented 2 spaces, its siblings 0: keys of one mapping start in the same column'],
    ['a key given twice', 'jobs: 2\nstore: x\njobs: 3\n', 'shark.yaml:3:1: error: `jobs` is given twice (first at line 1)'],
    ['a key given twice in a mapping', 'env:\n  A: 1\n  A: 2\n', 'shark.yaml:3:3: error: `A` is given twice under `env` (first at line 2)'],
    ['a tab for indentation', 'env:\n\tA: 1\n', 'shark.yaml:2:1: error: a tab indents this line: YAML indents with spaces only'],
    ['an unclosed list', 'targets: [a, b\njobs: 2\n', 'shark.yaml:1:10: error: the list opened by `[` is never closed: end it with `]`'],
    ['no space after a colon', 'jobs:2\nstore: x\n', 'shark.yaml:1:5: error: `jobs:2` needs a space after the `:` to be a key and its value'],
    ['a mapping written without spaces', 'env:\n  A:1\n', 'shark.yaml:2:3: error: `env` must map names to values (name: value lines): `A:1` needs a space after the `:` to be a key and its value'],
    ['a second YAML document', 'jobs: 2\n---\nstore: x\n', 'shark.yaml:2:1: error: this `---` starts a second YAML document: the file holds one mapping'],
    ['a YAML tag Shark does not read', 'env:\n  A: !secret x\n', 'shark.yaml:2:6: error: the YAML tag `!secret` is not one Shark reads'],
    ['invalid YAML left in the words of the parser', 'jobs: &a &b 2\n', 'shark.yaml:1:10: error: invalid YAML: A node can have at most one anchor'],
  ])('%s', async (_, config, expected) => {
    rig.write('shark.yaml', config);
    for (const args of [['plan', 'p.md'], ['run', 'p.md'], ['config', 'p.md'], ['logs', 'p.md']]) {
      const r = await rig.shark(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toContain(expected);
      expect(r.stdout).toBe('');
    }
    expect(rig.exists('.shark')).toBe(false);
  });

  it('shows the line of shark.yaml with a caret under the column', async () => {
    rig.write('shark.yaml', '# site defaults\njobs: four\n');
    const r = await rig.shark(['plan', 'p.md']);
    expect(r.stderr).toBe('shark.yaml:2:7: error: `jobs` must be a positive whole number, not `four`\n    2 | jobs: four\n      |       ^\n1 error in shark.yaml\n');
  });

  it('counts columns of line 1 from after a byte order mark, as in documents', async () => {
    rig.write('shark.yaml', '\ufeffjobs: four\n');
    for (const command of ['plan', 'config']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toBe('shark.yaml:1:7: error: `jobs` must be a positive whole number, not `four`\n    1 | jobs: four\n      |       ^\n1 error in shark.yaml\n');
    }
  });

  it('reports every problem at once', async () => {
    rig.write('shark.yaml', 'job: 4\nstore: 3\n');
    const r = await rig.shark(['plan', 'p.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('shark.yaml:1:1: error: unknown key `job`');
    expect(r.stderr).toContain('shark.yaml:2:8: error: `store` must be a path (a string)');
    expect(r.stderr).toContain('2 errors in shark.yaml\n');
  });

  it('--config with a file that does not exist is an error, not a fallback', async () => {
    rig.write('shark.yaml', 'jobs: 2\n');
    const r = await rig.shark(['plan', 'p.md', '--config', 'missing.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('missing.yaml: error: cannot read config: no such file\n');
  });

  it('a value that reaches the document is checked there: -e on a value shark.yaml does not give', async () => {
    rig.write('shark.yaml', 'frontmatter:\n  TAXA: [AVES, REPTILIA]\n');
    const r = await rig.shark(['plan', 'p.md', '-e', 'TAXA=MAMMALIA']);
    expect(r.code).toBe(2);
    // Located at the document's key, whose line shows other values: the message says where these come from.
    expect(r.stderr).toContain('p.md:2:1: error: -e TAXA=MAMMALIA: `MAMMALIA` is not a value of the axis `TAXA` (its values: AVES, REPTILIA, as shark.yaml:2 gives them)');
  });
});

/** One input and one axis, so that each value a config file gives can be wrong about the document. */
const BOUND = `---
inputs: {species: /data/sp.csv}
TAXA: [AVES, MAMMALIA]
---

${fence}shark-run
cat /data/sp.csv > /data/%{TAXA}.txt
${fence}
`;

describe('a value shark.yaml gives that the document refutes is located in shark.yaml, exit 2', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', BOUND);
    rig.write('sp.csv', 'a,b\n');
  });
  afterEach(() => rig.cleanup());

  it.each([
    ['an input the frontmatter does not declare', 'inputs: {species: sp.csv, nosuch: sp.csv}\n', ['plan', 'run'],
      'shark.yaml:1:27: error: `inputs.nosuch`: the frontmatter declares no input `nosuch`\n    1 | inputs: {species: sp.csv, nosuch: sp.csv}\n      |                           ^\n1 error in shark.yaml\n'],
    ['a value that is not one of the axis', 'inputs: {species: sp.csv}\nenv: {TAXA: NOPE}\n', ['plan', 'run', 'config'],
      'shark.yaml:2:7: error: `env.TAXA`: `NOPE` is not a value of the axis `TAXA` (its values: AVES, MAMMALIA)\n    2 | env: {TAXA: NOPE}\n      |       ^\n1 error in shark.yaml\n'],
    ['a block --force cannot name', 'inputs: {species: sp.csv}\nforce: [run, nosuch]\n', ['plan', 'run'],
      'shark.yaml:2:14: error: `force`: `nosuch` is no /data path or block of this pipeline (blocks: run)\n    2 | force: [run, nosuch]\n      |              ^\n1 error in shark.yaml\n'],
    ['a target no step writes', 'inputs: {species: sp.csv}\ntargets:\n  - /data/AVES.txt\n  - /data/nope.txt\n', ['plan', 'run'],
      'shark.yaml:4:5: error: `targets`: no step writes /data/nope.txt\n    4 |   - /data/nope.txt\n      |     ^\n1 error in shark.yaml\n'],
  ])('%s', async (_, config, commands, expected) => {
    rig.write('shark.yaml', config);
    for (const command of commands) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toBe(expected);
    }
  });

  it('an input bound in shark.yaml to a file that does not exist is located there', async () => {
    rig.write('shark.yaml', 'jobs: 1\ninputs:\n  species: nope.csv\n');
    const r = await rig.shark(['plan', 'p.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`shark.yaml:3:3: error: input \`species\` is bound to ${rig.path('nope.csv')}, which does not exist\n    3 |   species: nope.csv\n      |   ^\n1 error in shark.yaml\n`);
  });

  it.each([
    ['-i', ['-i', 'nosuch=sp.csv'], 'p.md:1:1: error: -i nosuch=…: the frontmatter declares no input `nosuch`'],
    ['-e', ['-e', 'TAXA=NOPE'], 'p.md:3:1: error: -e TAXA=NOPE: `NOPE` is not a value of the axis `TAXA` (its values: AVES, MAMMALIA)'],
    ['--force', ['--force', 'nosuch'], 'shark: error: --force `nosuch` is no /data path or block of this pipeline (blocks: run)'],
    ['a target', ['/data/nope.txt'], 'shark: error: no step writes /data/nope.txt'],
  ])('the same mistake on the command line (%s) is blamed on it, over a config file that gives the option', async (_, args, expected) => {
    rig.write('shark.yaml', 'inputs: {species: sp.csv}\nenv: {TAXA: AVES}\nforce: run\ntargets: /data/AVES.txt\n');
    const r = await rig.shark(['plan', 'p.md', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(expected);
  });
});

describe('shark config reports what run would refuse in the values it shows, exit 2', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('sp.csv', 'a,b\n');
  });
  afterEach(() => rig.cleanup());

  /** `config` and `run` print the same and exit 2. */
  async function bothRefuse(args: string[] = []): Promise<string> {
    const run = await rig.shark(['run', 'p.md', ...args]);
    const config = await rig.shark(['config', 'p.md', ...args]);
    expect(run.code).toBe(2);
    expect(config.code).toBe(2);
    expect(config.stdout).toBe('');
    expect(config.stderr).toBe(run.stderr);
    return config.stderr;
  }

  it('an input bound to a file that does not exist, in shark.yaml or with -i', async () => {
    rig.write('p.md', BOUND);
    rig.write('shark.yaml', 'inputs: {species: nope.csv}\n');
    expect(await bothRefuse()).toContain(`shark.yaml:1:10: error: input \`species\` is bound to ${rig.path('nope.csv')}, which does not exist`);
    expect(await bothRefuse(['-i', 'species=gone.csv'])).toContain('p.md:2:19: error: input `species` is bound to gone.csv, which does not exist');
  });

  it('an input the frontmatter does not declare', async () => {
    rig.write('p.md', BOUND);
    rig.write('shark.yaml', 'inputs: {species: sp.csv, nosuch: sp.csv}\n');
    expect(await bothRefuse()).toContain('shark.yaml:1:27: error: `inputs.nosuch`: the frontmatter declares no input `nosuch`');
  });

  it('a secrets file that does not exist, in shark.yaml or with --secrets', async () => {
    rig.write('p.md', `---\nsecrets: [TOKEN]\n---\n\n${fence}shark-run\necho hi > /data/x.txt\n${fence}\n`);
    rig.write('shark.yaml', 'secrets: nope.env\n');
    expect(await bothRefuse()).toBe('shark.yaml:1:1: error: `secrets`: cannot read the secrets file nope.env: no such file\n    1 | secrets: nope.env\n      | ^\n1 error in shark.yaml\n');
    expect(await bothRefuse(['--secrets', 'gone.env'])).toBe('gone.env: error: cannot read the secrets file: no such file\n');
  });

  it('an input left unbound is shown as unbound, not refused', async () => {
    rig.write('p.md', BOUND);
    const r = await rig.shark(['config', 'p.md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('inputs.species = unbound (default)\n');
  });
});

describe('every value shark.yaml gives that the document refutes, at once', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', `${fence}shark-run\necho 1 > /data/total.txt\n${fence}\n`);
    rig.write('shark.yaml', 'jobs: 2\npools: {db: 1}\nsecrets: nope.env\ninputs:\n  species: sp.csv\nforce: [fetch]\n');
  });
  afterEach(() => rig.cleanup());

  it('is reported in one go, each once, in file order, with the count (run, config)', async () => {
    for (const command of ['run', 'config']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('shark.yaml:'));
      expect(lines, command).toEqual([
        'shark.yaml:2:9: error: `pools.db`: no block uses the pool `db` (no block takes from a pool)',
        'shark.yaml:3:1: error: `secrets`: cannot read the secrets file nope.env: no such file',
        'shark.yaml:5:3: error: `inputs.species`: the frontmatter declares no input `species`',
        'shark.yaml:6:9: error: `force`: `fetch` is no /data path or block of this pipeline (blocks: run)',
      ]);
      expect(r.stderr.endsWith('4 errors in shark.yaml\n'), command).toBe(true);
    }
  });

  it('is reported beside an `env:` value that is not one of its axis (plan, run, config)', async () => {
    rig.write('p.md', `---\nTAXA: [AVES, MAMMALIA]\n---\n\n${fence}shark-run\necho %{TAXA} > /data/%{TAXA}.txt\n${fence}\n`);
    rig.write('shark.yaml', 'env: {TAXA: NOPE}\ninputs:\n  species: sp.csv\nforce: [fetch]\ntargets: [/data/zzz.txt]\n');
    for (const command of ['plan', 'run', 'config']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('shark.yaml:')), command).toEqual([
        'shark.yaml:1:7: error: `env.TAXA`: `NOPE` is not a value of the axis `TAXA` (its values: AVES, MAMMALIA)',
        'shark.yaml:3:3: error: `inputs.species`: the frontmatter declares no input `species`',
        'shark.yaml:4:9: error: `force`: `fetch` is no /data path or block of this pipeline (blocks: run)',
        'shark.yaml:5:11: error: `targets`: no step writes /data/zzz.txt',
      ]);
      expect(r.stderr.endsWith('4 errors in shark.yaml\n'), command).toBe(true);
      expect(rig.exists('.shark'), command).toBe(false);
    }
  });
});

describe('a secret given a value in shark.yaml', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', `---\nsecrets: [TOKEN]\n---\n\n${fence}shark-run\necho $TOKEN | wc -c > /data/n.txt\n${fence}\n`);
    rig.write('shark.yaml', 'env:\n  TOKEN: leakme-1234\n');
  });
  afterEach(() => rig.cleanup());

  it('is located in shark.yaml under env:, not blamed on a -e the user never typed (plan, run, config)', async () => {
    for (const command of ['plan', 'run', 'config']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain('shark.yaml:2:3: error: `env.TOKEN`: TOKEN is a secret, and a variable\'s value enters the cache key and lineage');
      expect(r.stderr).not.toContain('-e TOKEN');
      // The line is shown with the value hidden, as the credential it was meant to be.
      expect(r.stderr, command).toContain('    2 |   TOKEN: ***\n      |   ^\n');
      expect(r.stderr, command).not.toContain('leakme');
    }
  });

  it('is located in shark.yaml under frontmatter: too, its value hidden (plan, run, config)', async () => {
    rig.write('shark.yaml', 'frontmatter:\n  TOKEN: "leakme-1234"  # oops\n');
    for (const command of ['plan', 'run', 'config']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toBe(
        'shark.yaml:2:3: error: `frontmatter.TOKEN`: TOKEN is a secret, and a variable\'s value enters the cache key and lineage: set it in the environment or a --secrets file\n' +
          '    2 |   TOKEN: ***  # oops\n      |   ^\n1 error in shark.yaml\n',
      );
    }
  });

  it('hides it on any line shown: a top-level key, a secrets file given as --config, its value from the environment (they were shown whole)', async () => {
    rig.write('shark.yaml', 'jobs: 2\nTOKEN: leakme-1234\n');
    const top = await rig.shark(['plan', 'p.md']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('    2 | TOKEN: ***\n');
    rig.write('shark.yaml', 'jobs: 2\n');
    rig.write('s.env', 'TOKEN=leakme-1234\n');
    const file = await rig.shark(['config', 'p.md', '--config', 's.env']);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('    1 | TOKEN=***\n');
    rig.write('other.yaml', 'jobs: 2\nstore: [leakme-1234]\n');
    const env = await rig.shark(['plan', 'p.md', '--config', 'other.yaml'], { env: { TOKEN: 'leakme-1234' } });
    expect(env.code).toBe(2);
    for (const r of [top, file, env]) expect(r.stderr).not.toContain('leakme');
  });

  it.each([
    ['a NUL byte', 'env:\n  TOKEN: "leakme\\0-1234"\n  OTHER: 1\n', '    2 |   TOKEN: ***\n'],
    ['a mapping', 'env:\n  TOKEN: {a: leakme-1234}\n', '    2 |   TOKEN: ***\n'],
    ['a list', 'env:\n  TOKEN:\n    - leakme-1234\n', '    3 |     ***\n'],
    ['a frontmatter list', 'frontmatter:\n  TOKEN: [leakme-1234, {a: b}]\n', '    2 |   TOKEN: ***\n'],
  ])('any error at it shows its line with the value hidden: %s', async (_, yaml, shown) => {
    rig.write('shark.yaml', yaml);
    for (const command of ['plan', 'run', 'config']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toContain(shown);
      expect(r.stderr, command).not.toContain('leakme');
    }
  });

  it('an error at an ordinary variable still shows its value', async () => {
    rig.write('shark.yaml', 'env:\n  OTHER: {a: visible}\n');
    const r = await rig.shark(['plan', 'p.md']);
    expect(r.stderr).toContain('    2 |   OTHER: {a: visible}\n');
  });

  it('still names -e when the command line gave it', async () => {
    const r = await rig.shark(['plan', 'p.md', '-e', 'TOKEN=abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('shark: error: -e TOKEN=…: TOKEN is a secret');
  });
});

describe('shark config checks force: and targets: names as run does', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', `${fence}shark-run\necho 1 > /data/a.txt\n${fence}\n`);
  });
  afterEach(() => rig.cleanup());

  it.each([
    ['force: nosuch\n', 'shark.yaml:1:8: error: `force`: `nosuch` is no /data path or block of this pipeline (blocks: run)'],
    ['targets: [/data/nope.txt]\n', 'shark.yaml:1:11: error: `targets`: no step writes /data/nope.txt'],
  ])('refuses %j with run\'s message, located, exit 2', async (yaml, message) => {
    rig.write('shark.yaml', yaml);
    for (const command of ['config', 'run']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('shows names the document has', async () => {
    rig.write('shark.yaml', 'force: run\ntargets: [/data/a.txt]\n');
    const r = await rig.shark(['config', 'p.md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('targets = [/data/a.txt] (shark.yaml:2)');
  });
});
