import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * Two axes over local files: per (taxon, scenario) a value, per scenario a sum
 * across taxa (the fan-in), then one total across scenarios.
 */
const SWEEP = `---
TAXA: [AMPHIBIA, AVES]
SCENARIO: [restore, arable]
SCALE: 10
---

# Ranges

${fence}shark-import
ranges/%{TAXA}.txt /data/ranges/%{TAXA}.txt
${fence}

# Delta P

${fence}shark-run
echo "deltap %{TAXA} %{SCENARIO}" >> counter; n=$(cat /data/ranges/%{TAXA}.txt); echo $((n * %{SCALE})) > /data/deltap/%{SCENARIO}/%{TAXA}.txt
${fence}

# Sum

${fence}shark-run
echo "sum %{SCENARIO}" >> counter; find /data/deltap/%{SCENARIO}/ -name '*.txt' -exec cat {} + | awk '{ s += $1 } END { printf "%d\\n", s }' > /data/sum/%{SCENARIO}.txt
${fence}

# Total

${fence}shark-run
echo total >> counter; find /data/sum/ -name '*.txt' -exec cat {} + | awk '{ s += $1 } END { print s }' > /data/total.txt
${fence}

${fence}shark-publish
/data/sum/ /data/total.txt
${fence}
`;

interface Event {
  type: string;
  job?: string;
  block?: string;
}

const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
const done = (stdout: string): string[] => events(stdout).filter((e) => e.type === 'job-done').map((e) => e.job!).sort();

describe('sweeps with the real binary', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', SWEEP);
    rig.write('ranges/AMPHIBIA.txt', '1\n');
    rig.write('ranges/AVES.txt', '2\n');
  });
  afterEach(() => rig.cleanup());

  it('runs every instance once, sums across taxa, and a second run runs nothing', async () => {
    const first = await rig.shark(['run', 'p.md', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(done(first.stdout)).toEqual([
      'delta-p[TAXA=AMPHIBIA,SCENARIO=arable]', 'delta-p[TAXA=AMPHIBIA,SCENARIO=restore]',
      'delta-p[TAXA=AVES,SCENARIO=arable]', 'delta-p[TAXA=AVES,SCENARIO=restore]',
      'ranges[TAXA=AMPHIBIA]', 'ranges[TAXA=AVES]',
      'sum[SCENARIO=arable]', 'sum[SCENARIO=restore]', 'total',
    ]);
    // (1 + 2) × 10 in each scenario.
    expect(rig.read('_shark/sum/restore.txt')).toBe('30\n');
    expect(rig.read('_shark/sum/arable.txt')).toBe('30\n');
    expect(rig.read('_shark/total.txt')).toBe('60\n');
    expect(rig.count()).toBe(7);

    const second = await rig.shark(['run', 'p.md', '--json']);
    expect(second.code).toBe(0);
    expect(done(second.stdout)).toEqual([]);
    expect(rig.count()).toBe(7);
  });

  it('re-runs only the instances of a changed value, and what reads them', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('ranges/AVES.txt', '5\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status !== 'cached').map((j) => j.job).sort()).toEqual([
      'delta-p[TAXA=AVES,SCENARIO=arable]', 'delta-p[TAXA=AVES,SCENARIO=restore]',
      'ranges[TAXA=AVES]', 'sum[SCENARIO=arable]', 'sum[SCENARIO=restore]', 'total',
    ]);
    const again = await rig.shark(['run', 'p.md', '--json']);
    expect(again.code).toBe(0);
    expect(done(again.stdout)).toEqual([
      'delta-p[TAXA=AVES,SCENARIO=arable]', 'delta-p[TAXA=AVES,SCENARIO=restore]',
      'ranges[TAXA=AVES]', 'sum[SCENARIO=arable]', 'sum[SCENARIO=restore]', 'total',
    ]);
    expect(rig.read('_shark/sum/restore.txt')).toBe('60\n');
  });

  it('-e TAXA=AVES runs only that subset, whose jobs keep the keys of the whole sweep', async () => {
    const subset = await rig.shark(['run', 'p.md', '--json', '-e', 'TAXA=AVES', '-e', 'SCENARIO=restore']);
    expect(subset.stderr).toBe('');
    expect(subset.code).toBe(0);
    expect(done(subset.stdout)).toEqual(['delta-p[TAXA=AVES,SCENARIO=restore]', 'ranges[TAXA=AVES]', 'sum[SCENARIO=restore]', 'total']);
    expect(rig.lines()).toEqual(['deltap AVES restore', 'sum restore', 'total']);
    expect(rig.read('_shark/total.txt')).toBe('20\n');

    const whole = await rig.shark(['run', 'p.md', '--json']);
    expect(whole.code).toBe(0);
    const cached = events(whole.stdout).filter((e) => e.type === 'job-cached').map((e) => e.job);
    expect(cached).toContain('delta-p[TAXA=AVES,SCENARIO=restore]');
    expect(done(whole.stdout)).not.toContain('delta-p[TAXA=AVES,SCENARIO=restore]');
  });

  it('refuses an -e value the axis does not have, naming the values it has', async () => {
    const r = await rig.shark(['plan', 'p.md', '-e', 'TAXA=AVES,REPTILIA']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p.md:2:1: error: -e TAXA=AVES,REPTILIA: `REPTILIA` is not a value of the axis `TAXA` (its values: AMPHIBIA, AVES)');
  });

  it('takes a repeated -e on an axis as the union of its values, as -e TAXA=A,B', async () => {
    const twice = await rig.shark(['plan', 'p.md', '-e', 'TAXA=AVES', '-e', 'TAXA=AMPHIBIA', '-e', 'SCENARIO=restore']);
    const once = await rig.shark(['plan', 'p.md', '-e', 'TAXA=AMPHIBIA,AVES', '-e', 'SCENARIO=restore']);
    expect([twice.code, twice.stderr]).toEqual([0, '']);
    expect(twice.stdout).toContain('delta-p[TAXA=AMPHIBIA,SCENARIO=restore]');
    expect(twice.stdout).toContain('delta-p[TAXA=AVES,SCENARIO=restore]');
    expect(twice.stdout).toBe(once.stdout);
    const config = await rig.shark(['config', 'p.md', '-e', 'TAXA=AVES', '-e', 'TAXA=AMPHIBIA']);
    expect(config.stdout).toContain('TAXA = [AMPHIBIA, AVES] (command line -e)\n');
    const unknown = await rig.shark(['plan', 'p.md', '-e', 'TAXA=AVES', '-e', 'TAXA=REPTILIA']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('p.md:2:1: error: -e TAXA=AVES -e TAXA=REPTILIA: `REPTILIA` is not a value of the axis `TAXA` (its values: AMPHIBIA, AVES)');
  });

  it('refuses a variable given two values by repeated -e, naming both; the same value twice is one', async () => {
    const r = await rig.shark(['plan', 'p.md', '-e', 'SCALE=2', '-e', 'SCALE=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: -e SCALE=2 -e SCALE=3: `SCALE` is a variable and takes one value, not 2 and 3 (only an axis takes several)');
    expect(r.stdout).toBe('');
    const same = await rig.shark(['plan', 'p.md', '-e', 'SCALE=2', '-e', 'SCALE=2']);
    expect([same.code, same.stderr]).toEqual([0, '']);
  });

  it('shows instance ids in plan, logs and lineage', async () => {
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stdout).toContain('delta-p[TAXA=AVES,SCENARIO=arable]');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const logs = await rig.shark(['logs', 'p.md', 'sum[SCENARIO=restore]']);
    expect(logs.code).toBe(0);
    // A sweep's bare block id is all its instances, each headed by its own id.
    const all = await rig.shark(['logs', 'p.md', 'sum']);
    expect([all.code, all.stderr]).toEqual([0, '']);
    expect(all.stdout.split('\n').filter((l) => l.startsWith('==> ')).map((l) => l.split(' ')[1]).sort()).toEqual(['sum[SCENARIO=arable]', 'sum[SCENARIO=restore]']);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/total.txt']);
    expect(lineage.stdout).toContain('sum[SCENARIO=restore]');
    expect(lineage.stdout).toContain('delta-p[TAXA=AVES,SCENARIO=restore]');
  });

  it('notes every instance after its block in the executed document', async () => {
    expect((await rig.shark(['run', 'p.md', '-o', 'executed.md'])).code).toBe(0);
    const notes = rig.read('executed.md').split('\n').filter((l) => l.startsWith('<!-- shark: '));
    expect(notes.map((l) => l.replace(/, run \d+ -->$/, ''))).toEqual([
      '<!-- shark: ranges[TAXA=AMPHIBIA]', '<!-- shark: ranges[TAXA=AVES]',
      '<!-- shark: delta-p[TAXA=AMPHIBIA,SCENARIO=restore]', '<!-- shark: delta-p[TAXA=AMPHIBIA,SCENARIO=arable]',
      '<!-- shark: delta-p[TAXA=AVES,SCENARIO=restore]', '<!-- shark: delta-p[TAXA=AVES,SCENARIO=arable]',
      '<!-- shark: sum[SCENARIO=restore]', '<!-- shark: sum[SCENARIO=arable]', '<!-- shark: total',
    ]);
  });

  it('says why shark template cannot write into --output-dir, in one plain line, exit 2', async () => {
    rig.write('afile', '');
    const r = await rig.shark(['template', 'p.md', '--output-dir', 'afile/sub']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('shark: error: cannot make --output-dir afile/sub: afile is not a directory\n');
  });

  it('writes one document per combination with shark template', async () => {
    const r = await rig.shark(['template', 'p.md', '--output-dir', 'out']);
    expect(r.code).toBe(0);
    const names = readdirSync(rig.path('out')).sort();
    // Written elsewhere, each would not find the local file it imports: said of each (paths are not rewritten).
    expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual(names.map((n) =>
      `shark: warning: out/${n}: local import ranges/${n.includes('AVES') ? 'AVES' : 'AMPHIBIA'}.txt is in ${rig.dir} but not in out, where the document is (paths are not rewritten: copy or link it there, or write the documents beside the template)`));
    expect(names).toEqual([
      'p.TAXA=AMPHIBIA,SCENARIO=arable.md', 'p.TAXA=AMPHIBIA,SCENARIO=restore.md',
      'p.TAXA=AVES,SCENARIO=arable.md', 'p.TAXA=AVES,SCENARIO=restore.md',
    ]);
    const one = rig.read('out/p.TAXA=AVES,SCENARIO=restore.md');
    expect(one.startsWith('---\nSCALE: 10\n---\n')).toBe(true);
    expect(one).toContain('ranges/AVES.txt /data/ranges/AVES.txt');
    expect(one).toContain('echo "deltap AVES restore" >> counter; n=$(cat /data/ranges/AVES.txt); echo $((n * %{SCALE})) > /data/deltap/restore/AVES.txt');
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(names.map((n) => `out/${n}`));
    // Each is a document of its own that Shark accepts.
    for (const n of names) expect((await rig.shark(['check', `out/${n}`])).code).toBe(0);
  });
});

describe('sweep errors with the real binary, each located', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it.each([
    ['an unknown name', `---\nA: [1]\n---\n${fence}shark-run\necho %{B} > /data/x\n${fence}\n`, 'p.md:5:6: error: unknown `%{B}`: the frontmatter defines A'],
    ['a secret, whose value would enter the key', `---\nsecrets: [TOKEN]\n---\n${fence}shark-run\necho %{TOKEN} > /data/x\n${fence}\n`, 'p.md:5:6: error: `%{TOKEN}`: TOKEN is a secret: its value cannot be put into a command, where it would enter the cache key; read it from the environment as $TOKEN'],
    ['an unclosed %{', `---\nA: [1]\n---\n${fence}shark-run\necho %{A > /data/x\n${fence}\n`, 'p.md:5:6: error: unclosed `%{`: write `%{NAME}` with a closing `}`'],
    ['an empty list', `---\nA: []\n---\n${fence}shark-run\necho > /data/x\n${fence}\n`, 'p.md:2:4: error: the axis `A` has no values: list at least one'],
    ['a value that is not a plain scalar', `---\nA: [{k: v}]\n---\n${fence}shark-run\necho > /data/x\n${fence}\n`, 'p.md:2:5: error: a value of the axis `A` must be a plain string, number or boolean'],
    ['a value that leaves its directory', `---\nA: [../x]\n---\n${fence}shark-run\necho > /data/%{A}\n${fence}\n`, 'p.md:2:5: error: the value `../x` of the axis `A` would make a path leave its directory'],
  ])('%s', async (_, doc, expected) => {
    rig.write('p.md', doc);
    for (const command of ['check', 'template']) {
      const r = await rig.shark(command === 'check' ? ['check', 'p.md'] : ['template', 'p.md', '--output-dir', 'out']);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toContain(expected);
      expect(rig.exists('out')).toBe(false);
    }
  });
});
