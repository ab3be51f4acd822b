import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';

const fence = '```';

function doc(blocks: [string, string][]): string {
  return blocks.map(([info, body]) => `${fence}${info}\n${body}\n${fence}\n`).join('\n');
}

function load(source: string) {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  const shown = diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}${d.refusesRun ? ' [refuses run]' : ''}`);
  return { pipeline, shown };
}

describe('documents of the original Shark', () => {
  it('ignores an unknown shark-* block with a located warning, and keeps the rest', () => {
    const { pipeline, shown } = load(doc([
      ['shark-run', 'echo a > /data/a.txt'],
      ['shark-publish2', '/data/a.txt'],
      ['shark-run', 'cat /data/a.txt > /data/b.txt'],
    ]));
    expect(shown).toEqual([
      '5:4: warning: unknown Shark block `shark-publish2`: ignored (did you mean `shark-publish`? Shark reads shark-build, shark-run, shark-import and shark-publish; write {skip} after a tag to switch a block off)',
    ]);
    expect(pipeline!.blocks.map((b) => b.id)).toEqual(['run', 'run-2']);
    expect(pipeline!.document.blocks.map((b) => b.index)).toEqual([0, 1]);
  });

  it('does not read the body of an ignored block: a broken one is no error', () => {
    const { pipeline, shown } = load(doc([
      ['shark-run', 'echo a > /data/a.txt'],
      ['shark-old-run', 'cat /data/../etc/passwd > /data/a.txt'],
    ]));
    expect(pipeline).toBeDefined();
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^5:4: warning: unknown Shark block `shark-old-run`/);
  });

  it('switches a block off with {skip}: no warning, no step, no id', () => {
    const { pipeline, shown } = load(doc([
      ['shark-run {id=first}', 'echo a > /data/a.txt'],
      ['shark-run {skip}', 'echo b > /data/a.txt'],
      ['shark-publish {skip}', '/data/nobody-writes-this'],
      ['shark-run', 'cat /data/a.txt > /data/b.txt'],
    ]));
    expect(shown).toEqual([]);
    expect(pipeline!.blocks.map((b) => b.id)).toEqual(['first', 'run']);
  });

  it('makes the users of a switched-off shark-build warn that they cannot run', () => {
    const { pipeline, shown } = load(doc([['shark-build:gdal {skip}', 'FROM x'], ['shark-run:gdal', 'echo a > /data/a.txt']]));
    expect(pipeline!.environments.size).toBe(0);
    expect(shown).toEqual(['5:14: warning: environment `gdal` has no shark-build block: this block cannot run [refuses run]']);
  });

  it('still reports a malformed tag of a known kind, even with {skip}', () => {
    const { pipeline, shown } = load(doc([['shark-run:-x {skip}', 'echo']]));
    expect(pipeline).toBeUndefined();
    expect(shown[0]).toContain('error: invalid environment name');
  });

  it('is an error when nothing but ignored blocks is left', () => {
    const { pipeline, shown } = load(doc([['shark-publish2', '/data/a'], ['shark-run {skip}', 'echo']]));
    expect(pipeline).toBeUndefined();
    expect(shown.map((s) => s.split(': ')[1]).sort()).toEqual(['error', 'warning']);
  });

  it('draws a run block whose environment has no shark-build, with a warning that refuses run', () => {
    const { pipeline, shown } = load(doc([
      ['shark-build:gdal', 'FROM x'],
      ['shark-run:gdl', 'echo a > /data/a.txt'],
      ['shark-run:missing-env', 'cat /data/a.txt > /data/b.txt\ncat /data/b.txt > /data/c.txt'],
    ]));
    expect(shown).toEqual([
      '5:14: warning: environment `gdl` has no shark-build block: this block cannot run (defined: gdal) [refuses run]',
      '9:14: warning: environment `missing-env` has no shark-build block: this block cannot run (defined: gdal) [refuses run]',
    ]);
    expect(pipeline!.blocks.map((b) => [b.id, b.env, b.after])).toEqual([
      ['build', 'gdal', []],
      ['run', 'gdl', []],
      ['run-2', 'missing-env', ['run']],
    ]);
  });

  it('reports a missing environment next to real errors, in document order', () => {
    const { pipeline, shown } = load(doc([['shark-run:nope', 'echo > /data/a'], ['shark-import', 'https://x.org/a data/a']]));
    expect(pipeline).toBeUndefined();
    expect(shown).toEqual([
      '1:14: warning: environment `nope` has no shark-build block: this block cannot run [refuses run]',
      '6:17: error: import destination `data/a` must be an absolute /data/... path',
    ]);
  });
});

// The original Shark's output documents (its specs/shark.out.md) name results by where it kept them.
describe('paths of the original Shark\'s output documents', () => {
  const HASH = '8113359387d02c4e29df7013f0cd2d699c4f1303d99fe065204b579baf0dd509';

  it('says a published /obuilder-zfs/… path is where the original kept a result, and names the /data path', () => {
    const { pipeline, shown } = load(doc([
      ['shark-run', 'echo 3.6 > /data/gdal.version'],
      ['shark-publish', `/obuilder-zfs/result/${HASH}/.zfs/snapshot/snap/rootfs/data/gdal.version`],
    ]));
    expect(pipeline).toBeUndefined();
    expect(shown).toEqual([
      `6:1: error: shark-publish lists /data paths: \`/obuilder-zfs/result/${HASH}/.zfs/snapshot/snap/rootfs/data/gdal.version\` is where the original Shark kept a result, in the documents it wrote: it is no path of this document; name the /data path, \`/data/gdal.version\``,
    ]);
  });

  it('warns at a /shark/HASH/… path in a command, naming the /data path, and still reads the document', () => {
    const { pipeline, shown } = load(doc([
      ['shark-run', 'echo 3.6 > /data/gdal.version'],
      ['shark-run', `cat /shark/${HASH}/gdal.version`],
    ]));
    expect(pipeline).toBeDefined();
    expect(shown).toEqual([
      `6:5: warning: \`/shark/${HASH}/gdal.version\` is where the original Shark mounted another block's results, in the documents it wrote: no step sees it here; name the /data path, \`/data/gdal.version\``,
    ]);
  });

  it('says nothing of other paths outside /data, nor of a /shark/ path without a hash', () => {
    const { shown } = load(doc([['shark-run', 'cat /etc/hosts /shark/tools/x > /data/a.txt']]));
    expect(shown).toEqual([]);
    expect(load(doc([['shark-publish', '/tmp/a.txt']])).shown).toEqual(['2:1: error: shark-publish lists /data paths: `/tmp/a.txt` is not a /data/... path']);
  });
});

// The original ran every line after stripping a `$`; Shark reads unprompted lines of a transcript as output.
describe('an unprompted line of a transcript that looks like a command', () => {
  it('warns at the line, suggesting the prompt, when it writes or names a /data path', () => {
    const { pipeline, shown } = load(doc([
      ['shark-run', '$ mkdir -p /data/x/\necho hi > /data/x/a.txt\n  gdal_translate -of COG /data/x/a.txt /data/x/b.tif'],
    ]));
    expect(pipeline).toBeDefined();
    const hint = 'this line has no `$ ` prompt, so this transcript reads it as output of the command above and does not run it; it looks like a command: write `$ ` before it to run it';
    expect(shown).toEqual([`3:1: warning: ${hint}`, `4:3: warning: ${hint}`]);
  });

  it('says nothing of real output, with or without /data paths in it', () => {
    const { shown } = load(doc([
      ['shark-run', [
        '$ gdalinfo --version > /data/version.txt',
        '$ cat /data/version.txt',
        'GDAL 3.8.5, released 2024/04/02',
        '$ md5sum /data/version.txt && wc -l /data/version.txt && du -sh /data/version.txt',
        'd41d8cd98f00b204e9800998ecf8427e  /data/version.txt',
        '1 /data/version.txt',
        '4.0K\t/data/version.txt',
        '$ find /data/version.txt && file /data/version.txt && stat /data/version.txt && rm -v /data/version.txt',
        '/data/version.txt',
        '/data/version.txt: ASCII text',
        '  File: /data/version.txt',
        "removed '/data/version.txt'",
        'Files: /data/dem.tif',
        '  File "/data/x.py", line 3, in <module>',
        '-rw-r--r-- 1 root root 32 Jan  1 00:00 /data/version.txt',
        'total 4',
      ].join('\n')],
    ]));
    expect(shown).toEqual([]);
  });

  it('says nothing of the `A -> B` lines of cp -v, mv -v and ln -sv, nor of diff\'s `>` and `<` lines', () => {
    const { shown } = load(doc([
      ['shark-run', [
        '$ seq 3 > /data/a.txt',
        '$ cp -v /data/a.txt /data/b.txt && mv -v /data/b.txt /data/c.txt && ln -sv /data/c.txt /data/l.txt',
        "'/data/a.txt' -> '/data/b.txt'",
        "renamed '/data/b.txt' -> '/data/c.txt'",
        "'/data/l.txt' -> '/data/c.txt'",
        '/data/a.txt -> /data/b.txt',
        '$ diff /data/a.txt /data/c.txt',
        '1c1',
        '< /data/x/a.txt',
        '---',
        '> /data/x/b.txt',
      ].join('\n')],
    ]));
    expect(shown).toEqual([]);
  });

  it('still warns at a command whose quoted words hold an arrow', () => {
    const { shown } = load(doc([['shark-run', "$ true\necho 'a -> b' > /data/x.txt"]]));
    expect(shown).toHaveLength(1);
  });

  it('says nothing in a block that is no transcript', () => {
    expect(load(doc([['shark-run', 'mkdir -p /data/x/\necho hi > /data/x/a.txt']])).shown).toEqual([]);
  });
});

describe('a file outside /data that a later command of a container block reads', () => {
  const build = ['shark-build:e', 'FROM busybox'] as [string, string];
  const lost = (path: string, line: number) =>
    `warning: \`${path}\` is written outside /data by the command on line ${line}: each command of a block runs in a fresh container, so it is not there for this one (the original Shark ran a block's commands on one filesystem); write it under /data, or join the commands with \`&&\``;

  it('warns where the later command names it, as the original Shark\'s template example does', () => {
    const source = `---\nprefix: /var/\nids: [1234, 4321]\n---\n${doc([build, ['shark-run:e', '$ echo %{ids} > %{prefix}%{ids}.txt\n$ cat %{prefix}%{ids}.txt']])}`;
    const { pipeline, shown } = load(source);
    expect(pipeline).toBeDefined();
    expect(shown).toEqual([`11:7: ${lost('/var/1234.txt', 10)}`]);
  });

  it('warns for a redirection read back, once per path', () => {
    const { shown } = load(doc([build, ['shark-run:e', 'echo 1 > /tmp/n.txt\nwc -c < /tmp/n.txt > /data/a.txt\ncat /tmp/n.txt > /data/b.txt']]));
    expect(shown).toEqual([`7:9: ${lost('/tmp/n.txt', 6)}`]);
  });

  it('says nothing on the host, in one command, for /dev paths, or for /data', () => {
    const quiet = [
      doc([['shark-run', 'echo 1 > /tmp/n.txt\ncat /tmp/n.txt > /data/a.txt']]),
      doc([build, ['shark-run:e', 'echo 1 > /tmp/n.txt && cat /tmp/n.txt > /data/a.txt']]),
      doc([build, ['shark-run:e', 'echo 1 > /dev/null\ncat /dev/null > /data/a.txt']]),
      doc([build, ['shark-run:e', 'echo 1 > /data/n.txt\ncat /data/n.txt > /data/a.txt']]),
    ];
    for (const source of quiet) expect(load(source).shown).toEqual([]);
  });
});

describe('a step that writes no /data path, only a file outside it (a Snakefile rule\'s `results/x.txt`)', () => {
  it('is warned of at the file: Shark tracks nothing of it, and the file removed is never made again', () => {
    const { pipeline, shown } = load(doc([['shark-run', 'echo a > /data/a.txt'], ['shark-run', 'cat /data/a.txt > results/summary.txt']]));
    expect(pipeline).toBeDefined();
    expect(shown).toEqual(['6:19: warning: `results/summary.txt` is written outside /data, and the step writes no /data path: Shark keeps and tracks nothing'
      + ' it makes, so once it ran it is cached, and `results/summary.txt` removed is not made again; write it under /data (`> /data/summary.txt`)'
      + ' and publish it with a shark-publish block']);
  });

  it('says a name written relative to a /data directory the command went into is in that directory, the step\'s input (it called it outside /data)', () => {
    for (const step of ['cd /data/d/ && cat a.txt > ../b.txt', 'cd /data/d/\ncat a.txt > ../b.txt']) {
      const { shown } = load(doc([['shark-run', 'echo a > /data/d/a.txt'], ['shark-run', step]]));
      expect(shown, step).toEqual([expect.stringMatching(/^\d+:\d+: warning: `\.\.\/b\.txt` is written relative to the \/data directory the command went into with `cd`: that directory is the step's input, read-only/)]);
    }
  });

  it('says nothing of a step with a /data output, of scratch under /tmp, of devices and descriptors, or of a file a later command reads', () => {
    const quiet = [
      doc([['shark-run', 'echo a > /data/a.txt && echo done > done.log']]),
      doc([['shark-run', 'echo a > /tmp/a.txt'], ['shark-run', 'echo 1 > /dev/null 2>&1']]),
      doc([['shark-run', 'echo 1 > n.txt\ncat n.txt > /data/a.txt']]),
    ];
    for (const source of quiet) expect(load(source).shown, source).toEqual([]);
  });
});
