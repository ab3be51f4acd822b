import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { Rig, toRun } from '../support/rig.js';

const MAP = `---
inputs:
  ranges: /data/ranges/
---
# Species

## Area of habitat

\`\`\`shark-run
echo "aoh" >> counter; wc -c < /data/ranges/* > /data/aoh/+
\`\`\`

## Summary

\`\`\`shark-run
echo "reduce" >> counter; ls /data/aoh/ > /data/summary.txt
\`\`\`
`;

function items(rig: Rig, names: string[]): void {
  for (const n of names) rig.write(`ranges/${n}`, `range of ${n}\n`);
}

/** A map over every pair of a range and a year. */
const TWO_WILDCARDS = `---
inputs:
  ranges: /data/ranges/
  years: /data/years/
---
# X

\`\`\`shark-run
cat /data/ranges/* /data/years/* > /data/pairs/+
\`\`\`
`;

describe('wildcards: map and reduce', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', MAP);
    items(rig, ['a.tif', 'b.tif', 'c.tif', 'd.tif']);
  });
  afterEach(() => rig.cleanup());

  it('runs one job per item, then the reduce over their union', async () => {
    const ran = await rig.shark(['run', 'p.md', '-i', 'ranges=ranges', '-j', '2']);
    expect(ran.code).toBe(0);
    expect(rig.lines().filter((l) => l === 'aoh')).toHaveLength(4);
    expect(rig.lines().at(-1)).toBe('reduce');
    const plan = await rig.plan('p.md', '-i', 'ranges=ranges');
    expect(plan.summary).toEqual({ cached: 5, run: 0, blocked: 0 });
    expect(plan.jobs.filter((j) => j.item !== undefined).map((j) => j.item)).toEqual(['a.tif', 'b.tif', 'c.tif', 'd.tif']);
  });

  it('re-runs exactly the new item plus the reduce, one changed item, or only the reduce after a removal', async () => {
    await rig.shark(['run', 'p.md', '-i', 'ranges=ranges']);
    const base = rig.count();

    items(rig, ['e.tif']);
    const added = await rig.plan('p.md', '-i', 'ranges=ranges');
    expect(toRun(added)).toEqual(['area-of-habitat[e.tif]', 'summary']);
    expect(added.jobs.find((j) => j.item === 'e.tif')!.reasons).toEqual(['no previous result (new item)']);
    const text = await rig.shark(['plan', 'p.md', '-i', 'ranges=ranges']);
    expect(text.stdout).toContain('5 jobs — 4 cached, 1 to run (new item)');
    await rig.shark(['run', 'p.md', '-i', 'ranges=ranges']);
    expect(rig.lines().slice(base)).toEqual(['aoh', 'reduce']);

    rig.write('ranges/b.tif', 'a changed range\n');
    expect(toRun(await rig.plan('p.md', '-i', 'ranges=ranges'))).toEqual(['area-of-habitat[b.tif]', 'summary']);
    await rig.shark(['run', 'p.md', '-i', 'ranges=ranges']);
    expect(rig.count()).toBe(base + 4);

    rmSync(rig.path('ranges/c.tif'));
    expect(toRun(await rig.plan('p.md', '-i', 'ranges=ranges'))).toEqual(['summary']);
    await rig.shark(['run', 'p.md', '-i', 'ranges=ranges']);
    expect(rig.lines().slice(base + 4)).toEqual(['reduce']);
  });

  it('passes hostile file names as one argument and never executes them', async () => {
    rmSync(rig.path('ranges'), { recursive: true });
    const names = ['a b.tif', "x'y.tif", '$(touch pwned).tif', ';rm -rf ~.tif', '-n.tif', 'new\nline.tif', 'épinoche.tif', '`touch pwned2`.tif', '"q".tif'];
    items(rig, names);
    rig.write('h.md', MAP.replace('wc -c < /data/ranges/* > /data/aoh/+', 'cat /data/ranges/* "/data/ranges/*" > /data/aoh/+'));
    const ran = await rig.shark(['run', 'h.md', '-i', 'ranges=ranges']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.exists('pwned')).toBe(false);
    expect(rig.exists('pwned2')).toBe(false);
    expect(rig.lines().filter((l) => l === 'aoh')).toHaveLength(names.length);
    const summary = await rig.shark(['lineage', 'h.md', '/data/summary.txt', '--json']);
    expect(summary.code).toBe(0);
    const outputs = JSON.parse(summary.stdout) as { inputs: { id: string; from: { job: string }[] }[] };
    expect(outputs.inputs).toHaveLength(1);
    // The reduce's input came from every map job.
    expect(outputs.inputs[0]!.from).toHaveLength(names.length);
    const manifest = await rig.plan('h.md', '-i', 'ranges=ranges');
    expect(manifest.jobs.map((j) => j.item).filter(Boolean).sort()).toEqual([...names].sort());
  });

  it('with --keep-going, a failed item does not stop its siblings, and the reduce waits', async () => {
    rig.write('k.md', MAP.replace('wc -c < /data/ranges/* > /data/aoh/+', 'grep -v boom /data/ranges/* > /data/aoh/+'));
    rig.write('ranges/b.tif', 'boom\n');
    const ran = await rig.shark(['run', 'k.md', '-i', 'ranges=ranges', '--keep-going', '-j', '1']);
    expect(ran.code).toBe(1);
    expect(rig.lines().filter((l) => l === 'aoh')).toHaveLength(4);
    expect(rig.lines()).not.toContain('reduce');
    expect(ran.stdout).toMatch(/failed: area-of-habitat\[b\.tif\] at k\.md:10:1 \(exit\) log: .+\.log/);
    const plan = await rig.plan('k.md', '-i', 'ranges=ranges');
    expect(plan.jobs.find((j) => j.item === 'b.tif')!.reasons).toEqual(['previous attempt failed']);
    expect(plan.summary).toEqual({ cached: 3, run: 1, blocked: 1 });
  });

  it('a map blocked behind a step that will run: its items are unknown, so the total counts no job for it and says so', async () => {
    rig.write('b.md', '```shark-import\nin/ /data/in/\n```\n\n## A\n\n```shark-run\ncat /data/in/*.txt > /data/a/+\n```\n\n## B\n\n```shark-run\ncat /data/a/*.txt > /data/b/+\n```\n');
    for (const i of [1, 2, 3]) rig.write(`in/${i}.txt`, `${i}\n`);
    const text = await rig.shark(['plan', 'b.md']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').at(-2)).toBe('4 jobs: 0 cached, 4 to run; 1 map blocked, its items unknown until /data/a/ is made');
    const plan = await rig.plan('b.md');
    expect(plan.summary).toEqual({ cached: 0, run: 4, blocked: 1, blockedMaps: 1 });
    const ran = await rig.shark(['run', 'b.md']);
    expect(ran.stdout).toMatch(/^ok: 7 run, 0 cached/m);
  });

  it('a map whose items are known but whose join waits on a step that will run: a blocked job per item, counted', async () => {
    rig.write('j.md', [
      '```shark-import', 'in/ /data/in/', '```', '',
      '```shark-run', 'tr a-z A-Z < /data/in/*.txt > /data/right/+', '```', '',
      '```shark-run', 'paste /data/in/*.txt /data/right/+ > /data/both/+', '```', '',
    ].join('\n'));
    for (const i of ['a', 'b']) rig.write(`in/${i}.txt`, `${i}\n`);
    const text = await rig.shark(['plan', 'j.md']);
    expect(text.stdout.split('\n').at(-2)).toBe('5 jobs: 0 cached, 3 to run, 2 blocked');
    const plan = await rig.plan('j.md');
    expect(plan.jobs.filter((j) => j.status === 'blocked').map((j) => [j.job, j.reasons])).toEqual([
      ['run-2[a.txt]', ['upstream will run (run)']],
      ['run-2[b.txt]', ['upstream will run (run)']],
    ]);
    const ran = await rig.shark(['run', 'j.md']);
    expect(ran.stdout).toMatch(/^ok: 5 run, 0 cached/m);
  });

  it('without --keep-going, stops starting new jobs after a failure', async () => {
    rig.write('s.md', MAP.replace('wc -c < /data/ranges/* > /data/aoh/+', 'grep -v boom /data/ranges/* > /data/aoh/+'));
    rig.write('ranges/a.tif', 'boom\n');
    const ran = await rig.shark(['run', 's.md', '-i', 'ranges=ranges', '-j', '1']);
    expect(ran.code).toBe(1);
    // The first item fails: the one queued behind it on the launcher does not start either.
    expect(rig.lines().filter((l) => l === 'aoh')).toHaveLength(1);
    // Three items and the reduce are skipped.
    expect(ran.stdout).toMatch(/1 failed, 4 skipped/);
  });

  it('without --keep-going, a job queued behind a running one does not start once another job has failed', async () => {
    // At -j 2, a and b run, c waits behind a and d behind b on their launchers. a fails at once; b is still running.
    rig.write('q.md', MAP.replace('echo "aoh" >> counter; wc -c < /data/ranges/* > /data/aoh/+',
      'n=$(basename /data/ranges/*); echo "aoh $n" >> counter; if [ "$n" = b.tif ]; then sleep 0.6; fi; grep -v boom /data/ranges/* > /data/aoh/+'));
    rig.write('ranges/a.tif', 'boom\n');
    const ran = await rig.shark(['run', 'q.md', '-i', 'ranges=ranges', '-j', '2']);
    expect(ran.code).toBe(1);
    expect(rig.lines().filter((l) => l.startsWith('aoh')).sort()).toEqual(['aoh a.tif', 'aoh b.tif']);
    // c and d, and the reduce, are skipped.
    expect(ran.stdout).toMatch(/1 failed, 3 skipped/);
  });

  it('runs no more than -j commands at once, however deep short jobs are queued on their launchers', async () => {
    for (let i = 0; i < 300; i++) rig.write(`many/i${i}.tif`, `${i}\n`);
    rig.write('probe/.keep', '');
    // Each job counts the jobs running with it: its mark and theirs.
    const probe = rig.path('probe');
    // A function, so that `$$` (the job's shell) is not read as replace's own `$`.
    rig.write('w.md', MAP.replace('echo "aoh" >> counter; wc -c < /data/ranges/* > /data/aoh/+',
      () => `touch '${probe}'/$$; ls '${probe}' | wc -l >> counter; rm '${probe}'/$$; wc -c < /data/ranges/* > /data/aoh/+`));
    const ran = await rig.shark(['run', 'w.md', '-i', 'ranges=many', '-j', '2']);
    expect(ran.code, ran.stderr).toBe(0);
    const counts = rig.lines().filter((l) => /^\d+$/.test(l.trim())).map(Number);
    expect(counts).toHaveLength(300);
    // Its own mark, and at most one other's; and two did run at once (the probe can see it).
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(2);
  }, 60_000);

  it('fails when two jobs write the same file into a shared directory, naming both items', async () => {
    rig.write('c.md', MAP.replace('wc -c < /data/ranges/* > /data/aoh/+', 'cp /data/ranges/* /data/aoh/ && echo x > /data/aoh/same.txt'));
    const ran = await rig.shark(['run', 'c.md', '-i', 'ranges=ranges']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/two jobs write \/data\/aoh\/same\.txt: items [a-d]\.tif and [a-d]\.tif/);
  });

  it('finds two items whose `+` outputs get one name before any job runs, in plan and run', async () => {
    rig.write('e.md', MAP.replace('wc -c < /data/ranges/* > /data/aoh/+', 'echo "aoh" >> counter; wc -c < /data/ranges/* > /data/aoh/+.n'));
    rig.write('ranges2/a.tif', 'one\n');
    rig.write('ranges2/a.csv', 'two\n');
    rig.write('ranges2/b.tif', 'three\n');
    const before = rig.lines().length;
    const plan = await rig.shark(['plan', 'e.md', '-i', 'ranges=ranges2']);
    expect(plan.stdout).toMatch(/two jobs write \/data\/aoh\/a\.n: items a\.csv and a\.tif/);
    expect(plan.stdout).toMatch(/blocked .*upstream fails \(area-of-habitat: two jobs write/);
    const ran = await rig.shark(['run', 'e.md', '-i', 'ranges=ranges2']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/e\.md:\d+:\d+: error: two jobs write \/data\/aoh\/a\.n: items a\.csv and a\.tif/);
    // Not one of the map's jobs ran.
    expect(rig.lines().length).toBe(before);
  });

  it('says in plan (text and --json) that a map with nothing to map over has 0 jobs', async () => {
    rig.write('none/.keep', '');
    const plan = await rig.shark(['plan', 'p.md', '-i', 'ranges=none']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/note: area-of-habitat \(line \d+\): nothing matches \/data\/ranges\/\*: 0 jobs/);
    const json = JSON.parse((await rig.shark(['plan', 'p.md', '-i', 'ranges=none', '--json'])).stdout) as { notes: string[] };
    expect(json.notes.some((n) => n.includes('nothing matches /data/ranges/*: 0 jobs'))).toBe(true);
  });

  it('says in run (text, --json and the summary) that a map found nothing to map over, and still succeeds', async () => {
    rig.write('none/.keep', '');
    const ran = await rig.shark(['run', 'p.md', '-i', 'ranges=none']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^note: area-of-habitat \(line \d+\): nothing matches \/data\/ranges\/\*: 0 jobs$/m);
    expect(ran.stdout).toMatch(/^ {2}note: area-of-habitat \(line \d+\): nothing matches \/data\/ranges\/\*: 0 jobs$/m);
    // Again with every step cached: the map is as empty as before, and said so again.
    const json = (await rig.shark(['run', 'p.md', '-i', 'ranges=none', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const empty = json.find((e) => e.type === 'step-empty');
    expect(empty).toMatchObject({ step: 'area-of-habitat', message: expect.stringMatching(/nothing matches \/data\/ranges\/\*: 0 jobs/) });
    const end = json.find((e) => e.type === 'run-end') as { summary: { status: string; empty: string[] } };
    expect(end.summary.status).toBe('ok');
    expect(end.summary.empty).toEqual([empty!.message]);
  });

  it('says in run that a map over what an upstream step of the same run wrote found nothing', async () => {
    rig.write('u.md', `---
inputs:
  ranges: /data/ranges/
---
## Up

\`\`\`shark-run
cp /data/ranges/* /data/up/
\`\`\`

## Twice

\`\`\`shark-run
cat /data/up/*.txt > /data/twice/+
\`\`\`
`);
    const ran = await rig.shark(['run', 'u.md', '-i', 'ranges=ranges']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^note: twice \(line \d+\): nothing matches \/data\/up\/\*\.txt: 0 jobs$/m);
  });

  it('runs one job per combination of several wildcards, + joining the names', async () => {
    rig.write('x.md', TWO_WILDCARDS);
    rig.write('years/2020', '2020\n');
    rig.write('years/2021', '2021\n');
    const ran = await rig.shark(['run', 'x.md', '-i', 'ranges=ranges', '-i', 'years=years']);
    expect(ran.code).toBe(0);
    const plan = await rig.plan('x.md', '-i', 'ranges=ranges', '-i', 'years=years');
    expect(plan.jobs).toHaveLength(8);
    expect(plan.jobs.map((j) => j.item)).toContain('a.tif,2021');
  });

  it('names only the wildcard that matches nothing when a map over two finds no combination', async () => {
    rig.write('x.md', TWO_WILDCARDS);
    rig.write('years/.keep', '');
    const plan = await rig.shark(['plan', 'x.md', '-i', 'ranges=ranges', '-i', 'years=years']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/note: x \(line \d+\): nothing matches \/data\/years\/\*: 0 jobs/);
    const ran = await rig.shark(['run', 'x.md', '-i', 'ranges=years', '-i', 'years=years']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^note: x \(line \d+\): nothing matches \/data\/ranges\/\*, \/data\/years\/\*: 0 jobs$/m);
  });

  it('prints a POSIX sh script that performs the pipeline by hand', async () => {
    const script = await rig.shark(['plan', 'p.md', '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain("for item1 in '/data/ranges'/*; do");
    // Run it for real with /data moved to a scratch directory.
    const data = rig.path('data');
    execFileSync('mkdir', ['-p', `${data}/ranges`]);
    execFileSync('sh', ['-c', `cp ranges/* ${data}/ranges/`], { cwd: rig.dir });
    const moved = script.stdout.replaceAll('/data/', `${data}/`).replaceAll("'/data'", `'${data}'`);
    rig.write('hand.sh', moved);
    execFileSync('sh', ['hand.sh'], { cwd: rig.dir });
    expect(readdirSync(`${data}/aoh`).sort()).toEqual(['a.tif', 'b.tif', 'c.tif', 'd.tif']);
    expect(rig.read('data/summary.txt')).toBe('a.tif\nb.tif\nc.tif\nd.tif\n');
  });
});
