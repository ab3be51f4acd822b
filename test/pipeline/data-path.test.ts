import { describe, expect, it } from 'vitest';
import { baseName, isUnder, normaliseDataPath, parentOf } from '../../src/pipeline/data-path.js';

describe('normaliseDataPath', () => {
  it('normalises /data paths and remembers a trailing slash', () => {
    expect(normaliseDataPath('/data/a/b.csv')).toEqual({ ok: true, path: { text: '/data/a/b.csv', isDir: false } });
    expect(normaliseDataPath('/data/a/')).toEqual({ ok: true, path: { text: '/data/a', isDir: true } });
    expect(normaliseDataPath('/data//a/./b/../c')).toEqual({ ok: true, path: { text: '/data/a/c', isDir: false } });
  });

  it('reads /data written after more slashes or `.` as /data, as the kernel does, and refuses it reached through `..`', () => {
    expect(normaliseDataPath('//data/a.txt')).toEqual({ ok: true, path: { text: '/data/a.txt', isDir: false } });
    expect(normaliseDataPath('/.//./data/d/')).toEqual({ ok: true, path: { text: '/data/d', isDir: true } });
    expect(normaliseDataPath('//data/')).toEqual({ ok: false, message: '`//data/` names /data itself: name a file or directory under it' });
    expect(normaliseDataPath('/x/../data/a')).toEqual({ ok: false, message: '`/x/../data/a` leads into /data through `..`: write the /data/... path itself' });
    expect(normaliseDataPath('/../data/a')).toEqual({ ok: false, message: '`/../data/a` leads into /data through `..`: write the /data/... path itself' });
  });

  it('rejects what is not under /data', () => {
    expect(normaliseDataPath('/tmp/x')).toEqual({ ok: false, message: '`/tmp/x` is not a /data/... path' });
    expect(normaliseDataPath('data/x')).toEqual({ ok: false, message: '`data/x` is not a /data/... path' });
    expect(normaliseDataPath('/database')).toEqual({ ok: false, message: '`/database` is not a /data/... path' });
    expect(normaliseDataPath('/data/../etc/passwd')).toEqual({ ok: false, message: 'path `/data/../etc/passwd` escapes /data' });
    expect(normaliseDataPath('/data/a/../../b')).toEqual({ ok: false, message: 'path `/data/a/../../b` escapes /data' });
    expect(normaliseDataPath('/data/')).toEqual({ ok: false, message: '`/data/` names /data itself: name a file or directory under it' });
    expect(normaliseDataPath('/data/a/..')).toEqual({ ok: false, message: '`/data/a/..` names /data itself: name a file or directory under it' });
  });
});

describe('path helpers', () => {
  it('knows what is under what', () => {
    expect(isUnder('/data/a/b', '/data/a')).toBe(true);
    expect(isUnder('/data/ab', '/data/a')).toBe(false);
    expect(isUnder('/data/a', '/data/a')).toBe(false);
    expect(parentOf('/data/a/b')).toBe('/data/a');
    expect(baseName('/data/a/b.tif')).toBe('b.tif');
  });
});
