import { mkdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const doc = (map: string): string => `---\ninputs:\n  in: /data/in/\n---\n\n## Map\n\n${fence}shark-run\n${map}\n${fence}\n`;

/**
 * A job's identity is its outputs as written: renaming them (`+.txt` → `+`)
 * makes a new one. `plan` still compares each item's job with that item's
 * last attempt in its own document, so it says what changed.
 */
describe('plan\'s reasons when a step\'s outputs are renamed', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-reasons-by-item-');
    for (const s of ['a', 'b']) rig.write(`in/${s}`, `${s}\n`);
  });
  afterEach(() => rig.cleanup());

  it('names what changed for the items that ran before, not "new item"', async () => {
    rig.write('p.md', doc('cat /data/in/* > /data/out/+.txt'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    const text = await rig.shark(['plan', 'p.md', '-i', 'in=in']);
    expect(text.stdout).toContain('2 jobs — 0 cached, 2 to run (command text changed)');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => j.reasons)).toEqual([
      ['command text changed', 'outputs changed'], ['command text changed', 'outputs changed'],
    ]);
  });

  it('still says "new item" for an item that never ran, and for every item of a document that never ran', async () => {
    rig.write('p.md', doc('cat /data/in/* > /data/out/+.txt'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    rig.write('in/c', 'c\n');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => [j.item, j.reasons[0]])).toEqual([
      ['a', 'command text changed'], ['b', 'command text changed'], ['c', 'no previous result (new item)'],
    ]);
    rig.write('q.md', doc('cat /data/in/* > /data/out/+'));
    expect((await rig.plan('q.md', '-i', 'in=in')).jobs.map((j) => j.reasons[0])).toEqual(['no previous result (new item)', 'no previous result (new item)', 'no previous result (new item)']);
  });

  it('explains every job of a map larger than the slices its attempts are read in (500), each with its own attempt', async () => {
    for (let n = 0; n < 1201; n++) rig.write(`in/i${String(n).padStart(4, '0')}`, `${n}\n`);
    rig.write('p.md', doc('cat /data/in/* > /data/out/+.txt'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in', '-j', '2'])).code).toBe(0);
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    // One item of the third slice changed too: its own reason says so, and no other job's does.
    rig.write('in/i1100', 'changed\n');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    const reasons = new Map(plan.jobs.map((j) => [j.item, j.reasons]));
    expect(reasons.size).toBe(1203);
    expect(reasons.get('i1100')!.map((r) => r.replace(/ \(.*\)$/, ''))).toEqual(['command text changed', 'input /data/in/i1100 changed', 'outputs changed']);
    const others = [...reasons].filter(([item]) => item !== 'i1100').map(([, r]) => r.join('; '));
    expect(new Set(others)).toEqual(new Set(['command text changed; outputs changed']));
  });

  it('says "no previous result", not "new item", for the items a failed or killed run never reached', async () => {
    rig.write('in/c', 'c\n');
    rig.write('p.md', doc('! grep -qx a /data/in/* && cat /data/in/* > /data/out/+'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in', '-j', '1'])).code).toBe(1);
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => [j.item, j.reasons[0]])).toEqual([
      ['a', 'previous attempt failed'], ['b', 'no previous result'], ['c', 'no previous result'],
    ]);
    // Once a run finished the step, an item it did not have is new.
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('in/d', 'd\n');
    expect((await rig.plan('p.md', '-i', 'in=in')).jobs.filter((j) => j.status === 'run').map((j) => [j.item, j.reasons[0]])).toEqual([['d', 'no previous result (new item)']]);
  });

  it('says "new item" after a run that finished the step though a later step failed', async () => {
    rig.write('p.md', `${doc('cat /data/in/* > /data/out/+')}\n${fence}shark-run\nls /data/out/ > /data/all.txt; exit 3\n${fence}\n`);
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(1);
    rig.write('in/c', 'c\n');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.filter((j) => j.status === 'run').map((j) => [j.job, j.reasons[0]])).toEqual([
      ['map[c]', 'no previous result (new item)'],
    ]);
  });

  it('says "new item" for the first item of a map whose last run found nothing to map over', async () => {
    rmSync(rig.path('in'), { recursive: true });
    mkdirSync(rig.path('in'));
    rig.write('p.md', doc('cat /data/in/* > /data/out/+'));
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('in/c', 'c\n');
    const plan = await rig.plan('p.md', '-i', 'in=in');
    expect(plan.jobs.map((j) => [j.job, j.reasons[0]])).toEqual([['map[c]', 'no previous result (new item)']]);
  });
});

/**
 * Ids are only names: a block or command inserted above another takes its
 * id, and the one it displaced is cached under the next id. The new one is
 * not an edit of the displaced one, whose attempt another step has now.
 */
describe("plan's reasons for a block or command inserted above another", () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-reasons-inserted-');
  });
  afterEach(() => rig.cleanup());

  const run = (cmd: string): string => `${fence}shark-run\n${cmd}\n${fence}\n`;

  it('a new block above the section\'s first is "no previous result", not its edit', async () => {
    rig.write('p.md', `## Part\n\n${run('seq 1 5 > /data/a.txt')}\n${run('seq 1 7 > /data/b.txt')}`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', `## Part\n\n${run('echo hi > /data/h.txt')}\n${run('seq 1 5 > /data/a.txt')}\n${run('seq 1 7 > /data/b.txt')}`);
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => [j.job, j.status, j.reasons])).toEqual([
      ['part', 'run', ['no previous result']], ['part-2', 'cached', []], ['part-3', 'cached', []],
    ]);
  });

  it('a new first command of a block likewise; a command edited in place still says what changed', async () => {
    rig.write('p.md', `## Part\n\n${run('seq 1 5 > /data/a.txt\nseq 1 7 > /data/b.txt')}`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', `## Part\n\n${run('echo hi > /data/h.txt\nseq 1 5 > /data/a.txt\nseq 1 7 > /data/b.txt')}`);
    expect((await rig.plan('p.md')).jobs.map((j) => [j.job, j.reasons])).toEqual([
      ['part.1', ['no previous result']], ['part.2', []], ['part.3', []],
    ]);
    rig.write('p.md', `## Part\n\n${run('seq 1 5 > /data/a2.txt\nseq 1 7 > /data/b.txt')}`);
    expect((await rig.plan('p.md')).jobs.map((j) => [j.job, j.reasons])).toEqual([
      ['part.1', ['command text changed', 'outputs changed']], ['part.2', []],
    ]);
  });
});

/**
 * A value added to an axis (`T: [a, b]` → `[a, b, c]`) makes new instances
 * of the blocks that mention it: their jobs are new, as a map's new item is,
 * and plan says which value is.
 */
describe("plan's reasons for the instances of a value added to an axis", () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-reasons-new-value-');
    for (const s of ['x', 'y']) rig.write(`in/${s}`, `${s}\n`);
  });
  afterEach(() => rig.cleanup());

  const sweep = (values: string, more = ''): string => `---\nT: [${values}]\n${more}---\n\n${fence}shark-import\nin/ /data/in/\n${fence}\n\n## Make\n\n${fence}shark-run\necho %{T} > /data/one/%{T}.txt\n${fence}\n\n## Scale\n\n${fence}shark-run\nsed s/^/%{T}/ /data/in/* > /data/out/%{T}/+\n${fence}\n`;

  it('says "new value T=c" for a step of one job and for each item of a map, and on the map\'s line', async () => {
    rig.write('p.md', sweep('a, b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', sweep('a, b, c'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status === 'run').map((j) => [j.job, j.reasons])).toEqual([
      ['make[T=c]', ['no previous result (new value T=c)']],
      ['scale[T=c][x]', ['no previous result (new value T=c)']],
      ['scale[T=c][y]', ['no previous result (new value T=c)']],
    ]);
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout).toMatch(/^run +make\[T=c\] .* no previous result \(new value T=c\)$/m);
    expect(text.stdout).toContain('2 jobs — 0 cached, 2 to run (new value T=c)');
  });

  it('says what changed for the old values and "new value" for the new one when the command changed too', async () => {
    rig.write('p.md', sweep('a, b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', sweep('a, b, c').replace('/data/one/%{T}.txt', '/data/one/%{T}.txt; echo "%{T}"'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.step.startsWith('make')).map((j) => [j.job, j.reasons[0]])).toEqual([
      ['make[T=a]', 'command text changed'], ['make[T=b]', 'command text changed'], ['make[T=c]', 'no previous result (new value T=c)'],
    ]);
  });

  it('names only the new value of two axes, and says nothing new of an instance whose values had all run (a run of part of the sweep)', async () => {
    const two = (t: string, s: string): string => `---\nT: [${t}]\nS: [${s}]\n---\n\n## Make\n\n${fence}shark-run\necho %{T} %{S} > /data/one/%{T}-%{S}.txt\n${fence}\n`;
    rig.write('p.md', two('a, b', 'x'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', two('a, b', 'x, y'));
    expect((await rig.plan('p.md')).jobs.filter((j) => j.status === 'run').map((j) => [j.job, j.reasons])).toEqual([
      ['make[T=a,S=y]', ['no previous result (new value S=y)']], ['make[T=b,S=y]', ['no previous result (new value S=y)']],
    ]);
    expect((await rig.shark(['run', 'p.md', '-e', 'T=a'])).code).toBe(0);
    // b and y have each run, but not together: that instance is no new value's.
    expect((await rig.plan('p.md')).jobs.filter((j) => j.status === 'run').map((j) => [j.job, j.reasons])).toEqual([
      ['make[T=b,S=y]', ['no previous result']],
    ]);
  });

  it('says "new item", not "new value", for the first item of a value whose map had none to map over', async () => {
    rig.write('p.md', sweep('a, b').replace('/data/in/*', '/data/in/%{T}/*'));
    rig.write('in/a/x', 'x\n');
    mkdirSync(rig.path('in/b'), { recursive: true });
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/b/y', 'y\n');
    expect((await rig.plan('p.md')).jobs.filter((j) => j.status === 'run' && j.step.startsWith('scale')).map((j) => [j.job, j.reasons])).toEqual([
      ['scale[T=b][y]', ['no previous result (new item)']],
    ]);
  });
});
