import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/** `delta` names a file only `aoh[S=current]` writes; `all` reads the directory every value writes into (a fan-in). */
const DOC = `---
S: [current, future]
---
# P

${fence}shark-run {id=aoh}
echo "aoh %{S}" >> counter; echo %{S} > /data/aoh/%{S}/x.txt
${fence}

${fence}shark-run {id=delta}
paste /data/aoh/current/x.txt /data/aoh/future/x.txt > /data/delta.txt
${fence}

${fence}shark-run {id=all}
find /data/aoh/ -type f -exec cat {} + | sort > /data/all.txt
${fence}

${fence}shark-publish
/data/delta.txt /data/all.txt
${fence}
`;

/** A map over a directory only a left-out instance writes. */
const MAP = `---
S: [current, future]
---
# P

${fence}shark-run {id=aoh}
echo "aoh %{S}" >> counter; echo %{S} > /data/aoh/%{S}/x.txt
${fence}

${fence}shark-run {id=delta}
cat /data/aoh/current/*.txt /data/aoh/future/x.txt > /data/delta/+
${fence}
`;

interface Event {
  type: string;
  job?: string;
  summary?: Record<string, unknown>;
}
const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
const jobs = (stdout: string, type: string): string[] => events(stdout).filter((e) => e.type === type).map((e) => e.job!).sort();

describe('-e AXIS=V and a step that needs an instance -e leaves out', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('plans and runs that instance as a dependency, and says why', async () => {
    rig.write('p.md', DOC);
    const plan = await rig.shark(['plan', 'p.md', '-e', 'S=future']);
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).toMatch(/^run +aoh\[S=current\] +p\.md:7/m);
    expect(plan.stdout).toContain('note: aoh[S=current] is included although -e S=future leaves it out: delta reads /data/aoh/current/x.txt, which it writes');
    // The fan-in still runs on the subset: it is not why the instance is included.
    expect(plan.stdout).not.toContain('all reads');

    const run = await rig.shark(['run', 'p.md', '-e', 'S=future', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(jobs(run.stdout, 'job-done')).toEqual(['all', 'aoh[S=current]', 'aoh[S=future]', 'delta']);
    expect(rig.read('_shark/delta.txt')).toBe('current\tfuture\n');
    // The fan-in covers the chosen value only, though the needed instance wrote beside it (it summed both: a total of neither).
    expect(rig.read('_shark/all.txt')).toBe('future\n');
    // Its lineage names the writer it read only.
    const lineage = await rig.shark(['lineage', 'p.md', '/data/all.txt']);
    expect(lineage.stdout).toContain('aoh[S=future]');
    expect(lineage.stdout).not.toContain('aoh[S=current]');
    const summary = events(run.stdout).find((e) => e.type === 'run-end')!.summary!;
    // The run is still one of the subset, for gc and lineage.
    expect(summary['axes']).toEqual({ S: ['future'] });
    expect(summary['needed']).toEqual([{ instance: 'aoh[S=current]', by: 'delta', reads: '/data/aoh/current/x.txt', leftOutBy: '-e S=future' }]);

    const text = await rig.shark(['run', 'p.md', '-e', 'S=future']);
    expect(text.code).toBe(0);
    // `runs` says which runs were subsets, and with which values (nothing said so).
    const runs = await rig.shark(['runs', 'p.md']);
    expect(runs.stdout.split('\n')[0]).toMatch(/ subset$/);
    expect(runs.stdout).toMatch(/^1 .* -e S=future$/m);
    expect((JSON.parse((await rig.shark(['runs', 'p.md', '--json'])).stdout) as { runs: { axes?: unknown }[] }).runs.at(-1)!.axes).toEqual({ S: ['future'] });
    // A full run next: run 2 needed aoh[S=current], so it left no value out, and diff says of no subset (it said one).
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['diff', 'p.md', '/data/all.txt'])).stdout).not.toContain('ran a subset');
    // Without delta, nothing brings S=current along: diff says the older run was a subset, not that the axis gained a value.
    rig.write('p.md', DOC.replace('paste /data/aoh/current/x.txt /data/aoh/future/x.txt > /data/delta.txt', 'echo none > /data/delta.txt'));
    expect((await rig.shark(['run', 'p.md', '-e', 'S=future'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const diff = await rig.shark(['diff', 'p.md', '/data/all.txt']);
    expect(diff.stdout).toContain('note: run 4 ran a subset of the sweep (-e S=future): the values it left out read as added or removed');
    expect((JSON.parse((await rig.shark(['diff', 'p.md', '/data/all.txt', '--json'])).stdout) as { subsets?: unknown }).subsets).toEqual([{ run: 4, axes: { S: ['future'] } }]);
    expect(text.stdout).toContain('  included although -e S=future leaves it out: aoh[S=current] (delta reads /data/aoh/current/x.txt)');
  });

  it('reuses the instance a full run stored', async () => {
    rig.write('p.md', DOC);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.count()).toBe(2);
    const run = await rig.shark(['run', 'p.md', '-e', 'S=future', '--json']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    // The instances are reused; the fan-in covers the chosen value only, as without the needed instance: a key of its own.
    expect(jobs(run.stdout, 'job-cached')).toEqual(['aoh[S=current]', 'aoh[S=future]', 'delta']);
    expect(jobs(run.stdout, 'job-done')).toEqual(['all']);
    expect(rig.read('_shark/all.txt')).toBe('future\n');
    expect(rig.count()).toBe(2);
  });

  it('does the same for a map over the directory that instance writes', async () => {
    rig.write('p.md', MAP);
    const plan = await rig.shark(['plan', 'p.md', '-e', 'S=future']);
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).toContain('note: aoh[S=current] is included although -e S=future leaves it out: delta reads /data/aoh/current/, which it writes');
    const run = await rig.shark(['run', 'p.md', '-e', 'S=future']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(rig.lines().sort()).toEqual(['aoh current', 'aoh future']);
  });
});

describe('a target or --force naming what -e AXIS=V leaves out', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', `---\nTAXA: [AVES, MAMMALIA]\n---\n\n## Make\n\n${fence}shark-run\necho "%{TAXA}" > /data/per/%{TAXA}.txt\n${fence}\n`);
  });
  afterEach(() => rig.cleanup());

  it('says -e leaves it out, exit 2', async () => {
    const instance = await rig.shark(['plan', 'p.md', 'make[TAXA=AVES]', '-e', 'TAXA=MAMMALIA']);
    expect([instance.code, instance.stderr]).toEqual([2, 'shark: error: `make[TAXA=AVES]` is left out by -e TAXA=MAMMALIA\n']);
    const path = await rig.shark(['plan', 'p.md', '/data/per/AVES.txt', '-e', 'TAXA=MAMMALIA']);
    expect([path.code, path.stderr]).toEqual([2, 'shark: error: no step writes /data/per/AVES.txt with -e TAXA=MAMMALIA (make[TAXA=AVES] writes it)\n']);
    const forced = await rig.shark(['plan', 'p.md', '--force', 'make[TAXA=AVES]', '-e', 'TAXA=MAMMALIA']);
    expect([forced.code, forced.stderr]).toEqual([2, 'shark: error: --force `make[TAXA=AVES]` is left out by -e TAXA=MAMMALIA\n']);
  });
});

describe('a {manual} block that needs an instance -e AXIS=V leaves out', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', `---\nT: [x, y]\n---\n\n${fence}shark-run {id=make}\necho "%{T}" >> counter; echo %{T} > /data/per/%{T}.txt\n${fence}\n\n## Validate\n\n${fence}shark-run {manual}\ncat /data/per/x.txt > /data/valid.txt\n${fence}\n`);
  });
  afterEach(() => rig.cleanup());

  it('brings it back only when the manual block runs', async () => {
    // Without targets the manual block is left out, so nothing needs make[T=x].
    const plan = await rig.shark(['plan', 'p.md', '-e', 'T=y']);
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).not.toContain('make[T=x]');
    const forced = await rig.shark(['plan', 'p.md', '-e', 'T=y', '--force', 'make[T=x]']);
    expect([forced.code, forced.stderr]).toEqual([2, 'shark: error: --force `make[T=x]` is left out by -e T=y\n']);
    const run = await rig.shark(['run', 'p.md', '-e', 'T=y']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).not.toContain('included although');
    expect(rig.lines()).toEqual(['y']);
    // Named as a target, the manual block needs it, and it runs.
    const target = await rig.shark(['run', 'p.md', 'validate', '-e', 'T=y']);
    expect([target.code, target.stderr]).toEqual([0, '']);
    expect(target.stdout).toContain('included although -e T=y leaves it out: make[T=x] (validate reads /data/per/x.txt)');
    expect(rig.lines()).toEqual(['y', 'x']);
  });
});
