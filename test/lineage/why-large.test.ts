import { describe, expect, it } from 'vitest';
import type { LineageNode } from '../../src/lineage/lineage.js';
import { renderWhy, type WhyAnswer } from '../../src/lineage/why.js';

/** A job of a map, as lineage shows it. */
function job(n: number): LineageNode {
  return {
    job: `aoh[sp${n}.txt]`, block: 'aoh', location: 'life.md:29:1', kind: 'run', command: 'awk …', environment: 'host',
    outputs: { [`/data/aoh/sp${n}.txt`]: `sha256:${String(n).padStart(64, '0')}` }, started: '2026-11-30T00:00:00.000Z',
    ended: '2026-11-30T00:00:01.000Z', host: 'vm', version: '0.1.0', key: String(n), inputs: [],
  };
}

describe('why of a result with a very large ancestry', () => {
  it('renders a total over 150,000 jobs without running out of stack', () => {
    const total: LineageNode = { ...job(-1), job: 'total', block: 'total', inputs: [{ path: '/data/aoh', id: 'tree:x', from: Array.from({ length: 150_000 }, (_, n) => job(n)) }] };
    const answer = {
      path: '_shark/total.txt', id: 'sha256:t', readBy: [], notProduced: [],
      produced: [{ job: 'total', path: '/data/total.txt', run: 1, pipeline: null, started: '2026-11-30T00:00:00.000Z', block: 'total', location: 'life.md:62:1', command: 'cat', environment: 'host', lineage: total }],
    } as unknown as WhyAnswer;
    const text = renderWhy([answer], { file: (p) => p, describe: (id) => id, store: '.shark' });
    expect(text).toContain('aoh[sp149999.txt]');
    expect(text.split('\n').length).toBeGreaterThan(150_000);
  });
});
