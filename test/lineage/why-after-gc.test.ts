import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `gc --delete` frees the data of older runs but keeps their results, so
 * their lineage stays: `why` of a file an import brought in (an entry of the
 * imported directory, whose older tree gc freed) still names the import and
 * the run, as it did before gc.
 */
const PIPELINE = "# gc and why\n\n```shark-import\nfile:in/ /data/in/\n```\n\n```shark-run\ntr a-z A-Z < /data/in/a.txt > /data/out.txt\n```\n";

interface Answer { produced: { job: string; path: string; run: number; entry?: string }[]; notProduced: string[] }

describe('why after gc --delete', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-why-gc-');
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'keep\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('old-a.txt', 'one\n');
    rig.write('mixed/a.txt', 'one\n');
    rig.write('mixed/foreign.txt', 'never imported\n');
    rig.write('in/a.txt', 'two\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  const why = async (file: string): Promise<{ code: number | null; answer: Answer }> => {
    const ran = await rig.shark(['why', file, '--json']);
    return { code: ran.code, answer: (JSON.parse(ran.stdout) as { files: Answer[] }).files[0]! };
  };

  it('still names the import and run that brought in an entry of a directory whose tree gc freed', async () => {
    const before = await why('old-a.txt');
    expect(before.code).toBe(0);
    expect(before.answer.produced.map((m) => [m.job, m.path, m.run])).toEqual([['gc-and-why', '/data/in/a.txt', 1]]);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.stdout).toMatch(/freed [1-9]\d* objects/);

    const after = await why('old-a.txt');
    expect(after.answer).toEqual(before.answer);
    expect(after.code).toBe(0);
    const text = await rig.shark(['why', 'old-a.txt']);
    expect(text.stdout).toContain('made by gc-and-why as /data/in/a.txt, run 1');
    expect(text.stdout).not.toContain('not produced by Shark');

    // In a directory no job wrote whole, entry by entry: the foreign file alone is not produced.
    const mixed = await why('mixed');
    expect(mixed.answer.produced.map((m) => [m.entry, m.job, m.run])).toEqual([['a.txt', 'gc-and-why', 1]]);
    expect(mixed.answer.notProduced).toEqual(['foreign.txt']);
    expect(mixed.code).toBe(1);
  });
});

/**
 * The same bytes made again in a later run, whose directory gc keeps: `why`
 * still names the older run whose directory gc freed, as before gc, not
 * only the run whose directory is still stored.
 */
describe('why after gc --delete of bytes also made by a kept run', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-why-gc-again-');
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'keep\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('old-a.txt', 'one\n');
    rig.write('in/a.txt', 'two\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // Run 3 brings in a.txt's first bytes again, in another directory (b.txt changed): its tree is kept.
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'other\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  const made = async (file: string): Promise<[string, string, number][]> => {
    const ran = await rig.shark(['why', file, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    return (JSON.parse(ran.stdout) as { files: Answer[] }).files[0]!.produced.map((m) => [m.job, m.path, m.run]);
  };

  it('names every run that made the bytes, the one whose directory gc freed too', async () => {
    expect(await made('old-a.txt')).toEqual([['gc-and-why', '/data/in/a.txt', 1], ['gc-and-why', '/data/in/a.txt', 3]]);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.stdout).toMatch(/freed [1-9]\d* objects/);
    expect(await made('old-a.txt')).toEqual([['gc-and-why', '/data/in/a.txt', 1], ['gc-and-why', '/data/in/a.txt', 3]]);
    const text = await rig.shark(['why', 'old-a.txt']);
    expect(text.stdout).toContain('made by gc-and-why as /data/in/a.txt, run 1');
    expect(text.stdout).toContain('made by gc-and-why as /data/in/a.txt, run 3');
    // A directory no job wrote whole holding those bytes: its entry, by both runs.
    rig.write('mixed/a.txt', 'one\n');
    rig.write('mixed/foreign.txt', 'never imported\n');
    const mixed = await rig.shark(['why', 'mixed', '--json']);
    const answer = (JSON.parse(mixed.stdout) as { files: Answer[] }).files[0]!;
    expect(answer.produced.map((m) => [m.entry, m.run])).toEqual([['a.txt', 1], ['a.txt', 3]]);
  });
});
