import { describe, expect, it } from 'vitest';
import { LeaseWindow } from '../../src/exec/run/lease-window.js';

/** The groups of leases a window takes as `jobs` enter staging one by one, each `gapMs(n)` after the one before. */
function groups(jobs: number, gapMs: (n: number) => number, shared = (_from: number): boolean => false): [number, number][] {
  const taken: [number, number][] = [];
  let clock = 0;
  const window = new LeaseWindow(4, (from, to) => (taken.push([from, to]), shared(from)), () => clock);
  for (let n = 0; n < jobs; n++) {
    clock += gapMs(n);
    window.reach(n);
  }
  return taken;
}

describe('leases taken ahead of a map\'s jobs', () => {
  it('in groups that grow to 32 while the jobs come quickly: fewer transactions for trivial jobs', () => {
    expect(groups(100, () => 1)).toEqual([[0, 4], [4, 12], [12, 28], [28, 60], [60, 92], [92, 124]]);
  });

  it('as many as staging holds when the jobs are slow: another run sharing the store takes up the rest', () => {
    expect(groups(12, () => 60_000)).toEqual([[0, 4], [4, 8], [8, 12]]);
  });

  it('as many as staging holds after a group another run held some of: the jobs it put off came quickly, and neither run holds leases far ahead', () => {
    // Another run holds leases of the groups from job 12 to job 40.
    const sizes = groups(100, () => 1, (from) => from >= 12 && from < 40).map(([from, to]) => [from, to - from]);
    expect(sizes).toEqual([[0, 4], [4, 8], [12, 16], [28, 4], [32, 4], [36, 4], [40, 4], [44, 8], [52, 16], [68, 32]]);
  });

  it('in groups that shrink again when the jobs slow down', () => {
    const taken = groups(100, (n) => (n < 40 ? 1 : 30_000));
    const sizes = taken.map(([from, to]) => to - from);
    expect(sizes.slice(0, 4)).toEqual([4, 8, 16, 32]);
    // From the first group reached slowly on, each is half the one before, down to staging's size.
    expect(sizes.slice(4, 8)).toEqual([16, 8, 4, 4]);
    // Every job's lease is taken, each once, in order.
    expect(taken.every(([from], k) => from === (k === 0 ? 0 : taken[k - 1]![1]))).toBe(true);
    expect(taken.at(-1)![1]).toBeGreaterThanOrEqual(100);
  });
});
