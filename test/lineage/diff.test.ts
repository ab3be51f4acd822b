import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, rmSync } from 'node:fs';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { database, EDITED, normalise, PIPELINE } from './ask-fixture.js';

type DiffJson = {
  identical: boolean;
  old: { run: number | null; id: string };
  new: { run: number | null; id: string };
  steps: { job: string; class: string; reasons: string[]; changes: { field: string; old: string | null; new: string | null }[] }[];
};

/** A step that writes the time: re-running it with the same command and inputs gives other bytes. */
const STAMPED = `# Stamped

## Numbers

\`\`\`shark-run
echo "1 2 3" > /data/numbers.txt
\`\`\`

## Stamp

\`\`\`shark-run
date +%s%N > /data/stamp.txt
\`\`\`

## Report

\`\`\`shark-run
cat /data/numbers.txt /data/stamp.txt > /data/report.txt
\`\`\`
`;

describe('shark diff', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  const json = async (...args: string[]): Promise<DiffJson> => {
    const ran = await rig.shark(['diff', ...args, '--json']);
    expect(ran.stderr).toBe('');
    return JSON.parse(ran.stdout) as DiffJson;
  };

  it('an edited middle command: that step is the root cause (old → new), the step after it propagated', async () => {
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', EDITED);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // A third run, all cached: the comparison goes back to the last run with other content.
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await rig.shark(['diff', 'p.md', '/data/report.txt']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(1);
    expectGolden('lineage-queries/diff-command.txt', normalise(ran.stdout, rig));
    const answer = await json('p.md', '/data/report.txt');
    expect([answer.old.run, answer.new.run]).toEqual([1, 3]);
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['sum', 'root-cause'], ['report', 'propagated'], ['prepare', 'same']]);
    expect(answer.steps[0]!.changes).toEqual([{ field: 'command', old: expect.stringContaining('print s }'), new: expect.stringContaining('print s * 2 }') }]);
    // The same comparison named by runs, by content ids, and by files on disk.
    expect((await json('p.md', '/data/report.txt', '--from', '1', '--to', '2')).steps.map((s) => s.class)).toEqual(['root-cause', 'propagated', 'same']);
    const byIds = await json('p.md', answer.old.id, answer.new.id);
    expect(byIds.steps.map((s) => s.class)).toEqual(['root-cause', 'propagated', 'same']);
    rig.write('old-report.txt', 'total 6\n');
    const byFiles = await json('p.md', 'old-report.txt', '_shark/report.txt');
    expect(byFiles.steps.map((s) => s.class)).toEqual(['root-cause', 'propagated', 'same']);
  });

  it('identical ancestries exit 0; a path no run produced 1 (a query that found nothing); a bad run 2', async () => {
    rig.write('p.md', PIPELINE);
    await rig.shark(['run', 'p.md']);
    await rig.shark(['run', 'p.md']);
    const same = await rig.shark(['diff', 'p.md', '/data/report.txt', '--from', '1', '--to', '2']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('identical');
    const none = await rig.shark(['diff', 'p.md', '/data/report.txt']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('same content in every run');
    // Nothing to compare, in the shape of every other answer: no old result, no steps.
    const nothing = await rig.shark(['diff', 'p.md', '/data/report.txt', '--json']);
    expect(nothing.code).toBe(0);
    const id = (JSON.parse((await rig.shark(['lineage', 'p.md', '/data/report.txt', '--json'])).stdout) as { outputs: Record<string, string> }).outputs['/data/report.txt'];
    expect(JSON.parse(nothing.stdout)).toEqual({
      old: { run: null, path: '/data/report.txt', id: null },
      new: { run: 2, path: '/data/report.txt', id },
      identical: true,
      steps: [],
      summary: {},
    });
    expect(Object.keys(JSON.parse(nothing.stdout) as object)).toEqual(Object.keys(JSON.parse((await rig.shark(['diff', 'p.md', '/data/report.txt', '--from', '1', '--to', '2', '--json'])).stdout) as object));
    expect((await rig.shark(['diff', 'p.md', '/data/nothing.txt'])).code).toBe(1);
    expect((await rig.shark(['diff', 'p.md', '/data/report.txt', '--from', '7'])).code).toBe(2);
    // An id as `why` abbreviates it is named once, and said to be short.
    const short = await rig.shark(['diff', 'p.md', 'sha256:65fb6cec', 'sha256:65fb6ced']);
    expect(short.code).toBe(2);
    expect(short.stderr).toBe('shark: error: sha256:65fb6cec: a content id has 64 hex digits after the colon (as `shark why` and `shark lineage` print it)\n');
    // Run numbers where the results go: said where they go.
    const runs = await rig.shark(['diff', 'p.md', '1', '2']);
    expect(runs.code).toBe(2);
    expect(runs.stderr).toBe('shark: error: 1: no such file or directory (to compare runs, name a /data path and the runs: `--from 1`, `--to N`)\n');
  });

  it('a step that writes the time, re-run with the same command and inputs: nondeterministic', async () => {
    rig.write('p.md', STAMPED);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // The stamp's bytes are lost from the store, so the next run computes them again.
    const stamp = (JSON.parse((await rig.shark(['lineage', 'p.md', '/data/stamp.txt', '--json'])).stdout) as { outputs: Record<string, string> }).outputs['/data/stamp.txt']!;
    const hex = stamp.slice(stamp.indexOf(':') + 1);
    rmSync(rig.path(`.shark/objects/${hex.slice(0, 2)}/${hex.slice(2)}`));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await rig.shark(['diff', 'p.md', '/data/report.txt']);
    expect(ran.code).toBe(1);
    expectGolden('lineage-queries/diff-nondeterministic.txt', normalise(ran.stdout, rig).replace(/[0-9a-f]{8}…/g, 'XXXXXXXX…'));
    const answer = await json('p.md', '/data/report.txt');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['stamp', 'nondeterministic'], ['report', 'propagated'], ['numbers', 'same']]);
  });

  it('a directory an import wrote and a step then wrote into: lineage names both, diff the step that changed', async () => {
    rig.write('tiles/a.tif', 't1\n');
    const doc = (name: string): string => `# Tiles\n\n\`\`\`shark-import\ntiles/ /data/tiles/\n\`\`\`\n\n\`\`\`shark-run {id=extra}\necho ${name} > /data/tiles/${name}.tif\n\`\`\`\n\n`
      + '```shark-run {id=list}\nls /data/tiles/ > /data/list.txt\n```\n';
    rig.write('t.md', doc('extra'));
    expect((await rig.shark(['run', 't.md'])).code).toBe(0);
    const lineage = JSON.parse((await rig.shark(['lineage', 't.md', '/data/list.txt', '--json'])).stdout) as { inputs: { path: string; from: { job: string }[] }[] };
    expect(lineage.inputs.find((i) => i.path === '/data/tiles')?.from.map((f) => f.job).sort()).toEqual(['extra', 'tiles']);
    rig.write('t.md', doc('extra2'));
    expect((await rig.shark(['run', 't.md'])).code).toBe(0);
    const answer = await json('t.md', '/data/list.txt');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['extra', 'root-cause'], ['list', 'propagated'], ['tiles', 'same']]);
  });

  it('a path no run produced: a query that found nothing, exit 1, as lineage says it', async () => {
    rig.write('p.md', STAMPED);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const none = await rig.shark(['diff', 'p.md', '/data/never.txt']);
    expect([none.code, none.stdout, none.stderr]).toEqual([1, '', 'shark: no run produced /data/never.txt\n']);
    // What was typed is quoted back: an escape sequence in it reached the terminal.
    const typed = await rig.shark(['diff', 'p.md', '/data/\x1b[2Jx']);
    expect([typed.code, typed.stderr]).toEqual([1, 'shark: no run produced /data/\\x1b[2Jx\n']);
    const file = await rig.shark(['diff', 'p.md', 'x\x1b[2J', 'y']);
    expect([file.code, file.stderr]).toEqual([2, 'shark: error: x\\x1b[2J: no such file or directory\n']);
  });

  it('a changed environment only: the step is the root cause, though its output is the same', async () => {
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // Fake history: in run 1, `sum` ran in another environment (as after an image rebuild).
    const db = database(rig);
    const row = db.prepare("SELECT r.* FROM results r JOIN run_jobs j ON j.key = r.key WHERE j.run_id = 1 AND j.job = 'sum'").get() as { key: string; record: string };
    const record = JSON.parse(row.record) as { env: string };
    db.prepare("INSERT INTO results (key, identity, record, outputs, meta, log, started, ended, run_id) SELECT 'fake-key', identity, ?, outputs, meta, log, started, ended, run_id FROM results WHERE key = ?")
      .run(JSON.stringify({ ...record, env: 'docker:sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }), row.key);
    db.prepare("UPDATE run_jobs SET key = 'fake-key' WHERE run_id = 1 AND job = 'sum'").run();
    db.close();
    const ran = await rig.shark(['diff', 'p.md', '/data/report.txt', '--from', '1', '--to', '2']);
    expect(ran.code).toBe(1);
    expectGolden('lineage-queries/diff-environment.txt', normalise(ran.stdout, rig));
    const answer = await json('p.md', '/data/report.txt', '--from', '1', '--to', '2');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['sum', 'root-cause'], ['prepare', 'same'], ['report', 'same']]);
    expect(answer.steps[0]!.changes).toEqual([{ field: 'env', old: expect.stringMatching(/^docker:sha256:0123/), new: expect.stringMatching(/^host:/) }]);
  });

  it('two copies of a map directory on disk, whose items made equal bytes: each entry by the job that wrote it', async () => {
    rig.write('m.md', '---\ninputs:\n  ranges: /data/ranges/\n---\n# M\n\n```shark-run {id=count}\nwc -c < /data/ranges/* > /data/aoh/+\n```\n\n```shark-publish\n/data/aoh/\n```\n');
    rig.write('ranges/a.tif', 'a\n');
    rig.write('ranges/b.tif', 'b\n');
    expect((await rig.shark(['run', 'm.md', '-i', 'ranges=ranges'])).code).toBe(0);
    cpSync(rig.path('_shark/aoh'), rig.path('old'), { recursive: true });
    rig.write('ranges/b.tif', 'bbbb\n');
    expect((await rig.shark(['run', 'm.md', '-i', 'ranges=ranges'])).code).toBe(0);
    const answer = await json('m.md', 'old', '_shark/aoh');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['input /data/ranges/b.tif', 'root-cause'], ['count[b.tif]', 'propagated'], ['count[a.tif]', 'same']]);
    expect((await rig.shark(['diff', 'm.md', 'old', 'old'])).code).toBe(0);
  });

  it('a directory several jobs wrote (a map\'s, two sweep instances\'): its tree id, in text, JSON and lineage', async () => {
    rig.write('m.md', '---\nTAXA: [AVES, MAMMALIA]\ninputs:\n  ranges: /data/ranges/\n---\n# M\n\n```shark-run {id=count}\nwc -c < /data/ranges/* > /data/aoh/+\n```\n\n```shark-run {id=per-taxon}\necho %{TAXA} > /data/taxa/%{TAXA}.txt\n```\n\n```shark-publish\n/data/aoh/\n```\n');
    rig.write('ranges/a.tif', 'a\n');
    rig.write('ranges/b.tif', 'b\n');
    expect((await rig.shark(['run', 'm.md', '-i', 'ranges=ranges'])).code).toBe(0);
    const first = (await rig.shark(['why', '_shark/aoh', '--json'])).stdout;
    const oldTree = (JSON.parse(first) as { files: { id: string }[] }).files[0]!.id;
    rig.write('ranges/b.tif', 'bbbb\n');
    rig.write('m.md', rig.read('m.md').replace('echo %{TAXA}', 'echo taxon %{TAXA}'));
    expect((await rig.shark(['run', 'm.md', '-i', 'ranges=ranges'])).code).toBe(0);
    const newTree = (JSON.parse((await rig.shark(['why', '_shark/aoh', '--json'])).stdout) as { files: { id: string }[] }).files[0]!.id;
    const answer = await json('m.md', '/data/aoh');
    expect([answer.old.id, answer.new.id]).toEqual([oldTree, newTree]);
    const text = await rig.shark(['diff', 'm.md', '/data/aoh']);
    expect(text.stdout.split('\n')[0]).toBe(`/data/aoh in run 1 (${oldTree.slice(5, 13)}…) → /data/aoh in run 2 (${newTree.slice(5, 13)}…)`);
    const taxa = await json('m.md', '/data/taxa');
    expect([taxa.old.id, taxa.new.id]).toEqual([expect.stringMatching(/^tree:[0-9a-f]{64}$/), expect.stringMatching(/^tree:[0-9a-f]{64}$/)]);
    const lineage = JSON.parse((await rig.shark(['lineage', 'm.md', '/data/aoh', '--json'])).stdout) as { kind: string; inputs: { id: string }[] };
    expect([lineage.kind, lineage.inputs[0]!.id]).toEqual(['group', newTree]);
  });

  it('a step whose heading was renamed is the same step: matched by its key, else by what it writes', async () => {
    const numbers = "# Numbers\n\n```shark-run\nseq 1 5 > /data/n.txt\n```\n\n# Sum\n\n```shark-run\nawk '{ s += $1 } END { print s }' /data/n.txt > /data/sum.txt\n```\n\n# Report\n\n```shark-run\ncat /data/sum.txt > /data/report.txt\n```\n";
    rig.write('p.md', numbers);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // `Sum` renamed and its input changed (other key, same output path); `Report` renamed only (same key).
    rig.write('p.md', numbers.replace('# Sum', '# Total').replace('# Report', '# Summary').replace('seq 1 5', 'seq 1 6'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const answer = await json('p.md', '/data/sum.txt');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['numbers', 'root-cause'], ['total', 'propagated']]);
    const text = await rig.shark(['diff', 'p.md', '/data/sum.txt']);
    expect(text.stdout).not.toMatch(/only in/);
    expect(text.stdout).toMatch(/propagated +total +p\.md:10:1 +input \/data\/n\.txt changed/);
    // Report's bytes are other (the sum changed) but a later edit renames it back, keeping its key.
    rig.write('p.md', numbers.replace('# Sum', '# Total').replace('seq 1 5', 'seq 1 6'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const renamed = await json('p.md', '/data/report.txt', '--from', '2', '--to', '3');
    expect(renamed.identical).toBe(true);
    expect(renamed.steps.map((s) => [s.job, s.class])).toEqual([['numbers', 'same'], ['total', 'same'], ['report', 'same']]);
  });

  it('ids renumbered (a block inserted above, two headings swapped): each step is paired with itself, not with the one now under its old id', async () => {
    const prep = '# D\n\n## Prep\n\n```shark-run\nseq 1 5 > /data/a.txt\n```\n\n```shark-run\nseq 1 3 > /data/b.txt\n```\n\n## Report\n\n```shark-run\ncat /data/a.txt /data/b.txt > /data/report.txt\n```\n';
    rig.write('p.md', prep);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // A block inserted at the top of Prep: a's step is now prep-2, b's prep-3 (and b's command changed).
    rig.write('p.md', prep.replace('## Prep\n', '## Prep\n\n```shark-run\necho hello > /data/c.txt\n```\n').replace('seq 1 3', 'seq 1 4'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const answer = await json('p.md', '/data/report.txt');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['prep-3', 'root-cause'], ['report', 'propagated'], ['prep-2', 'same']]);
    expect(answer.steps[0]!.changes).toEqual([{ field: 'command', old: 'seq 1 3 > /data/b.txt', new: 'seq 1 4 > /data/b.txt' }]);
    // Two headings swapped: their blocks trade ids; only b's command changed.
    const two = '# S\n\n## First\n\n```shark-run\nseq 1 5 > /data/a.txt\n```\n\n## Second\n\n```shark-run\nseq 1 3 > /data/b.txt\n```\n\n## Report\n\n```shark-run\ncat /data/a.txt /data/b.txt > /data/report.txt\n```\n';
    rig.write('s.md', two);
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    rig.write('s.md', two.replace('## First', '## Tmp').replace('## Second', '## First').replace('## Tmp', '## Second').replace('seq 1 3', 'seq 1 4'));
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    const swapped = await json('s.md', '/data/report.txt');
    expect(swapped.steps.map((s) => [s.job, s.class])).toEqual([['first', 'root-cause'], ['report', 'propagated'], ['second', 'same']]);
    expect(swapped.steps[0]!.changes.map((c) => [c.old, c.new])).toEqual([['seq 1 3 > /data/b.txt', 'seq 1 4 > /data/b.txt']]);
  });

  it('a {precious} map that kept its old items and ran a new one: the upstream step, in both versions, its new one the root cause', async () => {
    const kept = '# PM\n\n```shark-run\nmkdir -p /data/in/; for i in a b; do echo "$i v1" > /data/in/$i.txt; done\n```\n\n## Keep\n\n```shark-run {precious}\nwc -c < /data/in/*.txt > /data/kept/+\n```\n';
    rig.write('p.md', kept);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', kept.replace('v1', 'version2').replace('for i in a b', 'for i in a b c'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // keep[a.txt] and keep[b.txt] are run 1's, made from pm's first version; keep[c.txt] from its second.
    const answer = await json('p.md', '/data/kept');
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['pm', 'root-cause'], ['keep[c.txt]', 'only-new'], ['pm', 'same'], ['keep[a.txt]', 'same'], ['keep[b.txt]', 'same']]);
    expect(answer.steps[0]!.changes).toEqual([{ field: 'command', old: expect.stringContaining('for i in a b;'), new: expect.stringContaining('for i in a b c;') }]);
    const text = await rig.shark(['diff', 'p.md', '/data/kept']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^root cause +pm +p\.md:4:1 +command text changed$/m);
    // Four jobs in five rows: the counts say why they add up to five.
    expect(text.stdout).toMatch(/\n4 jobs \(1 in two versions\): 1 root cause, 1 only in new, 3 same\n$/);
  });

  it('two versions of one local import on the old side: a row each, told apart by their ids', async () => {
    const doc = '# I\n\n```shark-import\nfile:r/ /data/r/\n```\n\n## Keep\n\n```shark-run {precious}\ncat /data/r/a.txt > /data/p.txt\n```\n\n## Other\n\n```shark-run\ncat /data/r/b.txt > /data/q.txt\n```\n\n## Total\n\n```shark-run\ncat /data/p.txt /data/q.txt > /data/t.txt\n```\n';
    rig.write('p.md', doc);
    for (const version of ['1', '2']) {
      rig.write('r/a.txt', `a${version}\n`);
      rig.write('r/b.txt', `b${version}\n`);
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    }
    // Run 2 kept keep's first result (from the import's first version) and ran other on the second.
    rig.write('r/a.txt', 'a3\n');
    rig.write('r/b.txt', 'b3\n');
    expect((await rig.shark(['run', 'p.md', '--force', 'keep'])).code).toBe(0);
    const text = await rig.shark(['diff', 'p.md', '/data/t.txt']);
    expect(text.code).toBe(1);
    const rows = text.stdout.split('\n').filter((l) => /^root cause +i /.test(l));
    expect(rows).toHaveLength(2);
    expect(new Set(rows).size).toBe(2);
    for (const row of rows) expect(row).toMatch(/source tree changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/);
  });

  it('a root cause that also read changed inputs: its row lists every change, the inputs included', async () => {
    rig.write('p.md', '# P\n\n## A\n\n```shark-run\necho one > /data/a.txt\n```\n\n## B\n\n```shark-run\ncat /data/a.txt > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', rig.read('p.md').replace('echo one', 'echo two').replace('cat /data/a.txt >', 'cat /data/a.txt /data/a.txt >'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const answer = await json('p.md', '/data/b.txt');
    const b = answer.steps.find((s) => s.job === 'b')!;
    expect(b.class).toBe('root-cause');
    expect(b.changes.map((c) => c.field)).toEqual(['command', 'input /data/a.txt']);
    expect(b.reasons).toEqual([expect.stringMatching(/^command text changed$/), expect.stringMatching(/^input \/data\/a\.txt changed \([0-9a-f]{8}… → [0-9a-f]{8}…\)$/)]);
    const text = await rig.shark(['diff', 'p.md', '/data/b.txt']);
    expect(text.stdout).toMatch(/^ +input \/data\/a\.txt changed/m);
  });
  it('a value removed from an axis, or added: the reader of what its instance wrote is the root cause, naming the instance and the axis', async () => {
    const doc = (values: string): string => `---\nP: [${values}]\n---\n## Per\n\n\`\`\`shark-run\necho %{P} > /data/per/%{P}.txt\n\`\`\`\n\n## All\n\n\`\`\`shark-run\nfind /data/per/ -type f -exec cat {} + | sort > /data/all.txt\n\`\`\`\n`;
    rig.write('p.md', doc('a, b, c'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', doc('a, b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const removed = await json('p.md', '/data/all.txt');
    expect(removed.steps.map((s) => [s.job, s.class])).toEqual([['all', 'root-cause'], ['per[P=c]', 'only-old'], ['per[P=a]', 'same'], ['per[P=b]', 'same']]);
    expect(removed.steps[0]!.reasons).toEqual([expect.stringMatching(/^input \/data\/per changed \([0-9a-f]{8}… → [0-9a-f]{8}…\): per\[P=c\] no longer writes into it \(axis P: c removed\)$/)]);
    const text = await rig.shark(['diff', 'p.md', '/data/all.txt']);
    expect(text.stdout).toMatch(/^root cause +all +p\.md:13:1 +input \/data\/per changed .*: per\[P=c\] no longer writes into it \(axis P: c removed\)$/m);
    expect(text.stdout).toMatch(/^4 jobs: 1 root cause, 1 only in old, 2 same$/m);
    rig.write('p.md', doc('a, b, d'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const added = await json('p.md', '/data/all.txt');
    expect(added.steps[0]!.class).toBe('root-cause');
    expect(added.steps[0]!.reasons[0]).toMatch(/: per\[P=d\] now writes into it \(axis P: d added\)$/);
  });

  it('an item a map gained from new data: its readers stay propagated, the cause upstream', async () => {
    rig.write('p.md', '# P\n\n```shark-import\nin/ /data/in/\n```\n\n## A\n\n```shark-run\ncat /data/in/*.txt > /data/a/+\n```\n\n## B\n\n```shark-run\nfind /data/a/ -type f -exec cat {} + > /data/b.txt\n```\n');
    for (const i of [1, 2]) rig.write(`in/${i}.txt`, `${i}\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/3.txt', '3\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const answer = await json('p.md', '/data/b.txt');
    expect(answer.steps.find((s) => s.job === 'b')!.class).toBe('propagated');
    expect(answer.steps.filter((s) => s.class === 'root-cause').map((s) => s.reasons)).toEqual([[expect.stringMatching(/^source tree changed/)]]);
  });
});
