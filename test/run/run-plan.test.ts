import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Rig, SHARK, toRun } from '../support/rig.js';

const PIPELINE = `# Counting pipeline

Prose that can change freely.

## Prepare

\`\`\`shark-run
echo prepare >> counter; echo "1 2 3" > /data/numbers.txt
\`\`\`

## Sum

\`\`\`shark-run
echo sum >> counter; tr ' ' '\\n' < /data/numbers.txt | awk '{ s += $1 } END { print s }' > /data/sum.txt
\`\`\`

## Report

\`\`\`shark-run
echo report >> counter; echo "total $(cat /data/sum.txt)" > /data/report.txt
\`\`\`

## Other branch

\`\`\`shark-run
echo other >> counter; echo independent > /data/other.txt
\`\`\`

\`\`\`shark-publish
/data/report.txt
\`\`\`
`;

describe('shark run and plan on the host', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('runs every step once, and a second run executes zero commands', async () => {
    const first = await rig.shark(['run', 'p.md']);
    expect(first.code).toBe(0);
    expect(rig.lines().sort()).toEqual(['other', 'prepare', 'report', 'sum']);
    expect(rig.read('_shark/report.txt')).toBe('total 6\n');

    const second = await rig.shark(['run', 'p.md']);
    expect(second.code).toBe(0);
    expect(rig.count()).toBe(4);
    expect(second.stdout).toMatch(/ok: 0 run, 4 cached, 0 failed/);
    const plan = await rig.plan('p.md');
    expect(plan.summary).toEqual({ cached: 4, run: 0, blocked: 0 });
  });

  it('caches a job that writes nothing, in a map and alone, as any other (its result has no outputs to look up)', async () => {
    rig.write('items/a.txt', 'a');
    rig.write('items/b.txt', 'b');
    rig.write('q.md', '---\ninputs:\n  items: /data/items/\n---\n# Q\n\n```shark-run\necho item >> counter; true /data/items/*\n```\n\n## One\n\n```shark-run\necho one >> counter\n```\n');
    expect((await rig.shark(['run', 'q.md', '-i', 'items=items'])).code).toBe(0);
    expect(rig.count()).toBe(3);
    expect((await rig.plan('q.md', '-i', 'items=items')).summary).toEqual({ cached: 3, run: 0, blocked: 0 });
    expect((await rig.shark(['run', 'q.md', '-i', 'items=items'])).stdout).toMatch(/ok: 0 run, 3 cached/);
    expect(rig.count()).toBe(3);
  });

  it('plans a step reading one item\'s file of a map that runs other items again as cached (it said blocked, and run reused it)', async () => {
    rig.write('m.md', '---\ninputs:\n  in: /data/in/\n---\n# M\n\n```shark-run {id=dbl}\nawk \'{ print $1 * 2 }\' /data/in/*.txt > /data/dbl/+\n```\n\n'
      + '```shark-run {id=use-a}\ncat /data/dbl/a.txt > /data/a-only.txt\n```\n');
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '2\n');
    expect((await rig.shark(['run', 'm.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('in/b.txt', '5\n');
    const plan = await rig.plan('m.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['dbl[a.txt]', 'cached'], ['dbl[b.txt]', 'run'], ['use-a', 'cached']]);
    rig.write('in/a.txt', '7\n');
    expect((await rig.plan('m.md', '-i', 'in=in')).jobs.find((j) => j.job === 'use-a')!.status).toBe('blocked');
  });

  it('says a blocked step\'s own edit beside the upstream it waits for (only `upstream will run` was said)', async () => {
    await rig.shark(['run', 'p.md']);
    rig.write('p.md', PIPELINE.replace('echo "1 2 3"', 'echo "1 2 3 4"').replace('echo "total $(cat', 'echo "sum $(cat'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status === 'blocked').map((j) => [j.step, j.reasons])).toEqual([
      ['sum', ['upstream will run (prepare)']], ['report', ['upstream will run (sum)', 'command text changed']],
    ]);
  });

  it('re-runs exactly an edited step and its dependants, and everything is cached after reverting', async () => {
    await rig.shark(['run', 'p.md']);
    rig.write('p.md', PIPELINE.replace('echo "1 2 3"', 'echo "1 2 3 4"'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => [j.step, j.status])).toEqual([
      ['prepare', 'run'], ['sum', 'blocked'], ['report', 'blocked'], ['other-branch', 'cached'],
    ]);
    expect(plan.jobs[0]!.reasons).toEqual(['command text changed']);
    expect(plan.jobs[1]!.reasons[0]).toMatch(/upstream will run \(prepare\)/);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(0);
    expect(rig.lines().slice(4)).toEqual(['prepare', 'sum', 'report']);
    expect(rig.read('_shark/report.txt')).toBe('total 10\n');

    rig.write('p.md', PIPELINE);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    await rig.shark(['run', 'p.md']);
    expect(rig.count()).toBe(7);
  });

  it('keeps results when prose changes, headings are renamed or blocks move within a section', async () => {
    await rig.shark(['run', 'p.md']);
    const edited = PIPELINE.replace('Prose that can change freely.', 'Entirely new prose.\n\nMore of it.')
      .replace('## Sum', '## Adding the numbers up')
      .replace('## Other branch', '## Another branch')
      .replace('\n```shark-publish\n/data/report.txt\n```\n', '')
      .replace('## Another branch', '```shark-publish\n/data/report.txt\n```\n\n## Another branch');
    rig.write('p.md', edited);
    const plan = await rig.plan('p.md');
    expect(plan.summary).toEqual({ cached: 4, run: 0, blocked: 0 });
  });

  it('stops downstream re-runs when a re-run step produces identical output (early cutoff)', async () => {
    await rig.shark(['run', 'p.md']);
    // A different command that writes the same bytes.
    rig.write('p.md', PIPELINE.replace('echo "1 2 3" > /data/numbers.txt', 'printf "1 2 3\\n" > /data/numbers.txt'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(0);
    expect(rig.lines().slice(4)).toEqual(['prepare']);
  });

  it('re-runs a step when a local script it names changes, and explains which', async () => {
    rig.write('scripts/double.sh', 'sed "s/$/ doubled/"\n');
    rig.write('s.md', '# S\n\n```shark-run\necho "a" > /data/a.txt\n```\n\n```shark-run\nsh scripts/double.sh < /data/a.txt > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    rig.write('scripts/double.sh', 'sed "s/$/ twice/"\n');
    const plan = await rig.plan('s.md');
    expect(plan.jobs.map((j) => j.status)).toEqual(['cached', 'run']);
    expect(plan.jobs[1]!.reasons).toEqual([expect.stringMatching(/^local file scripts\/double\.sh changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
    rig.write('scripts/double.sh', 'sed "s/$/ doubled/"\n');
    expect((await rig.plan('s.md')).summary.run).toBe(0);
  });

  it('re-runs a step whose script is reached through `cd DIR &&`, a subshell `cd`, or a wildcard', async () => {
    rig.write('analysis/fit.sh', 'echo fit-1\n');
    rig.write('lib/a.sh', 'echo a-1\n');
    rig.write('lib/b.sh', 'echo b-1\n');
    rig.write('g.md', [
      '# G', '', '```shark-run', 'cd analysis && sh fit.sh > /data/cd.txt', '```', '',
      '```shark-run', '(cd analysis; sh fit.sh) > /data/sub.txt', '```', '',
      '```shark-run', 'cat lib/*.sh > /data/all.txt', '```', '',
    ].join('\n'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    expect((await rig.plan('g.md')).summary.run).toBe(0);
    rig.write('analysis/fit.sh', 'echo fit-2\n');
    const changed = await rig.plan('g.md');
    expect(changed.jobs.map((j) => j.status)).toEqual(['run', 'run', 'cached']);
    expect(changed.jobs[0]!.reasons).toEqual([expect.stringMatching(/^local file analysis\/fit\.sh changed /)]);
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    rig.write('lib/b.sh', 'echo b-2\n');
    expect((await rig.plan('g.md')).jobs.map((j) => j.status)).toEqual(['cached', 'cached', 'run']);
    // A new file the wildcard matches is one more the command reads.
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    rig.write('lib/c.sh', 'echo c-1\n');
    const added = await rig.plan('g.md');
    expect(added.jobs[2]!.reasons).toEqual(['local file lib/c.sh now used']);
  });

  it('re-runs a step whose file is named as key=FILE, by an absolute path on the host, or inside a directory it names', async () => {
    const abs = rig.path('elsewhere/conf.txt');
    rig.write('elsewhere/conf.txt', 'abs-1\n');
    rig.write('conf.txt', 'kv-1\n');
    rig.write('tmpl/a.txt', 'tmpl-1\n');
    rig.write('k.md', [
      '# K', '', '```shark-run', 'dd if=conf.txt of=/data/kv.txt 2>/dev/null', '```', '',
      '```shark-run', `cat ${abs} > /data/abs.txt`, '```', '',
      '```shark-run', 'cp -r tmpl/ /data/tmpl/', '```', '',
      // The document's own directory and the store change with every run: they are not keyed.
      '```shark-run', 'ls ./ .shark/ ../ > /data/ls.txt', '```', '',
      // An absolute directory is the host's: not read at each plan.
      '```shark-run', `ls ${rig.path('elsewhere')}/ > /data/lsabs.txt`, '```', '',
    ].join('\n'));
    expect((await rig.shark(['run', 'k.md'])).code).toBe(0);
    expect((await rig.plan('k.md')).summary.run).toBe(0);
    rig.write('conf.txt', 'kv-2\n');
    rig.write('elsewhere/conf.txt', 'abs-2\n');
    rig.write('tmpl/a.txt', 'tmpl-2\n');
    const changed = await rig.plan('k.md');
    expect(changed.jobs.map((j) => j.status)).toEqual(['run', 'run', 'run', 'cached', 'cached']);
    expect(changed.jobs[0]!.reasons).toEqual([expect.stringMatching(/^local file conf\.txt changed /)]);
    expect(changed.jobs[1]!.reasons).toEqual([expect.stringMatching(/^local file \/.*\/elsewhere\/conf\.txt changed /)]);
    expect(changed.jobs[2]!.reasons).toEqual([expect.stringMatching(/^local directory tmpl\/ changed /)]);
    expect((await rig.shark(['run', 'k.md'])).code).toBe(0);
    // A file added to the directory is read by the copy too.
    rig.write('tmpl/b.txt', 'b\n');
    expect((await rig.plan('k.md')).jobs.map((j) => j.status)).toEqual(['cached', 'cached', 'run', 'cached', 'cached']);
  });

  it('re-runs a step that copies `.` of the directory a `cd` moved to, when a file in it changes', async () => {
    rig.write('tpl/a.txt', 'a-1\n');
    rig.write('d.md', ['# D', '', '```shark-run', 'cd tpl', 'cp -r . /data/t/', '```', '', '```shark-run', 'cd tpl && cp -r . /data/u/', '```', ''].join('\n'));
    expect((await rig.shark(['run', 'd.md'])).code).toBe(0);
    expect((await rig.plan('d.md')).summary.run).toBe(0);
    rig.write('tpl/a.txt', 'a-2\n');
    const changed = await rig.plan('d.md');
    expect(changed.jobs.map((j) => j.status)).toEqual(['run', 'run']);
    expect(changed.jobs[0]!.reasons).toEqual([expect.stringMatching(/^local directory \. changed /)]);
    expect(changed.jobs[1]!.reasons).toEqual([expect.stringMatching(/^local directory tpl changed /)]);
  });

  it('never caches a failure, keeps its log, and points at the failing step', async () => {
    rig.write('f.md', '# F\n\n## Broken\n\n```shark-run\necho trying >> counter; echo "something went wrong" >&2; exit 3\n```\n');
    const ran = await rig.shark(['run', 'f.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('f.md:6:1: error: exit status 3');
    expect(ran.stdout).toContain('something went wrong');
    const plan = await rig.plan('f.md');
    expect(plan.jobs[0]!.reasons).toEqual(['previous attempt failed']);
    const again = await rig.shark(['run', 'f.md']);
    expect(again.code).toBe(1);
    expect(rig.count()).toBe(2);
    const logs = await rig.shark(['logs', 'f.md', 'broken']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('something went wrong');
  });

  it('shows, for a map job that was cached, the log of the run that made its result', async () => {
    rig.write('said/a.txt', 'a');
    rig.write('said/b.txt', 'b');
    rig.write('l.md', '---\ninputs:\n  said: /data/said/\n---\n# L\n\n```shark-run\necho "made from $(cat /data/said/*)"; cp /data/said/* /data/heard/+\n```\n');
    expect((await rig.shark(['run', 'l.md', '-i', 'said=said'])).code).toBe(0);
    const again = await rig.shark(['run', 'l.md', '-i', 'said=said', '--json']);
    expect(again.stdout).toContain('"job-cached"');
    const logs = await rig.shark(['logs', 'l.md', 'l[b.txt]']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('(cached');
    expect(logs.stdout).toContain('made from b');
  });

  it('fails a step that does not create an output it names, at the path\'s position', async () => {
    rig.write('m.md', '# M\n\n```shark-run\ntrue /data/never.txt\n```\n');
    const ran = await rig.shark(['run', 'm.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('m.md:4:6: error: step did not create /data/never.txt');
    expect((await rig.plan('m.md')).summary.run).toBe(1);
    // For machines: the command ended well (status 0); what it left is what failed. Null said it never ended.
    const json = await rig.shark(['run', 'm.md', '--json']);
    const failed = json.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { reason: string; exitCode: number | null });
    expect(failed).toEqual([expect.objectContaining({ reason: 'missing-output', exitCode: 0 })]);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!).summary.failures).toEqual([expect.objectContaining({ reason: 'missing-output' })]);
  });

  it('survives SIGKILL in the middle of a run and reuses every finished job', async () => {
    const steps = Array.from({ length: 6 }, (_, n) => `## S${n}\n\n\`\`\`shark-run\nsleep 0.4; echo s${n} >> counter; echo ${n} > /data/s${n}.txt\n\`\`\`\n`).join('\n');
    rig.write('k.md', `# K\n\n${steps}`);
    const child = spawn(process.execPath, [SHARK, 'run', 'k.md', '-j', '1'], { cwd: rig.dir, stdio: 'ignore' });
    // Killed once a first job has finished its command (not after a fixed time: a loaded machine is slow).
    for (let i = 0; i < 600 && rig.count() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const finished = rig.count();
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(6);
    const plan = await rig.plan('k.md');
    expect(plan.summary.cached).toBeGreaterThanOrEqual(finished - 1);
    const ran = await rig.shark(['run', 'k.md']);
    expect(ran.code).toBe(0);
    // Every job ran to completion exactly once, except at most the one killed in flight.
    expect(rig.count()).toBeLessThanOrEqual(7);
    expect(new Set(rig.lines()).size).toBe(6);
    expect((await rig.plan('k.md')).summary).toEqual({ cached: 6, run: 0, blocked: 0 });
  });

  it('prints the plan JSON contract', async () => {
    const plan = await rig.plan('p.md');
    expect(plan.summary).toEqual({ cached: 0, run: 2, blocked: 2 });
    expect(plan.jobs[0]).toMatchObject({ block: 'prepare', line: 8, status: 'run', reasons: ['no previous result'] });
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('4 jobs: 0 cached, 2 to run, 2 blocked');
  });

  it('writes the executed document and answers lineage queries', async () => {
    const ran = await rig.shark(['run', 'p.md', '--output', 'executed.md']);
    expect(ran.code).toBe(0);
    const executed = rig.read('executed.md');
    expect(executed).toContain(PIPELINE.split('\n').slice(0, 10).join('\n'));
    expect(executed).toMatch(/<!-- report: ok, key [0-9a-f]{16}, \/data\/report\.txt = sha256:[0-9a-f]{64} -->/);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--json']);
    expect(lineage.code).toBe(0);
    type Node = { job: string; inputs: { path: string; from: Node[] }[] };
    const tree = JSON.parse(lineage.stdout) as Node;
    expect(tree.job).toBe('report');
    expect(tree.inputs[0]!.path).toBe('/data/sum.txt');
    expect(tree.inputs[0]!.from.map((n) => n.job)).toEqual(['sum']);
    expect(tree.inputs[0]!.from[0]!.inputs[0]!.from.map((n) => n.job)).toEqual(['prepare']);
    const text = await rig.shark(['lineage', 'p.md', '/data/report.txt']);
    expect(text.stdout).toContain('$ echo report >> counter');
  });
});
