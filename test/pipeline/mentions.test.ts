import { describe, expect, it } from 'vitest';
import { findMentions } from '../../src/pipeline/mentions.js';
import { shellWords } from '../../src/pipeline/shell-words.js';

/** Mentions of one command line, positions taken as line 1 and column = offset + 1. */
function mentions(text: string) {
  return findMentions(shellWords(text), (o) => ({ line: 1, col: o + 1 })).map((r) => {
    if (!r.ok) return `error ${r.at.col}: ${r.message}`;
    const m = r.mention;
    const kind = m.wildcard ? ` map ${m.wildcard.pattern} (${JSON.stringify(m.wildcard.ctx)})` : m.plus ? ' +' : '';
    return `${m.path.text}${m.path.isDir ? '/' : ''}${m.redirect ? ` [${m.redirect}]` : ''}${kind} @${m.at.col}`;
  });
}

describe('findMentions', () => {
  it('finds words that are /data paths', () => {
    expect(mentions('cp /data/a.csv /data/out/ ./local /database /data:x')).toEqual(['/data/a.csv @4', '/data/out/ @16']);
  });

  it('finds a path after `=`, and quoted paths', () => {
    expect(mentions(`run --out=/data/x IN=/data/y "/data/with space.txt" '/data/q'`)).toEqual([
      '/data/x @11', '/data/y @22', '/data/with space.txt @31', '/data/q @54',
    ]);
    expect(mentions('run -o/data/x --in /data/y')).toEqual(['/data/y @20']);
  });

  it('normalises the path', () => {
    expect(mentions('cat /data/./a//b/../c /data/dir/./')).toEqual(['/data/a/c @5', '/data/dir/ @23']);
  });

  it('reads a path the kernel takes for one under /data as that path, and refuses one that gets there through `..`', () => {
    expect(mentions('cat //data/a ///data/./b /./data/c --out=//data/d/ > //data/e')).toEqual([
      '/data/a @5', '/data/b @14', '/data/c @26', '/data/d/ @42', '/data/e [out] @54',
    ]);
    expect(mentions('ls //data/ /tmp/../data/x /../data/y //data/$X /datax //database')).toEqual([
      'error 4: `//data/` names /data itself: name a file or directory under it',
      'error 12: `/tmp/../data/x` leads into /data through `..`: write the /data/... path itself',
      'error 27: `/../data/y` leads into /data through `..`: write the /data/... path itself',
      'error 38: `//data/$X`: name a fixed directory under /data before any `$`, such as /data/maps/$NAME, so that Shark knows which step writes it',
    ]);
  });

  it('carries what a redirection says', () => {
    expect(mentions('sort < /data/in > /data/out 2>> /data/log')).toEqual(['/data/in [in] @8', '/data/out [out] @19', '/data/log [out] @33']);
  });

  it('reads a wildcard in the last segment as a map over the directory', () => {
    expect(mentions(`calc /data/tiles/* /data/tiles/*.tif '/data/masks/*' "/data/x/a?[0-9].tif"`)).toEqual([
      '/data/tiles/ map * ("") @6',
      '/data/tiles/ map *.tif ("") @20',
      `/data/masks/ map * ("'") @39`,
      '/data/x/ map a?[0-9].tif ("\\"") @55',
    ]);
  });

  it('reads `+` in the last segment as each map job\'s output', () => {
    expect(mentions('calc --out=/data/aoh/+ "/data/b/+"')).toEqual(['/data/aoh/ + @12', '/data/b/ + @25']);
  });

  it('reads a wildcard in any segment as a map over the paths below the directory', () => {
    expect(mentions(`calc /data/species/*/*.geojson '/data/a/*/b/[xy]*' /data/t/*/`)).toEqual([
      '/data/species/ map */*.geojson ("") @6',
      `/data/a/ map */b/[xy]* ("'") @33`,
      // A trailing slash is kept: `*/` matches directories only.
      '/data/t/ map */ ("") @52',
    ]);
    const [m] = findMentions(shellWords('calc /data/species/*/*.geojson'), (o) => ({ line: 1, col: o + 1 }));
    expect(m!.ok && 'calc /data/species/*/*.geojson'.slice(m.mention.wildcard!.start, m.mention.wildcard!.end)).toBe('*/*.geojson');
  });

  it('reads `+.EXT` as the item with a new extension', () => {
    const text = 'calc --out=/data/aoh/+.tif "/data/b/+.tar.gz"';
    const found = findMentions(shellWords(text), (o) => ({ line: 1, col: o + 1 })).map((r) => (r.ok ? [r.mention.path.text, r.mention.plus?.ext, text.slice(r.mention.plus!.offset, r.mention.plus!.end)] : r.message));
    expect(found).toEqual([['/data/aoh', '.tif', '+.tif'], ['/data/b', '.tar.gz', '+.tar.gz']]);
  });

  it('reads `+/FILE` as a file in the item\'s directory: only the `+` is the item', () => {
    const text = 'seq 3 > /data/seq/+/all.txt; cp x /data/d/+.dir/sub/y.txt';
    const found = findMentions(shellWords(text), (o) => ({ line: 1, col: o + 1 })).map((r) => (r.ok ? [r.mention.path.text, r.mention.plus?.ext, r.mention.plus?.dir, text.slice(r.mention.plus!.offset, r.mention.plus!.end)] : r.message));
    expect(found).toEqual([['/data/seq', undefined, true, '+'], ['/data/d', '.dir', true, '+.dir']]);
    expect(mentions('cat /data/o/+/x /data/o/+/+ /data/o/+/../x /data/o/+/./y')).toEqual([
      '/data/o/ + @5',
      'error 27: `+` may be only once in `/data/o/+/+`',
      'error 39: `..` after `+` in `/data/o/+/../x`: a file in the item\'s directory is named after `+/`, as in /data/o/+/x',
      'error 54: `.` after `+` in `/data/o/+/./y`: a file in the item\'s directory is named after `+/`, as in /data/o/+/y',
    ]);
  });

  it('knows the program a path is an argument of', () => {
    const programs = (text: string) => findMentions(shellWords(text), (o) => ({ line: 1, col: o + 1 })).map((r) => (r.ok ? r.mention.program : r.message));
    expect(programs('ls /data/x/ | OUT=1 time /usr/bin/wc -l /data/y > /data/z')).toEqual(['ls', 'wc', 'wc']);
  });

  it('stops a path at the first expansion', () => {
    expect(mentions('cp x "/data/maps/$SPECIES.tif" /data/a/${Y}/b')).toEqual(['/data/maps/ @7', '/data/a/ @32']);
    // Single quotes keep `$` literal.
    expect(mentions(`cp x '/data/literal$name'`)).toEqual(['/data/literal$name @7']);
  });

  it('finds paths in command substitutions', () => {
    expect(mentions('echo $(cat /data/x) `cat /data/y`')).toEqual(['/data/x @12', '/data/y @26']);
  });

  it('refuses /data alone, with or without a slash, where a path would be: on the host it is no path of the job', () => {
    const itself = (col: number, raw: string) => `error ${col}: \`${raw}\` names /data itself: name a file or directory under it`;
    expect(mentions(`find /data -name '*.txt'`)).toEqual([itself(6, '/data')]);
    expect(mentions('ls /data')).toEqual([itself(4, '/data')]);
    expect(mentions('du -s /data/ > /data/du.txt')).toEqual([itself(7, '/data/'), '/data/du.txt [out] @16']);
    expect(mentions('echo hi > /data')).toEqual([itself(11, '/data')]);
    expect(mentions('run --root=/data "/data" $(ls /data)')).toEqual([itself(12, '/data'), itself(19, '/data'), itself(31, '/data')]);
    expect(mentions('cat /data/a/..')).toEqual([itself(5, '/data/a/..')]);
  });

  it('rejects paths it cannot follow, at the path', () => {
    expect(mentions('cat /data/../etc/passwd')).toEqual(['error 5: path `/data/../etc/passwd` escapes /data']);
    expect(mentions('cat /data/a/../../etc')).toEqual(['error 5: path `/data/a/../../etc` escapes /data']);
    expect(mentions('cat /data/t/**')).toEqual(['error 13: `**`: a wildcard matches the names of one directory level; `**` is not supported (write one `*` per level, as in /data/dir/*/*.tif)']);
    expect(mentions(`cat /data/t/'*'.tif`)).toEqual(['error 14: quote the whole wildcard part `*.tif` the same way']);
    expect(mentions('cat /data/t/*/+')).toEqual(['error 13: `/data/t/*/+` has both a wildcard and `+`: a path either maps over items or names one']);
    expect(mentions('cat /data/t/*/../x')).toEqual(['error 15: `..` after a wildcard in `/data/t/*/../x`: write the directory before the wildcard']);
    expect(mentions('cat "/data/$x.tif"')).toEqual([
      'error 6: `/data/$x.tif`: name a fixed directory under /data before any `$`, such as /data/maps/$NAME, so that Shark knows which step writes it',
    ]);
  });
});
