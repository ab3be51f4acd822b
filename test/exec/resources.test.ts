import { describe, expect, it } from 'vitest';
import { checkResources, demandOf, poolSizes, threadsOf } from '../../src/exec/resources.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc, load } from '../helpers/documents.js';
import type { RunStep } from '../../src/pipeline/pipeline.js';
import { formatMemory, parseMemory } from '../../src/pipeline/resources.js';

function errors(source: string): string[] {
  const { diagnostics } = loadPipeline('p.md', source);
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`);
}

const G = 2 ** 30;

describe('{threads}, {memory}, {pool} and pools:', () => {
  it('reads sizes in binary units', () => {
    expect(parseMemory('8G')).toBe(8 * G);
    expect(parseMemory('512M')).toBe(512 * 2 ** 20);
    expect(parseMemory('1.5g')).toBe(1.5 * G);
    expect(parseMemory('2GiB')).toBe(2 * G);
    expect(parseMemory('1T')).toBe(2 ** 40);
    expect(parseMemory('4096')).toBe(4096);
    expect(parseMemory('8X')).toBeUndefined();
    expect(formatMemory(8 * G)).toBe('8G');
    expect(formatMemory(1.5 * G)).toBe('1.5G');
  });

  it('gives every step of a block the block\'s declarations, with where each is written', () => {
    const p = load(doc([['shark-run {threads=4, memory=8G, pool=db}', 'a > /data/a\nb /data/a > /data/b']], 'pools: {db: 1}'));
    const steps = p.steps as RunStep[];
    expect(steps).toHaveLength(2);
    for (const s of steps) {
      expect(s.resources).toMatchObject({ threads: 4, threadsDeclared: true, memory: 8 * G, pool: 'db' });
      expect(s.resources.at).toEqual({ threads: { line: 5, col: 15 }, memory: { line: 5, col: 26 }, pool: { line: 5, col: 37 } });
    }
    expect(p.document.frontmatter?.pools).toEqual(new Map([['db', { size: 1, at: { line: 2, col: 9 } }]]));
  });

  it('defaults to one slot, no memory and no pool', () => {
    const p = load(doc([['shark-run', 'a > /data/a']]));
    expect((p.steps[0] as RunStep).resources).toMatchObject({ threads: 1, threadsDeclared: false, memory: undefined, pool: undefined });
    expect(demandOf(p.steps[0]!, 8)).toEqual({ slots: 1, memory: 0, pool: undefined });
  });

  it('refuses malformed values, each at its option', () => {
    expect(errors(doc([['shark-run {threads=0}', 'a > /data/a']]))).toEqual(['1:15: `threads` is a number of slots or all: {threads=4}, {threads=all}, not `0`']);
    expect(errors(doc([['shark-run {threads}', 'a > /data/a']]))).toEqual(['1:15: `threads` is a number of slots or all: {threads=4}, {threads=all}']);
    expect(errors(doc([['shark-run {memory=lots}', 'a > /data/a']]))).toEqual(['1:15: `memory` is a size with a binary unit: {memory=8G}, {memory=512M}, not `lots`']);
    expect(errors(doc([['shark-run {pool=a/b}', 'a > /data/a']]))).toEqual(["1:15: invalid pool name `a/b`: use ASCII letters, digits, '.', '_' and '-'"]);
    expect(errors(doc([['shark-run {memory=1M}', 'a > /data/a']]))).toEqual(["1:15: memory=1M is too little for a job: declare at least 6M (Docker's smallest limit)"]);
    // Docker's limit is a whole number of bytes (int64): a size past exact numbers failed every job as `internal`.
    expect(errors(doc([['shark-run {memory=99999999999T}', 'a > /data/a']]))).toEqual(['1:15: memory=99999999999T is more than any job can be given: declare at most 8192T']);
    expect(errors(doc([['shark-run {memory=8192T}', 'a > /data/a']]))).toEqual([]);
    expect(errors(doc([['shark-run', 'a > /data/a']], 'pools: {db: 0}'))).toEqual(['2:13: the pool `db` needs a size: a whole number of jobs at once, at least 1, not `0`']);
    expect(errors(doc([['shark-run', 'a > /data/a']], 'pools: [db]'))).toEqual(['2:8: `pools:` maps pool names to how many of their jobs may run at once: `pools: {db: 1}`']);
  });

  it('takes the command line\'s pool sizes over the frontmatter\'s', () => {
    const p = load(doc([['shark-run {pool=db}', 'a > /data/a']], 'pools: {db: 1, gis: 2}'));
    expect(poolSizes(p, new Map([['db', 3]]))).toEqual(new Map([['db', 3], ['gis', 2]]));
  });

  it('reports an undeclared pool and memory beyond the limit as located errors, and clamps threads to -j with a warning', () => {
    const p = load(doc([
      ['shark-run {pool=db}', 'a > /data/a'],
      ['shark-run {memory=64G}', 'b > /data/b\nc /data/b > /data/c'],
      ['shark-run {threads=16}', 'd > /data/d'],
      ['shark-run {threads=all}', 'e > /data/e'],
    ]));
    const found = checkResources(p, { jobs: 4, memory: 16 * G, pools: new Map() });
    expect(found.map((d) => `${d.severity} ${d.at.line}:${d.at.col}: ${d.message}`)).toEqual([
      'error 1:15: undeclared pool `db`: give its size in the frontmatter (`pools: {db: 1}`) or with --pool db=N',
      "error 5:15: memory=64G is more than this run may use (16G, --memory; the default is the machine's memory): no job of this block could start",
      'warning 10:15: threads=16 is more than -j 4: each job of this block takes all 4 slots (SHARK_THREADS=4)',
    ]);
    expect(checkResources(p, { jobs: 16, memory: 64 * G, pools: new Map([['db', 1]]) })).toEqual([]);
    expect(p.steps.map((s) => threadsOf(s, 4))).toEqual([1, 1, 1, 4, 4]);
    expect(demandOf(p.steps[1]!, 4)).toEqual({ slots: 1, memory: 64 * G, pool: undefined });
  });
});
