import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/** Two blocks; `b` takes from the pool `db`. */
const DOC = `---
pools: {db: 1}
---
# P

${fence}shark-run {id=a}
echo a > /data/a.txt
${fence}

${fence}shark-run {id=b, pool=db}
cat /data/a.txt > /data/b.txt
${fence}
`;

describe('options checked whatever else is given (exit 2, nothing run)', () => {
  const rig = new Rig();
  beforeAll(() => rig.write('p.md', DOC));
  afterAll(() => rig.cleanup());

  it.each([
    [['run', 'p.md', '--items-per-task', '0'], 'shark: error: --items-per-task expects a positive whole number, not `0`'],
    [['plan', 'p.md', '-i', 'x=a.csv', '-i', 'x=b.csv'], 'shark: error: -i/--input x is given twice (a.csv and b.csv): give it once'],
    [['run', 'p.md', '--items-per-task', 'abc'], 'shark: error: --items-per-task expects a positive whole number, not `abc`'],
    [['plan', 'p.md', '--items-per-task=-3'], 'shark: error: --items-per-task expects a positive whole number, not `-3`'],
    [['run', 'p.md', '--slurm-opt='], 'shark: error: --slurm-opt `` is no sbatch option'],
    [['run', 'p.md', '--slurm-opt', '-p', 'shark'], 'shark: error: --slurm-opt `-p` needs a value: write `-p VALUE`, as one argument: --slurm-opt "-p VALUE" (or --slurm-opt=-pVALUE)'],
    [['run', 'p.md', '--slurm-opt=--array=0-5'], "shark: error: --slurm-opt `--array=0-5` sets sbatch's --array, which Shark sets itself: a map is one array, one task per item (or per --items-per-task items)"],
    [['run', 'p.md', '--slurm-opt=--job-name=mine'], "shark: error: --slurm-opt `--job-name=mine` sets sbatch's --job-name, which Shark sets itself: squeue shows shark:<pipeline>:<block>"],
    [['plan', 'p.md', '--slurm-opt=--wrap=echo hi'], "shark: error: --slurm-opt `--wrap=echo hi` sets sbatch's --wrap, which Shark sets itself: the batch script is Shark's"],
    [['run', 'p.md', '--slurm-opt=--output=/tmp/x'], "shark: error: --slurm-opt `--output=/tmp/x` sets sbatch's --output, which Shark sets itself"],
    [['run', 'p.md', '--slurm-opt=--out=/tmp/x'], "shark: error: --slurm-opt `--out=/tmp/x` sets sbatch's --output"],
    [['run', 'p.md', '--slurm-opt=--parsable'], "shark: error: --slurm-opt `--parsable` sets sbatch's --parsable, which Shark sets itself"],
    [['run', 'p.md', '--slurm-opt=--requeue'], "shark: error: --slurm-opt `--requeue` sets sbatch's --requeue, which Shark sets itself"],
    // Quiet, sbatch prints no job id: every job failed on `sbatch refused the job: sbatch printed no job id`.
    [['run', 'p.md', '--slurm-opt=-Q'], "shark: error: --slurm-opt `-Q` sets sbatch's --quiet, which Shark sets itself: Shark reads the job id sbatch prints, which --quiet leaves out"],
    [['run', 'p.md', '--slurm-opt=--quiet'], "shark: error: --slurm-opt `--quiet` sets sbatch's --quiet"],
    [['run', 'p.md', '--slurm-opt=--'], 'shark: error: --slurm-opt `--` ends sbatch\'s options: what follows would be taken for the batch script'],
    [['run', 'p.md', '--slurm-opt=-vJ mine'], "shark: error: --slurm-opt `-vJ mine` sets sbatch's --job-name"],
    [['run', 'p.md', '--slurm-opt=--partition shark'], "shark: error: --slurm-opt `--partition shark`: write `--partition=shark`"],
    [['run', 'p.md', '--slurm-opt=--test-only'], "shark: error: --slurm-opt `--test-only`: sbatch would only check the request and submit nothing"],
    [['run', 'p.md', '--slurm-opt=--version'], "shark: error: --slurm-opt `--version`: sbatch would print its version and submit nothing"],
    [['run', 'p.md', '--slurm-opt=-h'], "shark: error: --slurm-opt `-h`: sbatch would print its help and submit nothing"],
    [['run', 'p.md', '--slurm-opt=-vu'], "shark: error: --slurm-opt `-vu`: sbatch would print its usage and submit nothing"],
    [['plan', 'p.md', '--executor', 'slurm', '-j', '0'], 'shark: error: -j expects a positive whole number, not `0`'],
    [['plan', 'p.md', '-j', 'x'], 'shark: error: -j expects a positive whole number, not `x`'],
    [['plan', 'p.md', '-j', '0x10'], 'shark: error: -j expects a positive whole number, not `0x10`'],
    [['run', 'p.md', '--items-per-task', '1e2'], 'shark: error: --items-per-task expects a positive whole number, not `1e2`'],
    [['config', 'p.md', '-j', 'abc'], 'shark: error: -j expects a positive whole number, not `abc`'],
    [['config', 'p.md', '--items-per-task', '0'], 'shark: error: --items-per-task expects a positive whole number, not `0`'],
    [['config', 'p.md', '--slurm-opt=--array=1'], "shark: error: --slurm-opt `--array=1` sets sbatch's --array, which Shark sets itself"],
    [['run', 'p.md', '-e', '1X=2'], 'shark: error: -e 1X=…: `1X` is not a valid environment variable name'],
    [['plan', 'p.md', '-e', 'SCALE'], 'shark: error: -e/--env expects NAME=VALUE, not `SCALE`'],
    [['plan', 'p.md', '-i', 'data.csv'], 'shark: error: -i/--input expects NAME=PATH, not `data.csv`'],
    [['plan', 'p.md', '-e', 'A-B=2'], 'shark: error: -e A-B=…: `A-B` is not a valid environment variable name'],
    [['run', 'p.md', '--force', ''], 'shark: error: --force expects block ids (one, or a comma list), not ``'],
    [['plan', 'p.md', '--force', ',,'], 'shark: error: --force expects block ids (one, or a comma list), not `,,`'],
    // Said of the name given (it read `--force no step writes …`).
    [['plan', 'p.md', '--force', '/data/nosuch.txt'], 'shark: error: --force /data/nosuch.txt: no step writes /data/nosuch.txt\n'],
    [['run', 'p.md', '--pool', 'zz=2'], 'p.md:1:1: error: --pool zz=2: no block uses the pool `zz` (the blocks use: db)'],
    [['plan', 'p.md', '--json', '--script'], 'shark: error: --json and --script cannot be used together'],
    [['dag', 'p.md', '--json', '-f', 'dot'], 'shark: error: --json and -f dot cannot be used together (--json is -f json)'],
    [['lineage', 'p.md', '/data/b.txt', '--json', '-f', 'mermaid'], 'shark: error: --json and -f mermaid cannot be used together (--json is -f json)'],
  ])('shark %j', async (args, message) => {
    const ran = await rig.shark(args);
    expect(ran.stderr).toContain(message);
    expect(ran.code).toBe(2);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(rig.exists('.shark/logs/1')).toBe(false);
  });

  it('passes a short option and its value given as one word (`-p shark`) to sbatch as two words', async () => {
    for (const opts of [['--slurm-opt', '-p shark'], ['--slurm-opt=-p', '--slurm-opt=shark']]) {
      const ran = await rig.shark(['plan', 'p.md', '--executor', 'slurm', '--json', ...opts]);
      expect(ran.code, ran.stderr).toBe(0);
      const { slurm } = JSON.parse(ran.stdout) as { slurm: { sbatch: string[] }[] };
      expect(slurm[0]!.sbatch.slice(-2)).toEqual(['-p', 'shark']);
    }
  });

  it('still takes --json with -f json, and a --pool some block uses', async () => {
    expect((await rig.shark(['dag', 'p.md', '--json', '-f', 'json'])).code).toBe(0);
    const ran = await rig.shark(['run', 'p.md', '--pool', 'db=2', '--items-per-task', '4']);
    expect(ran.code, ran.stderr).toBe(0);
    // Taken, but said to do nothing without --executor slurm (it was ignored in silence).
    expect(ran.stderr).toBe('shark: warning: --items-per-task is for --executor slurm: without it the jobs run on this machine, and it does nothing\n');
    const both = await rig.shark(['plan', 'p.md', '--slurm-opt=--partition=gpu', '--items-per-task', '4']);
    expect(both.stderr).toBe('shark: warning: --slurm-opt and --items-per-task are for --executor slurm: without it the jobs run on this machine, and they do nothing\n');
  });
});

describe('values located where they were given', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
  });
  afterEach(() => rig.cleanup());

  it('a pool shark.yaml sizes that no block uses, at its name in shark.yaml', async () => {
    rig.write('shark.yaml', 'pools:\n  db: 2\n  dv: 1\n');
    for (const command of ['run', 'config']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code, command).toBe(2);
      expect(ran.stderr).toContain('shark.yaml:3:3: error: `pools.dv`: no block uses the pool `dv` (the blocks use: db)\n    3 |   dv: 1\n');
    }
  });
});
