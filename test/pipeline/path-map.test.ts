import { describe, expect, it } from 'vitest';
import { PathMap } from '../../src/pipeline/path-map.js';

describe('paths below a directory, without asking every path', () => {
  it('lists what is strictly under a directory, in the order a Map keeps, after deletes and sets again', () => {
    const m = new PathMap<string>();
    m.set('/data/a/x', '1');
    m.set('/data/b', '2');
    m.set('/data/a/y/z', '3');
    m.set('/data/ab', '4');
    m.set('/data/a', '5');
    expect([...m.under('/data/a')]).toEqual([['/data/a/x', '1'], ['/data/a/y/z', '3']]);
    expect([...m.under('/data')].map(([p]) => p)).toEqual(['/data/a/x', '/data/b', '/data/a/y/z', '/data/ab', '/data/a']);
    // Set again: keeps its place, as a Map does; deleted and set: goes last.
    m.set('/data/a/x', '6');
    expect([...m.under('/data/a')]).toEqual([['/data/a/x', '6'], ['/data/a/y/z', '3']]);
    m.delete('/data/a/x');
    expect([...m.under('/data/a')]).toEqual([['/data/a/y/z', '3']]);
    m.set('/data/a/x', '7');
    expect([...m.under('/data/a')]).toEqual([['/data/a/y/z', '3'], ['/data/a/x', '7']]);
    expect([...m.under('/data/a/y')]).toEqual([['/data/a/y/z', '3']]);
    expect([...m.under('/data/nothing')]).toEqual([]);
    expect(m.get('/data/a')).toBe('5');
    m.delete('/data/missing');
    expect(m.has('/data/missing')).toBe(false);
  });
});
