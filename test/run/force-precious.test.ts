import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

interface Event {
  type: string;
  job?: string;
}

const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
const done = (stdout: string): string[] => events(stdout).filter((e) => e.type === 'job-done').map((e) => e.job!).sort();

/** `fetch` reads state outside Shark's view (a file named through a variable: its key does not see it), as a database or a web API would be. */
const FETCH = `# Force

${fence}shark-run {id=fetch}
echo fetch >> counter; E=ext; cat $E.txt > /data/ext.txt
${fence}

${fence}shark-run {id=use}
echo use >> counter; cat /data/ext.txt > /data/used.txt
${fence}
`;

describe('--force', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', FETCH);
    rig.write('ext.txt', 'v1\n');
  });
  afterEach(() => rig.cleanup());

  it('re-runs a cached block; its readers re-run only when its outputs changed', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.lines()).toEqual(['fetch', 'use']);

    const plan = await rig.plan('p.md', '--force', 'fetch');
    expect(plan.jobs.map((j) => [j.job, j.status, j.reasons])).toEqual([
      ['fetch', 'run', ['forced (--force)']],
      ['use', 'blocked', ['upstream will run (fetch)']],
    ]);

    // The same bytes again: early cutoff, `use` stays cached.
    const same = await rig.shark(['run', 'p.md', '--force', 'fetch', '--json']);
    expect(same.code).toBe(0);
    expect(done(same.stdout)).toEqual(['fetch']);

    // Changed outside: a plain run sees nothing, a forced one runs both.
    rig.write('ext.txt', 'v2\n');
    expect(done((await rig.shark(['run', 'p.md', '--json'])).stdout)).toEqual([]);
    const changed = await rig.shark(['run', 'p.md', '--force=fetch', '--json']);
    expect(changed.code).toBe(0);
    expect(done(changed.stdout)).toEqual(['fetch', 'use']);
    expect(rig.lines()).toEqual(['fetch', 'use', 'fetch', 'fetch', 'use']);
    // Forced once: the next plain run finds everything cached.
    expect(done((await rig.shark(['run', 'p.md', '--json'])).stdout)).toEqual([]);
  });
});

const precious = (command: string): string => `# Precious

${fence}shark-import
items/ /data/items/
${fence}

${fence}shark-run {precious, id=slow}
echo "slow $(basename /data/items/*)" >> counter; ${command} > /data/out/+
${fence}

${fence}shark-run {id=total}
echo total >> counter; find /data/out/ -type f -exec cat {} + | sort > /data/total.txt
${fence}
`;

describe('{precious}', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', precious('cat /data/items/*'));
    rig.write('items/a.txt', 'a\n');
    rig.write('items/b.txt', 'b\n');
  });
  afterEach(() => rig.cleanup());

  it('keeps results across a command edit, runs new items, and --force recomputes', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.lines().sort()).toEqual(['slow a.txt', 'slow b.txt', 'total']);

    rig.write('p.md', precious('cat /data/items/* /data/items/*'));
    const plan = await rig.plan('p.md');
    const slow = plan.jobs.filter((j) => j.step === 'slow');
    expect(slow.map((j) => j.status)).toEqual(['cached', 'cached']);
    expect(slow[0]!.reasons).toEqual(['kept (precious): command text changed']);
    expect(plan.jobs.find((j) => j.step === 'total')?.status).toBe('cached');
    const text = await rig.shark(['plan', 'p.md', '-v']);
    expect(text.stdout).toContain('kept (precious): command text changed');

    const kept = await rig.shark(['run', 'p.md', '--json']);
    expect(kept.code).toBe(0);
    expect(done(kept.stdout)).toEqual([]);

    // Lineage names the definition that made the result, not the current one.
    const lineage = await rig.shark(['lineage', 'p.md', '/data/out/a.txt', '--json']);
    expect(lineage.code).toBe(0);
    expect((JSON.parse(lineage.stdout) as { command: string }).command).toContain('> /data/out/+');
    expect((JSON.parse(lineage.stdout) as { command: string }).command).not.toContain('/data/items/* /data/items/*');

    // A new item runs, with the current command; the old ones stay.
    rig.write('items/c.txt', 'c\n');
    const grown = await rig.shark(['run', 'p.md', '--json']);
    expect(grown.code).toBe(0);
    expect(done(grown.stdout)).toEqual(['precious', 'slow[c.txt]', 'total']);
  });

  it('--force recomputes every item with the current definition', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', precious('cat /data/items/* /data/items/*'));
    const plan = await rig.plan('p.md', '--force', 'slow');
    expect(plan.jobs.filter((j) => j.step === 'slow').map((j) => [j.status, j.reasons])).toEqual([
      ['run', ['forced (--force)']], ['run', ['forced (--force)']],
    ]);
    const forced = await rig.shark(['run', 'p.md', '--force', 'slow', '--json']);
    expect(forced.code).toBe(0);
    expect(done(forced.stdout)).toEqual(['slow[a.txt]', 'slow[b.txt]', 'total']);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/out/a.txt', '--json']);
    expect((JSON.parse(lineage.stdout) as { command: string }).command).toContain('/data/items/* /data/items/*');
  });
});

/** A `{precious}` block of one job whose input a run step makes, and a reader of it. */
const chain = (count: number): string => `# Ranges

${fence}shark-run
echo ranges >> counter; seq 1 ${count} > /data/x.txt
${fence}

## AOH

${fence}shark-run {precious}
echo aoh >> counter; wc -l < /data/x.txt > /data/aoh.txt
${fence}

## Report

${fence}shark-run
echo report >> counter; cat /data/aoh.txt > /data/report.txt
${fence}
`;

describe('{precious} downstream of a step that will run', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('plan shows the kept job and its reader cached, as run keeps them', async () => {
    rig.write('p.md', chain(3));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', chain(4));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => [j.job, j.status, j.reasons])).toEqual([
      ['ranges', 'run', ['command text changed']],
      ['aoh', 'cached', ['kept (precious): upstream will run (ranges)']],
      ['report', 'cached', []],
    ]);
    // The kept job counted apart among the cached, as the run's summary then counts it.
    expect(plan.summary).toEqual({ cached: 2, kept: 1, run: 1, blocked: 0 });
    expect((await rig.shark(['plan', 'p.md'])).stdout).toMatch(/^3 jobs: 2 cached \(1 kept\), 1 to run$/m);
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(0);
    expect(done(ran.stdout)).toEqual(['ranges']);
    expect(ran.stdout).toMatch(/"type":"run-end","summary":\{[^}]*"kept":1/);
    // Forced, it is planned as any job whose upstream will run.
    const forced = await rig.plan('p.md', '--force', 'aoh');
    expect(forced.jobs.map((j) => j.status)).toEqual(['cached', 'run', 'blocked']);
  });
});
