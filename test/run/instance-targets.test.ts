import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const SWEEP = `---
TAXA: [AMPHIBIA, AVES]
MIN_CELLS: [3]
SCENARIO: [urban, rural]
SCALE: [0.25]
---

# Ranges

${fence}shark-run
seq 5 > /data/ranges/%{TAXA}.txt
${fence}

# Filter species

${fence}shark-run
head -n %{MIN_CELLS} /data/ranges/%{TAXA}.txt > /data/filtered/%{TAXA}.txt
${fence}

# Total

${fence}shark-run
cat /data/filtered/AMPHIBIA.txt /data/filtered/AVES.txt | sed 's/^/%{SCENARIO} %{SCALE} /' > /data/total/%{SCENARIO}.txt
${fence}

# Area

${fence}shark-run
cat /data/filtered/*.txt | sed 's/^/%{SCENARIO} /' > /data/area/%{SCENARIO}/+
${fence}
`;

/**
 * An instance id names its axis values, in the order the document has
 * them; a user writes them in any order, and leaves out an axis of one
 * value (`MIN_CELLS: [3]`): both name the one instance they can only mean.
 */
describe('an instance id with its axes in another order, or an axis of one value left out', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-instance-targets-');
    rig.write('p.md', SWEEP);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  const planned = async (...args: string[]): Promise<string[]> => {
    const plan = await rig.plan('p.md', ...args);
    return plan.jobs.filter((j) => j.status === 'run').map((j) => j.job);
  };

  it('is a target and a --force, as the id plan prints', async () => {
    const left = await rig.shark(['plan', 'p.md', 'filter-species[TAXA=AVES]']);
    expect([left.code, left.stderr]).toEqual([0, '']);
    expect(left.stdout).toBe('cached   ranges[TAXA=AVES]                     p.md:11\ncached   filter-species[TAXA=AVES,MIN_CELLS=3] p.md:17\nnote: left out: 6 steps not needed for the targets\n2 jobs: 2 cached, 0 to run\n');
    const swapped = await rig.shark(['plan', 'p.md', 'total[SCALE=0.25,SCENARIO=urban]']);
    expect([swapped.code, swapped.stderr]).toEqual([0, '']);
    expect(swapped.stdout).toContain('cached   total[SCENARIO=urban,SCALE=0.25]');
    expect(await planned('--force', 'total[SCALE=0.25,SCENARIO=urban]')).toEqual(['total[SCENARIO=urban,SCALE=0.25]']);
    expect(await planned('--force', 'filter-species[MIN_CELLS=3,TAXA=AMPHIBIA]')).toEqual(['filter-species[TAXA=AMPHIBIA,MIN_CELLS=3]']);
    expect(await planned('--force', 'total[SCENARIO=rural]')).toEqual(['total[SCENARIO=rural,SCALE=0.25]']);
    // A map's job id likewise.
    expect(await planned('--force', 'area[SCENARIO=urban][AVES.txt]')).toEqual(['area[SCENARIO=urban][AVES.txt]']);
  });

  it('leaving out an axis of several values is exit 2, naming the instances it could mean', async () => {
    const r = await rig.shark(['plan', 'p.md', 'filter-species[MIN_CELLS=3]']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('shark: error: `filter-species[MIN_CELLS=3]` leaves out the axis TAXA, and names 2 instances: did you mean `filter-species[TAXA=AMPHIBIA,MIN_CELLS=3]` or `filter-species[TAXA=AVES,MIN_CELLS=3]`? (`filter-species` names them all)\n');
    const forced = await rig.shark(['plan', 'p.md', '--force', 'total[SCALE=0.25]']);
    expect([forced.code, forced.stderr]).toEqual([2, 'shark: error: --force `total[SCALE=0.25]` leaves out the axis SCENARIO, and names 2 instances: did you mean `total[SCENARIO=urban,SCALE=0.25]` or `total[SCENARIO=rural,SCALE=0.25]`? (`total` names them all)\n']);
    // With -e keeping one value of the axis, the id names one instance.
    expect(await planned('-e', 'SCENARIO=urban', '--force', 'total[SCALE=0.25]')).toEqual(['total[SCENARIO=urban,SCALE=0.25]']);
  });

  it('an axis the block does not have is named as such', async () => {
    const r = await rig.shark(['plan', 'p.md', 'filter-species[TAXON=AVES]']);
    expect([r.code, r.stderr]).toEqual([2, 'shark: error: `filter-species[TAXON=AVES]`: `TAXON` is no axis of filter-species (its axes: TAXA, MIN_CELLS)\n']);
  });

  it('an axis given to a block that mentions none says so, not that the block is unknown', async () => {
    rig.write('q.md', `---\nTAXA: [A, B]\n---\n\n# Ranges\n\n${fence}shark-run\nseq 3 > /data/r.txt\n${fence}\n\n# Per\n\n${fence}shark-run\nsed 's/^/%{TAXA} /' /data/r.txt > /data/per/%{TAXA}.txt\n${fence}\n`);
    const r = await rig.shark(['plan', 'q.md', 'ranges[TAXA=A]']);
    expect([r.code, r.stderr]).toEqual([2, 'shark: error: `ranges[TAXA=A]`: ranges mentions no axis (TAXA is not in its commands), so it has one instance, `ranges`\n']);
  });

  it('logs takes the same ids; a name matching nothing lists the run\'s blocks in the document\'s order, ten at most', async () => {
    for (const id of ['total[SCALE=0.25,SCENARIO=urban]', 'total[SCENARIO=urban]']) {
      const r = await rig.shark(['logs', 'p.md', id]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toBe('==> total[SCENARIO=urban,SCALE=0.25] (ok, line 23) (printed nothing)\n');
    }
    const several = await rig.shark(['logs', 'p.md', 'total[SCALE=0.25]']);
    expect([several.code, several.stderr]).toEqual([2, 'shark: error: `total[SCALE=0.25]` leaves out the axis SCENARIO, and names 2 instances: did you mean `total[SCENARIO=urban,SCALE=0.25]` or `total[SCENARIO=rural,SCALE=0.25]`? (`total` names them all)\n']);
    const none = await rig.shark(['logs', 'p.md', 'nothing']);
    expect([none.code, none.stderr]).toEqual([1, 'shark: no job of run 1 matches `nothing` (blocks: ranges[TAXA=AMPHIBIA], ranges[TAXA=AVES], filter-species[TAXA=AMPHIBIA,MIN_CELLS=3], filter-species[TAXA=AVES,MIN_CELLS=3], total[SCENARIO=rural,SCALE=0.25], total[SCENARIO=urban,SCALE=0.25], area[SCENARIO=rural], area[SCENARIO=urban])\n']);
  });
});

describe('logs of a name no job of a large sweep has', () => {
  it('lists the first ten of the run\'s blocks in order (numbers by their value), and how many more', async () => {
    const rig = new Rig('shark-instance-logs-');
    try {
      rig.write('p.md', `---\nN: [${Array.from({ length: 12 }, (_, i) => 12 - i).join(', ')}]\n---\n\n${fence}shark-run {id=n}\necho %{N} > /data/n/%{N}.txt\n${fence}\n`);
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      const r = await rig.shark(['logs', 'p.md', 'm']);
      const blocks = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].map((n) => `n[N=${n}]`).join(', ');
      expect([r.code, r.stderr]).toEqual([1, `shark: no job of run 1 matches \`m\` (blocks: ${blocks} and 2 more)\n`]);
    } finally {
      rig.cleanup();
    }
  });
});
