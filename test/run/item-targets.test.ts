import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/** A source of three items, a map over them, a report of the whole map, and a block apart. Commands append to `counter`. */
const PIPELINE = `# Items

## Items

${fence}shark-run
echo items >> counter; mkdir -p /data/items && for i in 1 2 3; do echo $i > /data/items/i$i.txt; done
${fence}

## Up

${fence}shark-run
echo "up $(basename /data/items/*)" >> counter; cat /data/items/* > /data/up/+
${fence}

## Report

${fence}shark-run
echo report >> counter; find /data/up/ -type f -exec cat {} + > /data/report.txt
${fence}

## Other

${fence}shark-run
echo other >> counter; echo o > /data/other.txt
${fence}
`;

interface Event {
  type: string;
  job?: string;
}

const done = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l) as Event).filter((e) => e.type === 'job-done').map((e) => e.job!).sort();

describe('one item of a map as a target or --force', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('a job id as plan prints it is a target: that one job and what it needs', async () => {
    const r = await rig.shark(['run', 'p.md', 'up[i2.txt]', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(done(r.stdout)).toEqual(['items', 'up[i2.txt]']);
    expect(rig.lines().sort()).toEqual(['items', 'up i2.txt']);
    const plan = await rig.plan('p.md', 'up[i3.txt]');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['items', 'cached'], ['up[i3.txt]', 'run']]);
  });

  it('a path a map job writes selects that job; a path no job would write is exit 2 naming the map and its items', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const plan = await rig.plan('p.md', '/data/up/i1.txt', '--force', '/data/up/i1.txt');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['items', 'cached'], ['up[i1.txt]', 'run']]);
    const zz = await rig.shark(['plan', 'p.md', '/data/up/zz.txt']);
    expect(zz.code).toBe(2);
    expect(zz.stderr).toBe('shark: error: no job of map up writes /data/up/zz.txt (its items: i1.txt, i2.txt, i3.txt)\n');
    const typo = await rig.shark(['run', 'p.md', 'up[i4.txt]']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('shark: error: map up has no job `up[i4.txt]` (did you mean `up[i1.txt]`? its items: i1.txt, i2.txt, i3.txt)\n');
    const force = await rig.shark(['plan', 'p.md', '--force', 'up[zz]']);
    expect(force.code).toBe(2);
    expect(force.stderr).toContain('shark: error: --force map up has no job `up[zz]`');
  });

  it('--force of a job id or of a path one job writes forces only that job', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const byId = await rig.plan('p.md', '--force', 'up[i2.txt]');
    expect(byId.jobs.map((j) => [j.job, j.status])).toEqual([
      ['items', 'cached'], ['up[i1.txt]', 'cached'], ['up[i2.txt]', 'run'], ['up[i3.txt]', 'cached'], ['report', 'blocked'], ['other', 'cached'],
    ]);
    expect(byId.jobs.find((j) => j.job === 'up[i2.txt]')?.reasons).toEqual(['forced (--force)']);
    const byPath = await rig.plan('p.md', '--force', '/data/up/i2.txt');
    expect(byPath.jobs.map((j) => [j.job, j.status])).toEqual(byId.jobs.map((j) => [j.job, j.status]));
    const before = rig.count();
    const r = await rig.shark(['run', 'p.md', '--force', 'up[i2.txt]', '--json']);
    expect(r.code).toBe(0);
    // The same bytes again: report's key is unchanged, and it stays cached.
    expect(done(r.stdout)).toEqual(['up[i2.txt]']);
    expect(rig.count()).toBe(before + 1);
  });

  it('--force of a job the item targets leave out is said, never dropped quietly (plan, run, shark.yaml)', async () => {
    const note = '--force up[i2.txt]: not needed for the targets, not run';
    // The items are made by the run itself: known only when the map starts.
    const first = await rig.shark(['run', 'p.md', 'up[i1.txt]', '--force', 'up[i2.txt]', '--json']);
    expect(first.code).toBe(0);
    expect(done(first.stdout)).toEqual(['items', 'up[i1.txt]']);
    const end = (stdout: string): { forceUnused?: string[] } => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { summary: { forceUnused?: string[] } }).summary;
    expect(end(first.stdout).forceUnused).toEqual([note]);
    const plan = await rig.plan('p.md', 'up[i1.txt]', '--force', 'up[i2.txt],/data/up/i1.txt');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['items', 'cached'], ['up[i1.txt]', 'run']]);
    expect(plan.notes).toContain(note);
    const text = await rig.shark(['run', 'p.md', 'up[i1.txt]', '--force', 'up[i2.txt]']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`  note: ${note}\n`);
    rig.write('shark.yaml', 'force: ["up[i2.txt]"]\n');
    expect((await rig.plan('p.md', 'up[i1.txt]')).notes).toContain(note);
  });

  it('a job no map has, named in shark.yaml\'s force: or targets:, is an error at its entry, not blamed on --force', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const says = (key: string, col: number): string => `shark.yaml:1:${col}: error: \`${key}\`: map up has no job \`up[i4.txt]\` (did you mean \`up[i1.txt]\`? its items: i1.txt, i2.txt, i3.txt)\n`
      + `    1 | ${key}: [other, "up[i4.txt]"]\n      | ${' '.repeat(col - 1)}^\n1 error in shark.yaml\n`;
    for (const [key, col] of [['force', 16], ['targets', 18]] as const) {
      rig.write('shark.yaml', `${key}: [other, "up[i4.txt]"]\n`);
      for (const command of ['plan', 'run']) {
        const r = await rig.shark([command, 'p.md']);
        expect(r.stderr).toBe(says(key, col));
        expect(r.code).toBe(2);
      }
    }
  });

  it('a job of a map over another map\'s items needs only the same item upstream, in plan and run', async () => {
    rig.write('p.md', PIPELINE.replace('## Report', `## Down

${fence}shark-run
echo "down $(basename /data/up/*)" >> counter; cat /data/up/* > /data/down/+
${fence}

## Report`));
    const ran = await rig.shark(['run', 'p.md', 'down[i2.txt]', '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(done(ran.stdout)).toEqual(['down[i2.txt]', 'items', 'up[i2.txt]']);
    expect(rig.lines().sort()).toEqual(['down i2.txt', 'items', 'up i2.txt']);
    // Planned again, the same item is cached all the way, the others left out.
    const plan = await rig.plan('p.md', 'down[i2.txt]');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['items', 'cached'], ['up[i2.txt]', 'cached'], ['down[i2.txt]', 'cached']]);
    // By a path the job writes too; and another item runs that item alone.
    const other = await rig.shark(['run', 'p.md', '/data/down/i3.txt', '--json']);
    expect(other.code).toBe(0);
    expect(done(other.stdout)).toEqual(['down[i3.txt]', 'up[i3.txt]']);
    // The whole map still needs every item.
    expect((await rig.plan('p.md', 'down')).jobs.filter((j) => j.status === 'run').map((j) => j.job)).toEqual(['up[i1.txt]']);
    // An item no job upstream makes names no job below: exit 2 naming the map and its items (plan noted 0 jobs, exit 0; run failed).
    for (const command of ['plan', 'run']) {
      const typo = await rig.shark([command, 'p.md', 'down[zz.txt]']);
      expect([typo.code, typo.stderr]).toEqual([2, expect.stringMatching(/^shark: error: no job of map up writes \/data\/up\/zz\.txt \(its items: i1\.txt, i2\.txt, i3\.txt\), which a map the targets name reads\n$/)]);
    }
  });

  it('a map needed whole by another target runs whole', async () => {
    const plan = await rig.plan('p.md', 'up[i1.txt]', 'report');
    expect(plan.jobs.map((j) => j.job)).toEqual(['items', 'up', 'report']);
  });

  it('an item whose name holds a tab is named as it is, or as plan prints it (`\\t`)', async () => {
    rig.write('p.md', PIPELINE.replace('/data/items/i$i.txt', '"/data/items/i$(printf \'\\t\')$i.txt"'));
    expect((await rig.shark(['run', 'p.md', 'items'])).code).toBe(0);
    for (const name of ['up[i\t2.txt]', 'up[i\\t2.txt]']) {
      const plan = await rig.shark(['plan', 'p.md', name, '--force', name, '--json']);
      expect([plan.code, plan.stderr]).toEqual([0, '']);
      const jobs = (JSON.parse(plan.stdout) as { jobs: { job: string; status: string; reasons: string[] }[] }).jobs;
      expect(jobs.map((j) => j.job)).toEqual(['items', 'up[i\\t2.txt]']);
    }
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    for (const name of ['up[i\t2.txt]', 'up[i\\t2.txt]']) {
      const logs = await rig.shark(['logs', 'p.md', name]);
      expect([logs.code, logs.stderr, logs.stdout]).toEqual([0, '', expect.stringContaining('==> up[i\\t2.txt] (ok')]);
    }
  });

  it('two items whose ids would read the same (a tab, and a backslash then t) fail the map before either runs', async () => {
    // Job ids escape a tab as `\t`: an item named `i\t2.txt` would be recorded as the other, one run's row lost.
    rig.write('p.md', `# Items

${fence}shark-run
mkdir -p /data/items && echo 1 > "/data/items/i$(printf '\\t')2.txt" && echo 2 > '/data/items/i\\t2.txt'
${fence}

${fence}shark-run
cat /data/items/* > /data/up/+
${fence}
`);
    expect((await rig.shark(['run', 'p.md', 'items'])).code).toBe(0);
    const said = 'two jobs of items-2 would both be named items-2[i\\t2.txt]: items "i\\t2.txt" and "i\\\\t2.txt"; rename one of them';
    const plan = await rig.shark(['plan', 'p.md']);
    expect([plan.code, plan.stdout]).toEqual([0, expect.stringContaining(said)]);
    // As when two jobs write one file: the step fails before either runs.
    const run = await rig.shark(['run', 'p.md']);
    expect([run.code, run.stdout + run.stderr]).toEqual([1, expect.stringContaining(said)]);
  });
});

const SWEEP = `---
TAXA: [AMPHIBIA, AVES]
---

# Ranges

${fence}shark-run
echo "range %{TAXA}" >> counter; mkdir -p /data/ranges/%{TAXA} && echo a > /data/ranges/%{TAXA}/a.txt && echo b > /data/ranges/%{TAXA}/b.txt
${fence}

# Area

${fence}shark-run
echo "area %{TAXA} $(basename /data/ranges/%{TAXA}/*)" >> counter; cat /data/ranges/%{TAXA}/* > /data/area/%{TAXA}/+
${fence}
`;

describe('one item of a sweep instance\'s map', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', SWEEP);
  });
  afterEach(() => rig.cleanup());

  it('the job id with the instance id is a target and a --force', async () => {
    const r = await rig.shark(['run', 'p.md', 'area[TAXA=AVES][b.txt]', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(done(r.stdout)).toEqual(['area[TAXA=AVES][b.txt]', 'ranges[TAXA=AVES]']);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const plan = await rig.plan('p.md', '--force', 'area[TAXA=AMPHIBIA][a.txt]');
    expect(plan.jobs.filter((j) => j.status === 'run').map((j) => j.job)).toEqual(['area[TAXA=AMPHIBIA][a.txt]']);
  });

  it('a job id without its instance, with a value the axis lacks or one -e leaves out is said as such', async () => {
    const says = async (args: string[], message: string): Promise<void> => {
      const r = await rig.shark(['plan', 'p.md', ...args]);
      expect(r.stderr).toBe(`shark: error: ${message}\n`);
      expect(r.code).toBe(2);
    };
    await says(['area[a.txt]'], '`area[a.txt]` names no instance of area, a sweep: a job of its map is named with its instance, as `area[TAXA=AMPHIBIA][a.txt]` (instances: area[TAXA=AMPHIBIA], area[TAXA=AVES])');
    await says(['area[TAXA=BIRDS][a.txt]'], '`area[TAXA=BIRDS][a.txt]`: `BIRDS` is not a value of the axis `TAXA` (its values: AMPHIBIA, AVES)');
    await says(['area[TAXA=AVES][a.txt]', '-e', 'TAXA=AMPHIBIA'], '`area[TAXA=AVES][a.txt]` is left out by -e TAXA=AMPHIBIA');
    await says(['--force', 'area[TAXA=AVES][a.txt]', '-e', 'TAXA=AMPHIBIA'], '--force `area[TAXA=AVES][a.txt]` is left out by -e TAXA=AMPHIBIA');
  });
});
