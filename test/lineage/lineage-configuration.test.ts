import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `lineage -e NAME=VALUE` answers for the runs made under those values, as
 * `plan -e` and `run -e` work on them: a scalar variable picks the latest
 * run whose job wrote PATH with that value; an axis value, the latest run
 * that ran that value's instances.
 */
const PIPELINE = `---
YEAR: 2019
TAXA: [AVES, MAMMALIA]
---
# Configurations

\`\`\`shark-import
in/a.txt /data/in.txt
\`\`\`

\`\`\`shark-run
echo $YEAR %{TAXA} $(cat /data/in.txt) > /data/r/%{TAXA}.txt
\`\`\`
`;

interface Node {
  run: number;
  key: string;
}

describe('shark lineage -e', () => {
  let rig: Rig;
  const lineage = async (...args: string[]): Promise<Node> => {
    const ran = await rig.shark(['lineage', 'p.md', ...args, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as Node;
  };
  beforeAll(async () => {
    rig = new Rig('shark-lineage-configuration-');
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'a\n');
    expect((await rig.shark(['run', 'p.md', '-e', 'YEAR=2020'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'YEAR=2021'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'YEAR=2022', '-e', 'TAXA=MAMMALIA'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('answers for the run made with that value of a variable', async () => {
    const y2020 = await lineage('/data/r/AVES.txt', '-e', 'YEAR=2020');
    const y2021 = await lineage('/data/r/AVES.txt', '-e', 'YEAR=2021');
    expect(y2020.run).toBe(1);
    expect(y2021.run).toBe(2);
    expect(y2020.key).not.toBe(y2021.key);
    // Without -e: the latest run, as before.
    expect((await lineage('/data/r/MAMMALIA.txt')).run).toBe(3);
  });

  it('answers for the latest run that ran the instances of an axis value', async () => {
    expect((await lineage('/data/r/AVES.txt', '-e', 'TAXA=AVES', '-e', 'YEAR=2021')).run).toBe(2);
    expect((await lineage('/data/r/MAMMALIA.txt', '-e', 'TAXA=MAMMALIA', '-e', 'YEAR=2022')).run).toBe(3);
    expect((await lineage('/data/r/MAMMALIA.txt', '-e', 'TAXA=MAMMALIA', '-e', 'YEAR=2020')).run).toBe(1);
  });

  it("matches the document's own values too, as plan -e does: no run made AVES with YEAR=2019", async () => {
    const none = await rig.shark(['lineage', 'p.md', '/data/r/AVES.txt', '-e', 'TAXA=AVES']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('shark: no run of this pipeline produced /data/r/AVES.txt with TAXA=AVES (the latest that did, run 2, had YEAR=2021)\n');
  });

  it('says no step writes PATH under an -e AXIS=V that leaves out its instance, exit 1', async () => {
    const other = await rig.shark(['lineage', 'p.md', '/data/r/MAMMALIA.txt', '-e', 'TAXA=AVES', '-e', 'YEAR=2021']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('shark: no step of this pipeline writes /data/r/MAMMALIA.txt with TAXA=AVES\n');
  });

  it('says so, exit 1, when no run made PATH with those values, or --run N was made with others', async () => {
    const none = await rig.shark(['lineage', 'p.md', '/data/r/AVES.txt', '-e', 'YEAR=2023']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('shark: no run of this pipeline produced /data/r/AVES.txt with YEAR=2023 (the latest that did, run 2, had YEAR=2021)\n');
    const other = await rig.shark(['lineage', 'p.md', '/data/r/AVES.txt', '--run', '2', '-e', 'YEAR=2020']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('shark: run 2 produced /data/r/AVES.txt with YEAR=2021, not YEAR=2020\n');
  });
});

/** The document's values (frontmatter, other `-e`) count as `plan -e` counts them: the result it reuses is the one shown. */
const FRONTMATTER = `---
YEAR: 2020
TAXA: [AVES, MAMMALIA]
---
# T

\`\`\`shark-run
echo "$YEAR" > /data/year.txt
\`\`\`

## Per taxon

\`\`\`shark-run
echo "%{TAXA} $YEAR" > /data/taxa/%{TAXA}.txt
\`\`\`
`;

describe("shark lineage -e AXIS=V under the document's other values", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-configuration-');
    rig.write('p.md', FRONTMATTER);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'YEAR=2021'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'TAXA=AVES'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('answers with the results plan -e reuses (YEAR=2020, run 1), not the latest run with another YEAR', async () => {
    const plan = await rig.plan('p.md', '-e', 'TAXA=MAMMALIA');
    expect(plan.jobs.filter((j) => j.status === 'cached').map((j) => j.job).sort()).toEqual(['per-taxon[TAXA=MAMMALIA]', 't']);
    for (const path of ['/data/year.txt', '/data/taxa/MAMMALIA.txt']) {
      const ran = await rig.shark(['lineage', 'p.md', path, '-e', 'TAXA=MAMMALIA', '--json']);
      expect(ran.code, ran.stderr).toBe(0);
      expect((JSON.parse(ran.stdout) as Node).run).toBe(1);
    }
  });
});

/** A step reading every instance's file together: under `-e T=a` it has a key, and a result, of its own. */
const FAN_IN = `---
T: [a, b]
---
# P

## Make

\`\`\`shark-run
echo %{T} > /data/x/%{T}.txt
\`\`\`

## All

\`\`\`shark-run
find /data/x/ -type f -exec cat {} + | sort > /data/z.txt
\`\`\`
`;

type Tree = { job: string; run: number; outputs: Record<string, string>; inputs: { from: Tree[] }[] };

/** What `plan -e` reuses for the fan-in (cached), and the lineage `lineage -e` gives of its output with the same values. */
async function reusedAndShown(rig: Rig, values: string): Promise<{ reused: string | undefined; top: Tree }> {
  const plan = await rig.plan('p.md', '-e', values);
  const all = plan.jobs.find((j) => j.job === 'all') as { status: string; outputs: Record<string, string> } | undefined;
  expect(all?.status).toBe('cached');
  const ran = await rig.shark(['lineage', 'p.md', '/data/z.txt', '-e', values, '--json']);
  expect(ran.code, ran.stderr).toBe(0);
  return { reused: all!.outputs['/data/z.txt'], top: JSON.parse(ran.stdout) as Tree };
}

describe('shark lineage -e AXIS=V of a step that fans in over AXIS', () => {
  let rig: Rig;
  const jobsOf = (n: Tree): string[] => [n.job, ...n.inputs.flatMap((i) => i.from.flatMap(jobsOf))];
  beforeAll(async () => {
    rig = new Rig('shark-lineage-configuration-');
    rig.write('p.md', FAN_IN);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'T=a'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('shows the result plan -e reuses, made from that value\'s instances only', async () => {
    const { reused, top } = await reusedAndShown(rig, 'T=a');
    expect(top.outputs['/data/z.txt']).toBe(reused);
    expect(top.run).toBe(2);
    expect(jobsOf(top).sort()).toEqual(['all', 'make[T=a]']);
    // Without -e, the whole sweep's result of the latest run; a step that reads no other instance, from the latest run.
    const whole = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/z.txt', '--json'])).stdout) as Tree;
    expect([whole.run, jobsOf(whole).sort()]).toEqual([1, ['all', 'make[T=a]', 'make[T=b]']]);
    expect(whole.outputs['/data/z.txt']).not.toBe(top.outputs['/data/z.txt']);
  });

  it('--run N of a run that made it from every value says so, exit 1', async () => {
    const other = await rig.shark(['lineage', 'p.md', '/data/z.txt', '-e', 'T=a', '--run', '3']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('shark: run 3 made /data/z.txt from every value of T (its step reads their instances together), not from T=a alone\n');
  });
});

/** A directory each instance writes a file of: under `-e T=a` its lineage is of that value's instances only. */
describe('shark lineage -e AXIS=V of a directory several instances write', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-configuration-');
    rig.write('p.md', FAN_IN);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('lists the jobs of the instances asked for, not every instance', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/x', '-e', 'T=a', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const top = JSON.parse(ran.stdout) as Tree & { command: string };
    expect(top.inputs[0]!.from.map((n) => n.job)).toEqual(['make[T=a]']);
    expect(top.command).toBe('1 job wrote /data/x with T=a');
    const text = await rig.shark(['lineage', 'p.md', '/data/x', '-e', 'T=a']);
    expect(text.stdout).toContain('/data/x  (1 job wrote /data/x with T=a)\n  make[T=a]  (');
    expect(text.stdout).not.toContain('make[T=b]');
    // Without -e: both.
    const whole = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/x', '--json'])).stdout) as Tree;
    expect(whole.inputs[0]!.from.map((n) => n.job).sort()).toEqual(['make[T=a]', 'make[T=b]']);
  });
});

/** `-e AXIS=<every value>` after a run of a subset: the whole sweep's result, the one `plan -e` reuses, not the subset's. */
describe('shark lineage -e AXIS=every value of a step that fans in over AXIS', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-configuration-');
    rig.write('p.md', FAN_IN);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '-e', 'T=a'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('shows the run of every value, though a later run ran a subset', async () => {
    const { reused, top } = await reusedAndShown(rig, 'T=a,b');
    expect([top.run, top.outputs['/data/z.txt']]).toEqual([1, reused]);
    // --run of the subset's run says it was made from T=a alone.
    const other = await rig.shark(['lineage', 'p.md', '/data/z.txt', '-e', 'T=a,b', '--run', '2']);
    expect([other.code, other.stderr]).toEqual([1, 'shark: run 2 made /data/z.txt from T=a (its step reads their instances together), not from every value of T\n']);
  });

  it('names the values of the latest run that made PATH, when none made it with those asked (exit 1)', async () => {
    const none = await rig.shark(['lineage', 'p.md', '/data/z.txt', '-e', 'T=b']);
    expect([none.code, none.stderr]).toEqual([1, 'shark: no run of this pipeline produced /data/z.txt with T=b (the latest that did, run 2, had T=a)\n']);
  });
});

describe('shark lineage -e of a step that reads one instance\'s file', () => {
  const rig = new Rig();
  beforeAll(async () => {
    rig.write('p.md', '---\nT: [a, b]\nV: 1\n---\n\n```shark-run\necho %{T} %{V} > /data/per/%{T}.txt\n```\n\n```shark-run\ncat /data/per/a.txt > /data/out.txt\n```\n');
    expect((await rig.shark(['run', 'p.md', '-e', 'T=a'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('answers with the run of a subset, whose result plan -e reuses (it refused: `reads their instances together`)', async () => {
    const lineage = await rig.shark(['lineage', 'p.md', '/data/out.txt', '-e', 'V=1']);
    expect([lineage.code, lineage.stderr]).toEqual([0, '']);
    expect(lineage.stdout).toMatch(/^run-2 {2}\(p\.md:11:1, host:linux\/x64\)\n/);
    const plan = JSON.parse((await rig.shark(['plan', 'p.md', '-e', 'V=1', '--json'])).stdout) as { jobs: { step: string; status: string }[] };
    expect(plan.jobs.find((j) => j.step === 'run-2')?.status).toBe('cached');
  });
});
