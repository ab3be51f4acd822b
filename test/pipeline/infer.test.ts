import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { doc, errors, load } from '../helpers/documents.js';
import type { ImportStep, Pipeline, PublishStep, RunStep, Step } from '../../src/pipeline/pipeline.js';

/** Each step as `id: inputs -> outputs (after …)`, inputs marked with their writers. */
function flow(p: Pipeline): string[] {
  const show = (s: Step): string => {
    const ins = s.inputs.map((i) => `${i.path}${i.pattern !== undefined ? `/${i.pattern}` : i.isDir ? '/' : ''}<${i.from.join('+')}`);
    const outs = s.outputs.map((o) => `${o.path}${o.perItem ? '/+' : o.isDir ? '/' : ''}`);
    return `${s.id}: ${ins.join(' ')} -> ${outs.join(' ')}${s.after.length ? ` (after ${s.after.join(', ')})` : ''}`;
  };
  return p.steps.map(show);
}

describe('inference of inputs and outputs', () => {
  it('makes the first mention of a path its writer and later mentions its readers', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'download --out /data/raw.csv'],
      ['shark-run {id=b}', 'clean /data/raw.csv /data/clean.csv'],
      ['shark-run {id=c}', 'plot /data/clean.csv /data/raw.csv --out=/data/plot.png'],
    ]));
    expect(flow(p)).toEqual([
      'a:  -> /data/raw.csv',
      'b: /data/raw.csv<a -> /data/clean.csv (after a)',
      'c: /data/clean.csv<b /data/raw.csv<a -> /data/plot.png (after b, a)',
    ]);
    expect(p.blocks.map((b) => [b.id, b.inputs, b.outputs, b.after])).toEqual([
      ['a', [], ['/data/raw.csv'], []],
      ['b', ['/data/raw.csv'], ['/data/clean.csv'], ['a']],
      ['c', ['/data/clean.csv', '/data/raw.csv'], ['/data/plot.png'], ['b', 'a']],
    ]);
  });

  it('lists as a block\'s inputs only what it reads from outside itself', () => {
    const p = load(doc([
      ['shark-import {id=get}', 'https://x.org/a /data/a'],
      ['shark-run {id=b}', 'mkdir -p /data/w/ > /data/w/\ncat /data/w/x /data/a > /data/y'],
    ]));
    expect(p.blocks[1]).toMatchObject({ inputs: ['/data/a'], outputs: ['/data/w/', '/data/y'], after: ['get'] });
  });

  it('records where each path is mentioned', () => {
    const p = load(doc([['shark-run', 'echo hi > /data/a\n  cat /data/a']]));
    expect(p.steps[0]!.outputs[0]!.at).toEqual({ line: 2, col: 11 });
    expect(p.steps[1]!.inputs[0]!.at).toEqual({ line: 3, col: 7 });
  });

  it('reads a subpath of a directory from the directory\'s writer', () => {
    const p = load(doc([
      ['shark-import {id=get}', 'https://x.org/tiles.zip /data/tiles/ extract'],
      ['shark-run {id=use}', 'gdalinfo /data/tiles/a/b.tif --json=/data/info.json'],
    ]));
    expect(flow(p)).toEqual(['get:  -> /data/tiles/', 'use: /data/tiles/a/b.tif<get -> /data/info.json (after get)']);
  });

  it('reads a directory from every step that writes inside it', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'echo > /data/out/a.txt'],
      ['shark-run {id=b}', 'echo > /data/out/b.txt'],
      ['shark-run {id=c}', 'tar czf /data/out.tgz /data/out'],
    ]));
    expect(flow(p)[2]).toBe('c: /data/out/<a+b -> /data/out.tgz (after a, b)');
  });

  it('treats a redirection target as an output and a `<` source as an input', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'echo hi > /data/a.txt 2> /data/err.log'],
      ['shark-run {id=b}', 'sort < /data/a.txt >> /data/sorted.txt'],
    ]));
    expect(flow(p)).toEqual(['a:  -> /data/a.txt /data/err.log', 'b: /data/a.txt<a -> /data/sorted.txt (after a)']);
  });

  it('names both writers when two steps write one path, even with `>`', () => {
    expect(errors(doc([['shark-run {id=a}', 'echo > /data/x'], ['shark-run {id=b}', 'echo > /data/x']]))).toEqual([
      '6:8: `/data/x` is written by two steps: `a` and `b` (each path has one writer) [2:8: step `a` writes `/data/x` here]',
    ]);
    expect(errors(doc([['shark-import {id=get}', 'https://x.org/a /data/a'], ['shark-run {id=b}', 'touch x > /data/a']]))).toEqual([
      '6:11: `/data/a` is written by two steps: `get` and `b` (each path has one writer) [2:17: step `get` writes `/data/a` here]',
    ]);
    // A reader put before its writer writes the path by naming it first: the message says so.
    expect(errors(doc([['shark-run {id=sum}', 'python3 count.py /data/species.csv > /data/n.txt'], ['shark-run {id=get}', "printf 'a\\n' > /data/species.csv"]]))).toEqual([
      '6:16: `/data/species.csv` is written by two steps: `sum` and `get` (each path has one writer); `sum` only names it, before `get` writes it'
        + ' (a path\'s first mention writes it): if it reads it, move it after `get` [2:18: step `sum` writes `/data/species.csv` here]',
    ]);
    // Two steps of one block are two steps too.
    expect(errors(doc([['shark-run {id=a}', 'echo > /data/x\necho >> /data/x']]))).toEqual([
      '3:9: `/data/x` is written by two steps: `a.1` and `a.2` (each path has one writer) [2:8: step `a.1` writes `/data/x` here]',
    ]);
  });

  it('says that Shark makes the directory when a `mkdir` line before a map names it', () => {
    // The habit from Makefiles and Snakefiles: the output directory made on the line before.
    expect(errors(doc([['shark-run {id=get}', 'echo a > /data/in/a.txt'], ['shark-run {id=m}', 'mkdir -p /data/res/\ncat /data/in/* > /data/res/+']]))).toEqual([
      // Joining comes first: the block then runs by hand too, where a dropped mkdir left no directory.
      '7:18: `/data/res` is written by two steps: `m.1` and `m.2` (each path has one writer); `m.1` only makes it (`mkdir`): join the two lines into one command'
        + ' with `&&` (`mkdir -p DIR && …`), which runs by hand as well, or drop that `mkdir`, which Shark does itself for every path a step writes [6:10: step `m.1` writes `/data/res` here]',
    ]);
    // Joined, the directory is the map's own.
    const p = load(doc([['shark-run {id=get}', 'echo a > /data/in/a.txt'], ['shark-run {id=m}', 'mkdir -p /data/res/ && cat /data/in/* > /data/res/+']]));
    expect(flow(p)[1]).toBe('m: /data/in/*<get -> /data/res/+ (after get)');
  });

  it('refuses a name longer than a file name can be, in a command and in a publish block (each run failed with `File name too long`)', () => {
    const long = 'n'.repeat(300);
    expect(errors(doc([['shark-run {id=a}', `echo hi > /data/d/${long}.txt`], ['shark-publish', `/data/d/${long}.txt`]]))).toEqual([
      `2:11: the name \`${'n'.repeat(24)}…\` in \`/data/d/\` is longer than a file name can be (304 bytes, at most 255)`,
      `6:1: the name \`${'n'.repeat(24)}…\` in \`/data/d/\` is longer than a file name can be (304 bytes, at most 255)`,
    ]);
    // 255 bytes is a name.
    expect(flow(load(doc([['shark-run {id=a}', `echo hi > /data/${'n'.repeat(251)}.txt`]])))).toEqual([`a:  -> /data/${'n'.repeat(251)}.txt`]);
  });

  it('refuses a path one step writes as a file and another as a directory, in either order (run by hand: `Not a directory`)', () => {
    expect(errors(doc([['shark-run {id=a}', 'echo hi > /data/d'], ['shark-run {id=b}', 'echo hi > /data/d/a.txt']]))).toEqual([
      '6:11: `/data/d/a.txt` is inside `/data/d`, which step `a` writes as a file: a path is a file or a directory, not both'
        + ' (run by hand, this fails with `Not a directory`) [2:11: step `a` writes the file `/data/d` here]',
    ]);
    expect(errors(doc([['shark-run {id=a}', 'echo hi > /data/d/a.txt'], ['shark-run {id=b}', 'echo hi > /data/d']]))).toEqual([
      '6:11: step `b` writes `/data/d` as a file, but step `a` writes `/data/d/a.txt` inside it: a path is a file or a directory, not both'
        + ' [2:11: step `a` writes `/data/d/a.txt` here]',
    ]);
    // Read inside, or mapped over, it is refused alike: check passed what every run failed (`input … is missing`).
    expect(errors(doc([['shark-run {id=a}', 'echo hi > /data/d'], ['shark-run {id=b}', 'cat /data/d/a.txt > /data/x.txt']]))).toEqual([
      '6:5: `/data/d/a.txt` is inside `/data/d`, which step `a` writes as a file: a path is a file or a directory, not both'
        + ' (run by hand, this fails with `Not a directory`) [2:11: step `a` writes the file `/data/d` here]',
    ]);
    expect(errors(doc([['shark-run {id=a}', 'echo hi > /data/d'], ['shark-run {id=b}', 'cat /data/d/*.txt > /data/x/+']]))).toEqual([
      '6:5: `/data/d/*.txt` looks inside `/data/d`, which step `a` writes as a file: a path is a file or a directory, not both'
        + ' (run by hand, this fails with `Not a directory`) [2:11: step `a` writes the file `/data/d` here]',
    ]);
    // The file itself is read as any file.
    expect(flow(load(doc([['shark-run {id=a}', 'echo hi > /data/d'], ['shark-run {id=b}', 'cat /data/d > /data/x.txt']])))).toEqual(['a:  -> /data/d', 'b: /data/d<a -> /data/x.txt (after a)']);
    // Named first by a program (`mkdir`, `cp -r`), the path may be a directory: others write into it.
    expect(flow(load(doc([['shark-run {id=a}', 'mkdir -p /data/d'], ['shark-run {id=b}', 'echo hi > /data/d/a.txt']])))).toEqual(['a:  -> /data/d', 'b:  -> /data/d/a.txt']);
  });

  it('reads a path `[`, `test`, `echo` or `basename` names when a step above writes it, and refuses it when none does (it ran, then failed with missing-output)', () => {
    expect(errors(doc([['shark-run {id=a}', 'if [ -e /data/maybe.txt ]; then echo yes; else echo no; fi > /data/r.txt']]))).toEqual([
      '2:9: nothing writes /data/maybe.txt: `[` only names it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
    expect(errors(doc([['shark-run {id=a}', 'echo /data/x.txt > /data/manifest.txt']]))).toEqual([
      '2:6: nothing writes /data/x.txt: `echo` only names it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
    expect(flow(load(doc([['shark-run {id=a}', 'echo 1 > /data/x.txt'], ['shark-run {id=b}', 'test -s /data/x.txt && basename /data/x.txt > /data/n.txt']])))).toEqual([
      'a:  -> /data/x.txt', 'b: /data/x.txt<a -> /data/n.txt (after a)',
    ]);
    // Before the word of the same step that makes it, the test leaves the path to that word.
    expect(flow(load(doc([['shark-run {id=a}', '[ -d /data/o ] || mkdir -p /data/o']])))).toEqual(['a:  -> /data/o']);
  });

  it('lets a step mention its own output again', () => {
    const p = load(doc([['shark-run {id=a}', 'gdal_calc.py -A /data/x.tif --outfile=/data/x.tif --overwrite > /data/x.tif']]));
    expect(flow(p)).toEqual(['a:  -> /data/x.tif']);
  });

  it('lets several steps write into one directory (see infer-maps.test.ts)', () => {
    const p = load(doc([['shark-import {id=get}', 'https://x.org/t.zip /data/t/ extract'], ['shark-run {id=b}', 'echo > /data/t/new.txt']]));
    expect(flow(p)).toEqual(['get:  -> /data/t/', 'b:  -> /data/t/new.txt']);
  });

  it('reports a `<` read of a path nothing provides, unless a frontmatter input names it', () => {
    expect(errors(doc([['shark-run', 'sort < /data/in.csv > /data/out.csv']]))).toEqual([
      '2:8: reads `/data/in.csv`, which no earlier step writes or imports and no frontmatter input names',
    ]);
    // Written later is not written earlier: the message names the writer below.
    expect(errors(doc([['shark-run {id=a}', 'sort < /data/in.csv'], ['shark-run {id=b}', 'echo > /data/in.csv']]))).toEqual([
      '2:8: `/data/in.csv` is written only below this step, by `b` (line 6): a step reads what the steps above it write, so move this block below that one [6:8: step `b` writes `/data/in.csv` here]',
    ]);
    const p = load(doc([['shark-run {id=a}', 'sort < /data/in.csv > /data/out.csv']], 'inputs:\n  species: /data/in.csv'));
    expect(flow(p)).toEqual(['a: /data/in.csv<input:species -> /data/out.csv']);
    expect([...p.inputs]).toEqual([['species', '/data/in.csv']]);
  });

  it('treats frontmatter inputs as written before the first block, by no step', () => {
    const p = load(doc([['shark-run {id=a}', 'ls /data/regions/europe.geojson /data/species.csv > /data/list.txt']], 'inputs:\n  regions: /data/regions/\n  species: /data/species.csv\npath: /work\nyear: 2024'));
    expect(flow(p)).toEqual(['a: /data/regions/europe.geojson<input:regions /data/species.csv<input:species -> /data/list.txt']);
    expect(p.blocks[0]!.after).toEqual([]);
    expect(p.workdir).toBe('/work');
    expect([...p.variables]).toEqual([['year', '2024']]);
    expect(errors(doc([['shark-run', 'echo > /data/species.csv']], 'inputs:\n  species: /data/species.csv'))).toEqual([
      '7:8: `/data/species.csv` is frontmatter input `species`; step `run` cannot also write it (each path has one writer) [3:12: frontmatter input `species` is declared here]',
    ]);
    expect(errors(doc([['shark-run', 'echo']], 'inputs:\n  species: /home/species.csv'))).toEqual([
      '3:12: input `species`: `/home/species.csv` is not a /data/... path',
    ]);
  });

  it('defaults the working directory to /root', () => {
    expect(load(doc([['shark-run', 'echo']])).workdir).toBe('/root');
  });
});

describe('run blocks', () => {
  it('makes each command a step, in order, with the environment of its block', () => {
    const p = load(doc([
      ['shark-build:gdal', 'FROM ghcr.io/osgeo/gdal:ubuntu-small-3.8.5'],
      ['shark-run:gdal {network, timeout=30m}', 'curl -o /data/a.csv https://x.org/a.csv\npython3 scripts/fit.py --config=conf/run.yaml /data/a.csv'],
      ['shark-run', 'echo host'],
    ]));
    const [a, b, c] = p.steps as RunStep[];
    expect([a!.env, a!.network, a!.timeout, a!.command, a!.after]).toEqual(['gdal', true, 1800, 'curl -o /data/a.csv https://x.org/a.csv', []]);
    expect([a!.id, b!.after, b!.localFiles]).toEqual(['run.1', ['run.1'], ['scripts/fit.py', 'conf/run.yaml']]);
    expect([c!.env, c!.network, c!.timeout]).toEqual([undefined, false, undefined]);
    expect(p.blocks.map((x) => [x.kind, x.env, x.after])).toEqual([
      ['build', 'gdal', []],
      ['run', 'gdal', ['build']],
      ['run', 'host', []],
    ]);
    expect([...p.environments.keys()]).toEqual(['gdal']);
    expect(p.environments.get('gdal')!.blockId).toBe('build');
  });

  it('keys on the local files a command substitution names, quoted or not', () => {
    const p = load(doc([['shark-run', 'echo "$(cat top.txt)" > /data/b.txt\necho "`cat conf/a.yaml`" $(cat lib/x.sh) > /data/c.txt']]));
    const [b, c] = p.steps as RunStep[];
    expect([b!.localFiles, [...c!.localFiles].sort()]).toEqual([['top.txt'], ['conf/a.yaml', 'lib/x.sh']]);
  });

  it('keys on the local files a line reaches after its own cd, and on unquoted wildcards over them', () => {
    const p = load(doc([['shark-run', [
      'cd analysis && python3 fit.py --config=../c.yaml > /data/a.txt',
      '(cd $HOME; cd /opt && sh run.sh) > /data/b.txt',
      "cat lib/*.sh > /data/c.txt; find . -name '*.py' > /data/d.txt",
    ].join('\n')]]));
    expect((p.steps as RunStep[]).map((s) => s.localFiles)).toEqual([
      ['fit.py', 'analysis/fit.py', '../c.yaml', 'c.yaml'],
      ['/opt/run.sh'],
      ['lib/*.sh', '.'],
    ]);
  });

  it('keys on no file beside the document a name after a cd into /data reads: it is data there', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'echo a > /data/d/a.txt'],
      ['shark-run {id=b}', 'cd /data/d/ && cat *.txt a.txt > /data/all.txt\ncd /data/d/\ncat *.txt /home/me/h.txt > /data/all2.txt'],
    ]));
    expect((p.steps as RunStep[]).map((s) => s.localFiles)).toEqual([[], [], ['/home/me/h.txt']]);
  });

  it('keys on a file given as key=FILE and on an absolute host path, never on a /data path', () => {
    const p = load(doc([['shark-run', [
      'dd if=conf.txt of=/data/a.txt',
      'awk -v table=lib/t.tsv -f /home/me/x.awk /data/a.txt > /data/b.txt',
      'cd analysis && cat /etc/conf.d/x.conf SEED=$RANDOM > /data/c.txt',
    ].join('\n')]]));
    expect((p.steps as RunStep[]).map((s) => s.localFiles)).toEqual([
      ['conf.txt'],
      ['lib/t.tsv', '/home/me/x.awk'],
      ['/etc/conf.d/x.conf'],
    ]);
  });

  it('applies cd and export lines to the commands after them', () => {
    const p = load(doc([['shark-run', 'echo first\ncd /tmp\nexport GDAL_CACHEMAX=512\nset -e\necho second\ncd sub\necho third\nmkdir -p /data/x && cd /data/x && ls > /data/list']]));
    expect((p.steps as RunStep[]).map((s) => [s.command, s.cwd, s.exports])).toEqual([
      ['echo first', undefined, []],
      ['echo second', '/tmp', ['export GDAL_CACHEMAX=512', 'set -e']],
      ['echo third', '/tmp/sub', ['export GDAL_CACHEMAX=512', 'set -e']],
      ['mkdir -p /data/x && cd /data/x && ls > /data/list', '/tmp/sub', ['export GDAL_CACHEMAX=512', 'set -e']],
    ]);
  });

  it('may name an environment defined further down', () => {
    expect(load(doc([['shark-run:late', 'echo'], ['shark-build:late', 'FROM x']])).blocks[0]!.after).toEqual(['build']);
  });

  it('warns about an environment no shark-build defines, at its name (run refuses it)', () => {
    const { pipeline, diagnostics } = loadPipeline('p.md', doc([['shark-build:gdal', 'FROM x'], ['shark-run:gdl', 'echo'], ['    shark-run:nope', 'echo']]));
    expect(pipeline).toBeDefined();
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`)).toEqual([
      '5:14: warning: environment `gdl` has no shark-build block: this block cannot run (defined: gdal)',
      '9:18: warning: environment `nope` has no shark-build block: this block cannot run (defined: gdal)',
    ]);
  });

  it('reports a broken environment once, not again at each use', () => {
    expect(errors(doc([['shark-build:gdal', 'FORM x'], ['shark-run:gdal', 'echo'], ['shark-run:gdal', 'echo']]))).toEqual([
      '2:1: unknown Dockerfile instruction `FORM`',
    ]);
  });

  it('reports a second definition of an environment', () => {
    expect(errors(doc([['shark-build:gdal', 'FROM x'], ['shark-build:gdal', 'FROM y']]))).toEqual([
      '5:16: environment `gdal` is defined twice [1:16: first defined here]',
    ]);
  });
});

describe('wildcards', () => {
  it('makes a step with a wildcard input a map, and `+` its per-item output', () => {
    const p = load(doc([
      ['shark-import {id=get}', 'zenodo:1/tiles.zip /data/tiles/ extract\nzenodo:1/masks.zip /data/masks/ extract'],
      ['shark-run {id=map}', "calc /data/tiles/*.tif '/data/masks/*' --out=/data/out/+"],
      ['shark-run {id=reduce}', 'merge /data/out/ > /data/mosaic.tif'],
    ]));
    expect(flow(p)).toEqual([
      'get.1:  -> /data/tiles/',
      'get.2:  -> /data/masks/',
      'map: /data/tiles/*.tif<get.1 /data/masks/*<get.2 -> /data/out/+ (after get.1, get.2)',
      'reduce: /data/out/<map -> /data/mosaic.tif (after map)',
    ]);
    const map = p.steps[2]!;
    expect(map.inputs.map((i) => [i.pattern, i.isDir])).toEqual([['*.tif', true], ['*', true]]);
    expect(map.outputs[0]).toMatchObject({ path: '/data/out', isDir: true, perItem: true });
    expect(p.blocks[1]!.inputs).toEqual(['/data/tiles/*.tif', '/data/masks/*']);
    expect(p.blocks[1]!.outputs).toEqual(['/data/out/']);
  });

  it('maps over frontmatter inputs and subdirectories', () => {
    const p = load(doc([['shark-run {id=m}', 'calc /data/in/sub/* /data/out/+']], 'inputs:\n  in: /data/in/'));
    expect(flow(p)).toEqual(['m: /data/in/sub/*<input:in -> /data/out/+']);
  });

  it('validates wildcards and `+`', () => {
    expect(errors(doc([['shark-run', 'calc /data/tiles/* /data/out/+']]))).toEqual([
      '2:6: maps over `/data/tiles/`, which no earlier step writes or imports and no frontmatter input names: to map over a directory of your own, declare it (`inputs:` with `tiles: /data/tiles/`) and bind it with `-i tiles=DIR`',
    ]);
    expect(errors(doc([['shark-run', 'mkdir /data/x/ && calc /data/x/* /data/y/+']]))).toEqual([
      '2:24: a step cannot map over its own output `/data/x/`',
    ]);
    expect(errors(doc([['shark-import', 'https://x.org/a /data/a'], ['shark-run', 'calc /data/a /data/out/+']]))).toEqual([
      "6:14: `+` names each map job's output after its item, but this command has no wildcard input such as /data/dir/*",
    ]);
    expect(errors(doc([['shark-run', 'calc /data/* /data/out/+']]))).toEqual([
      '2:6: a wildcard or `+` needs a directory under /data, such as /data/items/*',
    ]);
    expect(errors(doc([['shark-run', 'calc /data/a/*/b /data/out/+']]))).toEqual([
      '2:6: maps over `/data/a/`, which no earlier step writes or imports and no frontmatter input names: to map over a directory of your own, declare it (`inputs:` with `a: /data/a/`) and bind it with `-i a=DIR`',
    ]);
  });
});

describe('imports and publish', () => {
  it('makes each import line a step writing its destination', () => {
    const p = load(doc([['shark-import {id=get}', '# comment\nhttps://x.org/a.csv /data/a.csv md5:0123456789abcdef0123456789abcdef\n\n   zenodo:123 /data/rec/']]));
    const [a, b] = p.steps as ImportStep[];
    expect([a!.id, a!.at, a!.outputs[0]]).toEqual(['get.1', { line: 3, col: 1 }, { path: '/data/a.csv', isDir: false, at: { line: 3, col: 21 }, perItem: false }]);
    expect([b!.id, b!.at, b!.outputs[0]!.at, b!.clause.source]).toEqual(['get.2', { line: 5, col: 4 }, { line: 5, col: 15 }, { scheme: 'zenodo', record: '123', file: undefined }]);
  });

  it('reports a bad import line at its place, and nothing about its readers', () => {
    expect(errors(doc([['shark-import', 'ftp://x.org/a.csv /data/a.csv'], ['shark-run', 'sort < /data/a.csv > /data/b.csv']]))).toEqual([
      '2:1: unknown import scheme `ftp:`: use https://, zenodo:, doi:, github:, a .git URL, file: or a local path',
    ]);
  });

  it('makes a publish block one step reading what it lists', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'echo > /data/plots/a.png\necho > /data/table.csv'],
      ['shark-publish', '/data/table.csv'],
      ['shark-publish:results {id=pub}', '/data/plots/   # the figures\n/data/plots/a.png'],
    ]));
    const [, , one, two] = p.steps as [Step, Step, PublishStep, PublishStep];
    expect([one.dir, one.inputs.map((i) => i.path), one.after]).toEqual(['_shark', ['/data/table.csv'], ['a.2']]);
    expect([two.id, two.dir, two.inputs.map((i) => [i.path, i.isDir]), two.after]).toEqual(['pub', 'results', [['/data/plots', true], ['/data/plots/a.png', false]], ['a.1']]);
  });

  it('publishes a path the block names twice once (it said `published` twice)', () => {
    const p = load(doc([['shark-run {id=a}', 'echo > /data/a.txt'], ['shark-publish', '/data/a.txt /data/a.txt\n/data/a.txt']]));
    const publish = p.steps[1] as PublishStep;
    expect(publish.inputs.map((i) => i.path)).toEqual(['/data/a.txt']);
  });

  it('reports what a publish block cannot publish', () => {
    expect(errors(doc([['shark-run', 'echo > /data/a'], ['shark-publish', '/data/a /data/b\nresults.csv']]))).toEqual([
      '6:9: publishes `/data/b`, which no step writes or imports',
      '7:1: shark-publish lists /data paths: `results.csv` is not a /data/... path',
    ]);
  });

  it('reports a published path holding a space once, at the space, saying why and what to publish instead', () => {
    const make = 'mkdir -p "/data/out/my results" && echo hi > "/data/out/my results/a.txt"; echo > /data/a';
    const why = (path: string, parts: string, instead: string): string =>
      `\`${path}\`: a published path cannot hold a space (a publish block separates its paths by spaces and reads no quotes, so this is ${parts}): ${instead}`;
    expect(errors(doc([['shark-run', make], ['shark-publish', '/data/out/my results/a.txt /data/a']]))).toEqual([
      `6:13: ${why('/data/out/my results/a.txt', '`/data/out/my` and `results/a.txt`', 'publish the directory `/data/out/` that holds it, or have the step write a name without a space')}`,
    ]);
    // Quoted, as in the command: no quotes are read either.
    expect(errors(doc([['shark-run', make], ['shark-publish', '"/data/out/my results/a.txt"']]))).toEqual([
      `6:14: ${why('/data/out/my results/a.txt', '`"/data/out/my` and `results/a.txt"`', 'publish the directory `/data/out/` that holds it, or have the step write a name without a space')}`,
    ]);
    // Right under /data, nothing above it can be published.
    expect(errors(doc([['shark-run', 'echo > "/data/my file.txt"'], ['shark-publish', '/data/my file.txt']]))).toEqual([
      `6:9: ${why('/data/my file.txt', '`/data/my` and `file.txt`', 'have the step write it under a name without a space (/data itself is not published)')}`,
    ]);
    // A path a step writes, then a word that is no path: each is what it is.
    expect(errors(doc([['shark-run', make], ['shark-publish', '/data/a results.csv']]))).toEqual([
      '6:9: shark-publish lists /data paths: `results.csv` is not a /data/... path',
    ]);
  });
});

describe('paths no shell reads', () => {
  it('reports a wildcard, `+` or `$` in an import destination, a published path or an input at its place', () => {
    expect(errors(doc([
      ['shark-import', 'a.txt /data/e/*\na.txt /data/f/$X\na.txt /data/g/+\na.txt /data/h/[ab]/'],
      ['shark-run', 'mkdir -p /data/d/ && echo a > /data/d/a'],
      ['shark-publish', '/data/d/*  /data/d/a?\n/data/d/`x` /data/d/+.tif'],
    ], 'inputs:\n  raw: /data/raw/*\n  q: "/data/q/$Q"\n  m: {path: /data/m/+, optional: true}'))).toEqual([
      "3:18: input `raw`: wildcard `*` in `/data/raw/*`: an input is taken as written, not matched; name the directory `/data/raw/` instead",
      "4:15: input `q`: `$` in `/data/q/$Q`: an input is not read by a shell, so nothing is expanded; write the path as it is",
      "5:21: input `m`: `+` in `/data/m/+`: an input is taken as written, and `+` names map items only in a command; name the directory `/data/m/` instead",
      "9:15: wildcard `*` in `/data/e/*`: an import destination is taken as written, not matched; name the directory `/data/e/` instead",
      "10:15: `$` in `/data/f/$X`: an import destination is not read by a shell, so nothing is expanded; write the path as it is",
      "11:15: `+` in `/data/g/+`: an import destination is taken as written, and `+` names map items only in a command; name the directory `/data/g/` instead",
      "12:15: wildcard `[` in `/data/h/[ab]/`: an import destination is taken as written, not matched; name the directory `/data/h/` instead",
      "20:9: wildcard `*` in `/data/d/*`: a published path is taken as written, not matched; name the directory `/data/d/` instead",
      "20:21: wildcard `?` in `/data/d/a?`: a published path is taken as written, not matched; name the directory `/data/d/` instead",
      "21:9: a backquote in `/data/d/`x``: a published path is not read by a shell, so nothing is expanded; write the path as it is",
      "21:21: `+.tif` in `/data/d/+.tif`: a published path is taken as written, and `+` names map items only in a command; name the directory `/data/d/` instead",
    ]);
  });

  it('takes `+` and `$`-free names with such characters inside as they are', () => {
    const p = load(doc([['shark-import', 'a.txt /data/c++/a+b.txt'], ['shark-publish', '/data/c++/a+b.txt']]));
    expect(p.steps[0]!.outputs[0]!.path).toBe('/data/c++/a+b.txt');
  });
});

describe('whole documents', () => {
  it('says plainly when there are no Shark blocks', () => {
    expect(errors('# Notes\n\n```python\nprint(1)\n```\n')).toEqual([
      '1:1: no Shark blocks in this document: tag code blocks as shark-run, shark-build, shark-import or shark-publish',
    ]);
    expect(errors('')).toHaveLength(1);
    // Every block switched off: said so, not that there is none.
    expect(errors('# N\n\n```shark-run {skip}\necho a > /data/a\n```\n')).toEqual([
      '1:1: no Shark block to run in this document: its Shark block is switched off (`{skip}`); remove `skip` from it',
    ]);
    expect(errors('```shark-run {skip}\necho a > /data/a\n```\n\n~~~shark-import {id=i, skip}\nx /data/x\n~~~\n')).toEqual([
      '1:1: no Shark block to run in this document: all 2 of its Shark blocks are switched off (`{skip}`); remove `skip` from one',
    ]);
  });

  it('stops after markdown-level problems instead of reporting their consequences', () => {
    // The build block is dropped for its bad tag; its users are not reported as well.
    expect(errors(doc([['shark-build:gdal {bogus}', 'FROM x'], ['shark-run:gdal', 'sort < /data/a']]))).toEqual([
      '1:22: unknown option `bogus` for shark-build (allowed: id, skip)',
    ]);
    expect(errors(doc([['shark-run', 'sort < /data/in.csv']], 'inputs: [species'))).toHaveLength(1);
  });

  it('reports every independent problem, in document order', () => {
    expect(errors(doc([['shark-run', 'echo > /data/a'], ['shark-import', 'https://x.org/a data/a'], ['shark-run', 'cat /data/../x']]))).toEqual([
      '6:17: import destination `data/a` must be an absolute /data/... path',
      '10:5: path `/data/../x` escapes /data',
    ]);
  });

  it('reports a map\'s own problems beside the other errors, not only once those are fixed', () => {
    expect(errors(doc([
      ['shark-run', 'echo hi > /data/in/a.txt'],
      ['shark-run', 'paste /data/in/*.txt /data/left/+ > /data/out/+'],
      ['shark-run', 'cat /data/in/*.csv > /data/two/+'],
      ['shark-run', 'cat /data/in/*.txt > /data/one.txt'],
    ]))).toEqual([
      "6:22: nothing writes /data/left/: `paste` only reads it (its `+` joins each job's item there); write it in an earlier step, import it, or name it as a frontmatter input",
      '10:5: nothing written to /data/in/ can match `*.csv`: run writes /data/in/a.txt; this map would run 0 jobs',
      expect.stringMatching(/^14:22: `\/data\/one\.txt` would be written by every job of this map/),
    ]);
  });

  it('says a step reading what its own redirection writes reads it, not that nothing writes it', () => {
    expect(errors(doc([['shark-run', 'cat /data/a.txt > /data/a.txt']]))).toEqual([
      "2:5: `cat` reads /data/a.txt, which this step's own redirection writes: a step cannot read what it writes; read it from an earlier step's output, and write another path",
    ]);
  });

  it('reports a step id that another block\'s explicit id takes', () => {
    expect(errors(`# Fit\n\n${doc([['shark-run', 'echo a\necho b'], ['shark-run {id=fit.2}', 'echo c']])}`)).toEqual([
      '8:15: step id `fit.2` is also the id of a step of block `fit`: choose another {id=…} [3:4: block `fit` is here]',
    ]);
  });

  it('reports a block id that is the id of another block\'s step: `x.2` named both a block and a step of `x`', () => {
    expect(errors(doc([['shark-run {id=x.2}', 'echo a\necho b'], ['shark-run {id=x}', 'echo c\necho d']]))).toEqual([
      '1:15: block id `x.2` is also the id of a step of block `x`: a target naming it would mean either: choose another {id=…} [8:1: step `x.2` is here]',
    ]);
  });
  it('a listing program naming a directory other steps wrote inside reads it, even beside a file read from inside it', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'mkdir -p /data/b/sub && echo x > /data/b/sub/t.csv'],
      ['shark-run {id=b}', 'ls -la /data/b/ > /data/listing.txt; cat /data/b/sub/t.csv > /data/both.csv'],
    ]));
    expect(flow(p)[1]).toBe('b: /data/b/<a /data/b/sub/t.csv<a -> /data/listing.txt /data/both.csv (after a)');
  });

  it('takes the whole directory a step writes a file into and then names to a writer (cp into it), not that file alone', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'echo hi > /data/src.txt'],
      ['shark-run {id=b}', 'echo 1 > /data/y/names.txt; cp /data/src.txt /data/y/'],
      ['shark-run {id=c}', 'echo 1 > /data/z/names.txt; ls /data/z/ > /data/z.txt'],
      ['shark-run {id=d}', 'cat /data/y/names.txt /data/y/src.txt > /data/d.txt'],
    ]));
    expect(flow(p).slice(1)).toEqual([
      'b: /data/src.txt<a -> /data/y/ (after a)',
      'c:  -> /data/z/names.txt /data/z.txt',
      'd: /data/y/names.txt<b /data/y/src.txt<b -> /data/d.txt (after b)',
    ]);
  });

  it('refuses a copy into a directory an earlier step wrote, which would be lost, and says how to write it', () => {
    // By hand, `mkdir -p` on one line and `cp` into it on the next works; in Shark each line is a step, and the
    // directory is the first one's output, read-only to the second (as root on the host, what cp put there was dropped).
    expect(errors(doc([['shark-run {id=a}', 'echo hi > /data/x.txt\nmkdir -p /data/y\ncp /data/x.txt /data/y/']]))).toEqual([
      '4:16: `cp` writes into `/data/y/`, which step `a.2` writes: a directory is its writer\'s output, read-only to the steps'
        + ' after it, so what `cp` put there would be lost. Make and fill it in one command (`mkdir -p /data/y && cp …`),'
        + ' or name the new file (`/data/y/NAME`) [3:10: step `a.2` writes `/data/y` here]',
    ]);
    expect(errors(doc([['shark-run {id=a}', 'mkdir /data/y'], ['shark-run {id=b}', 'echo > /data/x.txt\nmv -t /data/y/ /data/x.txt']]))).toHaveLength(1);
    expect(errors(`---\ninputs:\n  in: /data/in/\n---\n${doc([['shark-run {id=a}', 'echo > /data/x.txt\ncp -r /data/x.txt /data/in/sub/']])}`)).toEqual([
      '7:19: `cp` writes into `/data/in/sub/`, inside `/data/in/`, which frontmatter input `in` provides: inputs are read-only, so what `cp` put'
        + ' there would be lost. Copy into a directory no input holds [3:7: frontmatter input `in` is declared here]',
    ]);
    expect(errors(doc([['shark-run {id=a}', 'echo > /data/x.txt'], ['shark-run {id=b}', 'cp /data/x.txt /data/b.txt\ncp /data/x.txt /data/b.txt']]))).toEqual([
      '7:16: `/data/b.txt` is written by two steps: `b.1` and `b.2` (each path has one writer) [6:16: step `b.1` writes `/data/b.txt` here]',
    ]);
  });

  it('refuses a change in place of another step\'s output (chmod +x on the line after the one that wrote it), which the run would refuse', () => {
    expect(errors(doc([['shark-run {id=a}', "cat > /data/tool.sh <<'END'\nwc -l\nEND\nchmod +x /data/tool.sh"]]))).toEqual([
      '5:10: `chmod` changes `/data/tool.sh`, which step `a.1` writes: a step\'s inputs are read-only, and the run would fail changing it;'
        + ' change it in the command that writes it (`… && chmod … /data/tool.sh`), or change a copy [2:7: step `a.1` writes `/data/tool.sh` here]',
    ]);
    expect(errors(doc([['shark-run {id=a}', 'mkdir -p /data/d && echo 1 > /data/d/a\nchmod -R 700 /data/d/']]))).toHaveLength(1);
    expect(errors(doc([['shark-run {id=a}', 'echo 1 > /data/d/a\ntouch /data/d/']]))).toEqual([
      '3:7: `touch` changes `/data/d/`, holding `/data/d/a`, which step `a.1` writes: a step\'s inputs are read-only, and the run would fail'
        + ' changing it; change it in the command that writes it (`… && touch … /data/d/`), or change a copy [2:10: step `a.1` writes `/data/d/a` here]',
    ]);
    // One command may change what it wrote; a new name touched inside another's directory is this step's own.
    const p = load(doc([['shark-run {id=a}', 'echo > /data/t.sh && chmod +x /data/t.sh\nmkdir /data/d\ntouch /data/d/ready']]));
    expect(flow(p)).toEqual(['a.1:  -> /data/t.sh', 'a.2:  -> /data/d (after a.1)', 'a.3:  -> /data/d/ready (after a.2)']);
  });

  it('refuses an edit in place (`sed -i`, `perl -pi`, `gawk -i inplace`) of another step\'s output, whose change the run would lose', () => {
    expect(errors(doc([['shark-run {id=a}', "printf 'robin 3\\n' > /data/c.txt\nsed -i 's/robin/E/' /data/c.txt"]]))).toEqual([
      '3:21: `sed -i` changes `/data/c.txt`, which step `a.1` writes: a step\'s inputs are read-only, and the run would fail changing it;'
        + ' change it in the command that writes it (`… && sed -i … /data/c.txt`), or change a copy [2:22: step `a.1` writes `/data/c.txt` here]',
    ]);
    for (const edit of ["sed -Ei.bak 's/a/b/' /data/c.txt", "perl -pi -e 's/a/b/' /data/c.txt", "gawk -i inplace '{ print }' /data/c.txt", "sed --in-place 's/a/b/' /data/c.txt"]) {
      expect(errors(doc([['shark-run {id=a}', 'echo a > /data/c.txt'], ['shark-run {id=b}', edit]])), edit).toHaveLength(1);
    }
    expect(errors(doc([['shark-run {id=b}', "sed -i 's/a/b/' /data/none.txt"]]))).toEqual([
      '2:17: nothing writes /data/none.txt: `sed -i` changes it in place; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
    // Its own output, and sed without -i (a reader), are fine.
    const p = load(doc([['shark-run {id=a}', "echo a > /data/c.txt && sed -i 's/a/b/' /data/c.txt"], ['shark-run {id=b}', "sed 's/a/b/' /data/c.txt > /data/d.txt"]]));
    expect(flow(p)).toEqual(['a:  -> /data/c.txt', 'b: /data/c.txt<a -> /data/d.txt (after a)']);
  });

  it('takes a path only a filter names (sort, awk, cut…) and nothing writes as a typo, but sort -o, uniq\'s second operand and awk -v values as written', () => {
    expect(errors(doc([['shark-run {id=a}', 'echo 1 > /data/ranges.txt'], ['shark-run {id=b}', "awk '{ s += $1 } END { print s }' /data/rnages.txt > /data/t.txt"]]))).toEqual([
      '6:35: nothing writes /data/rnages.txt: `awk` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
    const p = load(doc([
      ['shark-run {id=a}', 'echo 1 > /data/a.txt'],
      ['shark-run {id=b}', 'sort -o /data/s.txt /data/a.txt && uniq -f 1 /data/a.txt /data/u.txt'],
      ['shark-run {id=c}', "awk -v out=/data/o/ '{ print > (out $1) }' /data/a.txt"],
    ]));
    expect(flow(p)).toEqual(['a:  -> /data/a.txt', 'b: /data/a.txt<a -> /data/s.txt /data/u.txt (after a)', 'c: /data/a.txt<a -> /data/o/ (after a)']);
  });

  it('takes a file copied to a new name inside another step\'s directory as an output, not a missing input', () => {
    const p = load(doc([
      ['shark-run {id=a}', 'echo hi > /data/x.txt\nmkdir -p /data/y\ncp /data/x.txt /data/y/x.txt\nln -s ../x.txt --target-directory=/data/z/'],
      ['shark-run {id=b}', 'cat /data/y/x.txt > /data/b.txt\nls /data/y/ > /data/c.txt'],
    ]));
    expect(flow(p)).toEqual([
      'a.1:  -> /data/x.txt',
      'a.2:  -> /data/y (after a.1)',
      'a.3: /data/x.txt<a.1 -> /data/y/x.txt (after a.1, a.2)',
      'a.4:  -> /data/z/ (after a.3)',
      'b.1: /data/y/x.txt<a.3 -> /data/b.txt (after a.3)',
      'b.2: /data/y/<a.2+a.3 -> /data/c.txt (after a.2, a.3, b.1)',
    ]);
  });
});
