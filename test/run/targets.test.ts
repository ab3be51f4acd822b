import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * Two independent sources, a map over items that also reads the first, a
 * report, a `{manual}` validation of the report and a summary that needs it.
 * Every command appends its name to `counter`.
 */
const PIPELINE = `# Targets

## A

${fence}shark-run
echo a >> counter; echo one > /data/a.txt
${fence}

## B

${fence}shark-run
echo b >> counter; echo two > /data/b.txt
${fence}

## Items

${fence}shark-run
echo items >> counter; mkdir -p /data/items && for i in 1 2 3; do echo $i > /data/items/i$i.txt; done
${fence}

## Double

${fence}shark-run
echo "double $(basename /data/items/*)" >> counter; cat /data/items/* /data/a.txt > /data/doubled/+
${fence}

## Report

${fence}shark-run
echo report >> counter; find /data/doubled/ -type f -exec cat {} + > /data/report.txt
${fence}

## Validate

${fence}shark-run {manual}
echo validate >> counter; wc -l /data/report.txt > /data/validation.txt
${fence}

## Summary

${fence}shark-run
echo summary >> counter; cat /data/validation.txt /data/b.txt > /data/summary.txt
${fence}
`;

interface Event {
  type: string;
  job?: string;
  summary?: { leftOut?: number; manual?: string[]; needsManual?: string[] };
}

const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
const done = (stdout: string): string[] => events(stdout).filter((e) => e.type === 'job-done').map((e) => e.job!).sort();

describe('running part of a pipeline', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('a /data path target runs only its writer, and says how many steps were left out', async () => {
    const r = await rig.shark(['run', 'p.md', '/data/a.txt']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(rig.lines()).toEqual(['a']);
    expect(r.stdout).toContain('left out: 6 steps not needed for the targets');
    const plan = await rig.plan('p.md', '/data/b.txt');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['b', 'run']]);
  });

  it('a block id target runs the block and, transitively, what it reads', async () => {
    const r = await rig.shark(['run', 'p.md', 'double', '--json']);
    expect(r.code).toBe(0);
    expect(done(r.stdout)).toEqual(['a', 'double[i1.txt]', 'double[i2.txt]', 'double[i3.txt]', 'items']);
    expect(events(r.stdout).find((e) => e.type === 'run-end')?.summary?.leftOut).toBe(4);
    expect(rig.lines().sort()).toEqual(['a', 'double i1.txt', 'double i2.txt', 'double i3.txt', 'items']);
  });

  it('a path under a step\'s output directory selects that step', async () => {
    const plan = await rig.plan('p.md', '/data/doubled/i2.txt');
    expect([...new Set(plan.jobs.map((j) => j.step))]).toEqual(['a', 'items', 'double']);
    const r = await rig.shark(['run', 'p.md', '/data/doubled/']);
    expect(r.code).toBe(0);
    expect(rig.count()).toBe(5);
  });

  it('without targets a {manual} block and what needs it are skipped and named; plan shows them as manual', async () => {
    const plan = await rig.plan('p.md');
    const validate = plan.jobs.find((j) => j.step === 'validate');
    expect(validate?.status).toBe('manual');
    expect(validate?.reasons).toEqual(['runs only when named as a target']);
    const summary = plan.jobs.find((j) => j.step === 'summary');
    expect(summary?.status).toBe('manual');
    expect(summary?.reasons).toEqual(['needs validate, which is {manual}']);
    expect(plan.summary).toMatchObject({ run: 3, blocked: 2, manual: 2 });
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout).toMatch(/^manual\s+validate\s+p\.md:\d+\s+runs only when named as a target$/m);

    const r = await rig.shark(['run', 'p.md']);
    expect(r.code).toBe(0);
    expect(rig.lines()).not.toContain('validate');
    expect(rig.lines()).not.toContain('summary');
    expect(rig.lines()).toContain('report');
    expect(r.stdout).toContain('skipped (manual): validate');
    expect(r.stdout).toContain('skipped (needs a manual block): summary');
    expect(rig.exists('.shark')).toBe(true);
  });

  it('a {manual} block named as a target runs, with what it reads', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const before = rig.count();
    const r = await rig.shark(['run', 'p.md', 'validate', '--json']);
    expect(r.code).toBe(0);
    expect(done(r.stdout)).toEqual(['validate']);
    expect(rig.count()).toBe(before + 1);
    // A target that needs a {manual} block asks for it too: here its result is already there.
    const s = await rig.shark(['run', 'p.md', 'summary', '--json']);
    expect(s.code).toBe(0);
    expect(done(s.stdout)).toEqual(['summary']);
  });

  it('a --force the targets or {manual} leave out is said in plan and run, not silently dropped', async () => {
    const plan = await rig.shark(['plan', 'p.md', '/data/a.txt', '--force', 'b,a']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('note: --force b: not needed for the targets, not run');
    expect(plan.stdout).not.toContain('--force a:');
    const run = await rig.shark(['run', 'p.md', '/data/a.txt', '--force', 'b']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}note: --force b: not needed for the targets, not run$/m);
    expect(rig.lines()).toEqual(['a']);
    const json = events((await rig.shark(['run', 'p.md', '/data/a.txt', '--force', 'b', '--json'])).stdout);
    expect((json.find((e) => e.type === 'run-end')?.summary as { forceUnused?: string[] }).forceUnused)
      .toEqual(['--force b: not needed for the targets, not run']);
    const manual = await rig.shark(['plan', 'p.md', '--force', 'validate']);
    expect(manual.stdout).toContain('note: --force validate: {manual}, not run unless named as a target (or needed by one)');
  });

  it('an unknown target exits 2 naming the block ids and the closest one', async () => {
    const r = await rig.shark(['run', 'p.md', 'valdate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean `validate`?');
    expect(r.stderr).toContain('a, b, items, double, report, validate, summary');
    expect(rig.count()).toBe(0);
    const p = await rig.shark(['plan', 'p.md', '/data/nothing.txt']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('no step writes /data/nothing.txt');
    const f = await rig.shark(['plan', 'p.md', '--force', 'nope']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('--force');
  });
});

const SWEEP = `---
TAXA: [AMPHIBIA, AVES]
SCENARIO: [restore, arable]
---

# Ranges

${fence}shark-run
echo "range %{TAXA}" >> counter; echo %{TAXA} > /data/ranges/%{TAXA}.txt
${fence}

# Delta P

${fence}shark-run
echo "deltap %{TAXA} %{SCENARIO}" >> counter; cat /data/ranges/%{TAXA}.txt > /data/deltap/%{SCENARIO}/%{TAXA}.txt
${fence}
`;

describe('targets in a sweep', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', SWEEP);
  });
  afterEach(() => rig.cleanup());

  it('an instance id selects that instance and what it reads', async () => {
    const r = await rig.shark(['run', 'p.md', 'delta-p[TAXA=AVES,SCENARIO=restore]', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(done(r.stdout)).toEqual(['delta-p[TAXA=AVES,SCENARIO=restore]', 'ranges[TAXA=AVES]']);
  });

  it('a bare block id selects all its instances', async () => {
    const plan = await rig.plan('p.md', 'ranges');
    expect(plan.jobs.map((j) => j.job)).toEqual(['ranges[TAXA=AMPHIBIA]', 'ranges[TAXA=AVES]']);
    const force = await rig.shark(['plan', 'p.md', '--force', 'ranges[TAXA=AVES],ranges[TAXA=AMPHIBIA]']);
    expect(force.code).toBe(0);
  });
});
