import { describe, expect, it } from 'vitest';
import { byteRange } from '../../src/serve/byte-range.js';

describe('byteRange (a download resumed, or a slice of a large result)', () => {
  it('reads the forms of one range, a last byte past the end being the end', () => {
    expect(byteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
  });

  it('is unsatisfiable from the end on, or for the last 0 bytes', () => {
    expect(byteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=100-200', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=0-', 0)).toBe('unsatisfiable');
  });

  it('asks for the whole file when there is no range, several, another unit, or one that does not parse', () => {
    for (const header of [undefined, 'bytes=0-1,5-6', 'items=0-1', 'bytes=5-1', 'bytes=-', 'bytes=a-b', 'bytes 0-1']) {
      expect(byteRange(header, 100), String(header)).toBeUndefined();
    }
  });
});
