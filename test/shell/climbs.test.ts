import { describe, expect, it } from 'vitest';
import { climbs } from '../../src/shell/climbs.js';

describe('climbs: relative words that climb with `..` from a `cd` into /data', () => {
  it('resolves them from the last `cd`, relative ones too', () => {
    expect(climbs('cd /data/w && cat rel.txt ../base.txt > /data/both.txt')).toEqual([{ word: '../base.txt', cwd: '/data/w', path: '/data/base.txt' }]);
    expect(climbs('cd /data/w; cd sub && cat ../x a/../../y')).toEqual([
      { word: '../x', cwd: '/data/w/sub', path: '/data/w/x' },
      { word: 'a/../../y', cwd: '/data/w/sub', path: '/data/w/y' },
    ]);
    expect(climbs('cd /data/w && cat ../../../etc/passwd')).toEqual([{ word: '../../../etc/passwd', cwd: '/data/w', path: '/etc/passwd' }]);
  });

  it('leaves alone the `cd` itself, words before a `cd` into /data or after one out of it, and options', () => {
    expect(climbs('cd /data/w/sub && cd .. && ls')).toEqual([]);
    expect(climbs('cat ../x > /data/y')).toEqual([]);
    expect(climbs('cd /data/w && cd /tmp && cat ../x')).toEqual([]);
    expect(climbs('cd /data/w && cd && cat ../x')).toEqual([]);
    expect(climbs('cd /data/w && tool --in=../x -o ../y/z')).toEqual([{ word: '../y/z', cwd: '/data/w', path: '/data/y/z' }]);
  });
});
