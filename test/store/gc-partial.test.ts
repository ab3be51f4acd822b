import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

const fence = '```';

/** Three independent-enough blocks: the QA report's `expensive → report`, and `extra`. */
const THREE = `# GC

${fence}shark-run {id=expensive}
echo expensive >> counter; yes computed-for-hours | head -c 100000 > /data/model.txt
${fence}

${fence}shark-run {id=report}
echo report >> counter; wc -c < /data/model.txt > /data/report.txt
${fence}

${fence}shark-run {id=extra}
echo extra >> counter; echo extra > /data/extra.txt
${fence}
`;

/** Items made by one block, and a map over them whose item named `failing` exits 4. */
const items = (word: string, failing: string): string => `# Map

${fence}shark-run
mkdir -p /data/items && for i in 1 2 3; do echo $i > /data/items/i$i.txt; done
${fence}

${fence}shark-run
f=$(basename /data/items/*); [ "$f" = ${failing} ] && exit 4; { echo $f; yes ${word} | head -c 50000; } > /data/out/+
${fence}
`;

/**
 * A run that did not cover the whole document (targets, `-e AXIS=V`, a
 * `{manual}` block left out, a failure) must not make gc free the results
 * the rest of the document still reuses.
 */
describe('shark gc after a run that covered part of the document', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('a run with targets: the blocks it left out keep the results of the run that finished them, and the dry run says so', async () => {
    rig.write('p.md', THREE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', 'extra'])).code).toBe(0);
    const dry = await rig.shark(['gc', 'p.md']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/keeping p\.md run 2 \(latest finished run, 1 result\), and for blocks run 2 left out or did not finish: run 1 \(expensive, report; 2 results\)\n/);
    expect(dry.stdout).toMatch(/would free 0 objects/);
    const real = await rig.shark(['gc', 'p.md', '--delete']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('still frees what a later run replaced: a block changed and run again keeps only its new result', async () => {
    rig.write('p.md', THREE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', 'extra'])).code).toBe(0);
    rig.write('p.md', THREE.replace('computed-for-hours', 'computed-again'));
    expect((await rig.shark(['run', 'p.md', 'report'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    // Run 3 finished expensive and report; extra is kept from run 2, whose result is run 1's.
    expect(gc.stdout).toMatch(/keeping p\.md run 3 \(latest finished run, 2 results\), and for blocks run 3 left out or did not finish: run 2 \(extra; 1 result\)\n/);
    expect(gc.stdout).toMatch(/freed 1 object, 0\.1 MB/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('a run restricted to some axis values keeps the other values\' results', async () => {
    rig.write('p.md', `---
TAXA: [AVES, MAMMALIA]
---

# Ranges

${fence}shark-run
echo "range %{TAXA}" >> counter; yes %{TAXA} | head -c 50000 > /data/ranges/%{TAXA}.txt
${fence}
`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'TAXA=AVES'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/run 1 \(ranges\[TAXA=MAMMALIA\]; 1 result\)/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect(rig.count()).toBe(2);
  });

  it('a run restricted to some axis values keeps the whole sweep\'s fan-in result, which it did not finish', async () => {
    const doc = `---
TAXA: [A, B]
---

# Per taxon

${fence}shark-run
echo %{TAXA} > /data/per/%{TAXA}.txt
${fence}

# Total

${fence}shark-run
echo total >> counter; { echo total; find /data/per/ -type f -exec cat {} + | sort; } > /data/total.txt
${fence}

# Report

${fence}shark-run
echo report >> counter; wc -l < /data/total.txt > /data/report.txt
${fence}
`;
    rig.write('p.md', doc);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // total and report read every taxon: run over A only, they are jobs of their own.
    expect((await rig.shark(['run', 'p.md', '-e', 'TAXA=A'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/run 1 \(per-taxon\[TAXA=B\], total, report; 3 results\)/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    // Once a full run finished them again, the subset's versions are what is freed.
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).stdout).toMatch(/keeping p\.md run 3 \(latest finished run, 4 results\)\nfreed 2 objects/);
    expect(toRun(await rig.plan('p.md', '-e', 'TAXA=A'))).toEqual(['total', 'report']);
    expect(rig.count()).toBe(4);
  });

  it('a run with other -e variables did not finish the document\'s steps: the plain run\'s results are kept beside it', async () => {
    rig.write('p.md', `---
YEAR: 2020
TAXA: [AVES, MAMMALIA]
---
# T

${fence}shark-run
echo "$YEAR" > /data/year.txt
${fence}

# Per taxon

${fence}shark-run
echo "%{TAXA} $YEAR" > /data/taxa/%{TAXA}.txt
${fence}

# Total

${fence}shark-run
ls /data/taxa/ > /data/total.txt; cat /data/year.txt >> /data/total.txt
${fence}
`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // An exploration with another year: every job under keys of its own.
    expect((await rig.shark(['run', 'p.md', '-e', 'YEAR=2021'])).code).toBe(0);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect(toRun(await rig.plan('p.md', '-e', 'YEAR=2021'))).toEqual([]);
    // A subset of the plain configuration: the other taxon and the whole sweep's total are the plain run's, not 2021's.
    expect((await rig.shark(['run', 'p.md', '-e', 'TAXA=AVES'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/run 1 \(per-taxon\[TAXA=MAMMALIA\], total; 2 results\)/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('a {manual} block keeps its result after plain runs, which leave it out', async () => {
    rig.write('p.md', `${THREE}
${fence}shark-run {id=never, manual}
echo never >> counter; yes never | head -c 50000 > /data/never.txt
${fence}
`);
    expect((await rig.shark(['run', 'p.md', 'never'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/keeping p\.md run 3 \(latest finished run, 3 results\), and for blocks run 3 left out or did not finish: run 1 \(never; 1 result\)\n/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md', 'never'))).toEqual([]);
  });

  it('a run that failed early keeps the last good results of what it did not finish', async () => {
    rig.write('p.md', THREE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', THREE.replace('echo expensive >> counter;', 'echo expensive >> counter; exit 3;'));
    expect((await rig.shark(['run', 'p.md', '-j', '1'])).code).toBe(1);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    // extra was cached in run 2; expensive failed and report never ran: theirs are run 1's.
    expect(gc.stdout).toMatch(/keeping p\.md run 2 \(latest finished run, failed, 1 result\), and for blocks run 2 left out or did not finish: run 1 \(expensive, report; 2 results\)\n/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    // Back to the version that worked: nothing to compute again.
    rig.write('p.md', THREE);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('keeps one result per job: the newest good one, not every failed attempt\'s', async () => {
    rig.write('p.md', items('v1', 'none'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', items('v2', 'i3.txt'));
    expect((await rig.shark(['run', 'p.md', '-k'])).code).toBe(1);
    rig.write('p.md', items('v3', 'i3.txt'));
    expect((await rig.shark(['run', 'p.md', '-k'])).code).toBe(1);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    // v3 of i1 and i2 (run 3), v1 of i3 (run 1); v1 and v2 of i1 and i2 are freed.
    expect(gc.stdout).toMatch(/, and for blocks run 3 left out or did not finish: run 1 \(map-2; 1 result\)\n/);
    expect(gc.stdout).toMatch(/freed 4 objects/);
    rig.write('p.md', items('v1', 'none'));
    expect(toRun(await rig.plan('p.md'))).toEqual(['map-2[i1.txt]', 'map-2[i2.txt]']);
  });

  it('keeps a fully cached map that a run named from an earlier run\'s rows', async () => {
    rig.write('p.md', items('v1', 'none'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // Every job cached: run 2 remembers the map (a step memo), and run 3 names run 2's rows of it instead of writing its own.
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', 'map'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/keeping p\.md run 4 \(latest finished run, 1 result\), and for blocks run 4 left out or did not finish: run 3 \(map-2; 3 results\)\n/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('a run that named some jobs of a map did not finish it: its other items keep their results, {precious} ones too', async () => {
    rig.write('p.md', items('v1', 'none'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', 'map-2[i1.txt]'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/, and for blocks run 2 left out or did not finish: run 1 \(map-2; 2 results\)\n/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    // Edited, a {precious} map keeps every item's result: a run naming one item must not free the others'.
    const precious = (word: string): string => items(word, 'none').replace(`${fence}shark-run\nf=`, `${fence}shark-run {precious}\nf=`);
    rig.write('p.md', precious('v1'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', precious('v2'));
    expect((await rig.shark(['run', 'p.md', 'map-2[i2.txt]'])).code).toBe(0);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    const plan = await rig.plan('p.md');
    expect(toRun(plan)).toEqual([]);
    expect(plan.jobs.filter((j) => j.reasons.some((r) => r.startsWith('kept (precious)'))).map((j) => j.job)).toEqual(['map-2[i1.txt]', 'map-2[i2.txt]', 'map-2[i3.txt]']);
  });

  it('reads the document first: one it cannot load stops gc before anything is freed', async () => {
    rig.write('p.md', THREE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('q.md', THREE);
    expect((await rig.shark(['run', 'q.md'])).code).toBe(0);
    rig.write('p.md', THREE.replace('{id=extra}', '{id=report}'));
    const gc = await rig.shark(['gc', 'q.md', 'p.md', '--delete']);
    expect(gc.code).toBe(2);
    expect(gc.stderr).toMatch(/^p\.md:\d+:\d+: error: block id `report` is used twice/);
    expect(gc.stdout).toBe('');
  });
});
