import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { parseFrontmatter } from '../../src/markdown/frontmatter.js';
import { parseMarkdown } from '../../src/markdown/parse.js';
import { loadPipeline } from '../../src/pipeline/load.js';

/** The YAML as it sits in a document after a `---` on line 1. */
function read(yaml: string) {
  const diagnostics: Diagnostic[] = [];
  const fm = parseFrontmatter('p.md', yaml, 2, { line: 1, col: 1 }, diagnostics);
  return { fm, diagnostics: diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`) };
}

describe('parseFrontmatter', () => {
  it('reads lines ended by a lone CR as lines, as the markdown around it is read', () => {
    const { fm, diagnostics } = read('A: 1\rB: 2\rA: 3\r');
    expect(diagnostics).toEqual(['4:1: `A` is given twice (first at line 2)']);
    expect(read('A: 1\rB: two\r').fm?.variables.get('B')).toBe('two');
  });

  it('says what is wrong with YAML it does not take: aliases, binary values, absurd nesting', () => {
    expect(read('A: &x hello\nB: *x\nC: *nope\nT: [a, *x]\n').diagnostics).toEqual([
      '3:4: frontmatter key `B`: YAML aliases (`*name`) are not supported: write the value itself',
      '4:4: frontmatter key `C`: YAML aliases (`*name`) are not supported: write the value itself',
      '5:8: a value of the axis `T`: YAML aliases (`*name`) are not supported: write the value itself',
    ]);
    expect(read('D: !!binary aGVsbG8=\n').diagnostics).toEqual([
      '2:13: frontmatter key `D`: binary values (`!!binary`) are not supported: a variable is a plain string, number or boolean',
    ]);
    const deep = read(`A: ${'['.repeat(5000)}${']'.repeat(5000)}\n`).diagnostics;
    expect(deep).toHaveLength(1);
    expect(deep[0]).toMatch(/^2:\d+: invalid frontmatter YAML: nested too deeply \(lists or mappings inside each other\) to read$/);
  });

  it('refuses a YAML tag it does not read, at the tag, where the yaml library kept the value as text', () => {
    expect(read('inputs:\n  items: !custom /data/items/\n').diagnostics).toEqual([
      '3:10: the YAML tag `!custom` is not one Shark reads: values are text, numbers, true or false, lists and mappings (remove the tag; quote the value to keep it as text)',
    ]);
    expect(read('A: 1\nwhen: !!timestamp 2001-12-14\n').diagnostics[0]).toMatch(/^3:7: the YAML tag `!!timestamp` is not one Shark reads/);
    // The tags of the values it reads are only what YAML would infer.
    const plain = read('threads: !!int 3\nyear: !!str 2024\nT: !!seq [a, b]\n');
    expect(plain.diagnostics).toEqual([]);
    expect(plain.fm!.variables.get('year')).toBe('2024');
  });

  it('reads inputs, path and variables, with where each input is declared', () => {
    const { fm, diagnostics } = read('inputs:\n  species: /data/species.csv\n  regions: /data/regions/\npath: /work\nyear: 2024\nregion: europe\nempty: ""\n');
    expect(diagnostics).toEqual([]);
    expect([...fm!.inputs]).toEqual([
      ['species', { path: '/data/species.csv', at: { line: 3, col: 12 } }],
      ['regions', { path: '/data/regions/', at: { line: 4, col: 12 } }],
    ]);
    expect(fm!.path).toBe('/work');
    expect([...fm!.variables]).toEqual([
      ['year', '2024'],
      ['region', 'europe'],
      ['empty', ''],
    ]);
    expect(fm!.firstLine).toBe(2);
  });

  it('is empty when there is nothing in it', () => {
    for (const yaml of ['', '\n', '# only a comment\n']) {
      const { fm, diagnostics } = read(yaml);
      expect(diagnostics).toEqual([]);
      expect(fm).toMatchObject({ path: undefined });
      expect(fm!.inputs.size + fm!.variables.size).toBe(0);
    }
    expect(read('inputs:\n').fm!.inputs.size).toBe(0);
  });

  it('reports invalid YAML once, at the place to change', () => {
    // As remark gives it: without the newline before the closing `---`.
    expect(read('inputs:\n  regions: [/data/regions.csv').diagnostics).toEqual([
      '3:12: the list opened by `[` is never closed: end it with `]`',
    ]);
    expect(read('a: 1\na: 2\n').diagnostics).toEqual(['3:1: `a` is given twice (first at line 2)']);
    expect(read('a: "open\n').diagnostics).toHaveLength(1);
    expect(read('a: "open\n').fm).toBeUndefined();
  });

  it('says what is wrong with YAML the parser refuses in its own words, at the line to change', () => {
    const cases: [string, string][] = [
      // An over-indented key: the parser names the line above it.
      ['inputs:\n  a: /data/a.txt\n   b: /data/b.txt\n', '4:4: `b` is indented 3 spaces, its siblings 2: keys of one mapping start in the same column'],
      ['X: 1\n  Y: 2\n', '3:3: `Y` is indented 2 spaces, its siblings 0: keys of one mapping start in the same column'],
      ['  X: 1\nY: 2\n', '3:1: `Y` is indented 0 spaces, its siblings 2: keys of one mapping start in the same column'],
      ['inputs:\n    a: /data/a\n  b: /data/b\n', '4:1: `b` is indented 2 spaces, which lines up with no key above it (`a` 4, `inputs` 0): keys of one mapping start in the same column'],
      ['TAXA: [A]\nX: 1\nTAXA: [B]\n', '4:1: `TAXA` is given twice (first at line 2)'],
      ['inputs:\n  a: /data/a\n  a: /data/b\n', '4:3: `a` is given twice under `inputs` (first at line 3)'],
      ['inputs:\n\ta: /data/a\n', '3:1: a tab indents this line: YAML indents with spaces only'],
      ['TAXA: [A, B\nX: 1\n', '2:7: the list opened by `[` is never closed: end it with `]`'],
      ['X: {a: 1\nY: 2\n', '2:4: the mapping opened by `{` is never closed: end it with `}`'],
      ['TAXA: [A,\nB]\n', '2:7: the list opened by `[` goes on at line 3, which must be indented more than the key the list belongs to'],
      ['X:1\nY: 2\n', '2:2: `X:1` needs a space after the `:` to be a key and its value'],
      ['X:1\n', '2:1: frontmatter must be a YAML mapping (key: value lines): `X:1` needs a space after the `:` to be a key and its value'],
      ['inputs:\n  a:/data/a\n', '3:3: `inputs:` must map names to /data paths: `a:/data/a` needs a space after the `:` to be a key and its value'],
      ['X: 1\nY\n', '3:1: `Y` is no `key: value` line: a key is followed by `: ` and its value'],
      ['X: "abc\nY: 2\n', '2:4: the quote `"` opening this value is never closed'],
      ["X: 'it's'\n", "2:8: text after the closing quote of `'it'`: quote the whole value (write ' inside '…' as '')"],
      ['X: a: b\n', '2:4: the value `a: b` holds `: `, which would start a mapping inside it: put the value in quotes'],
      ['X: @foo\n', '2:4: a value may not start with `@` unless quoted (YAML keeps it for itself): put the value in quotes'],
      ['X: [a]]\n', '2:7: this `]` closes no list'],
      ['X: "a\\qb"\n', '2:6: `\\q` is no escape in a "…" value: write \\\\ for a backslash, or quote the value with \'…\''],
    ];
    for (const [yaml, expected] of cases) {
      expect(read(yaml).diagnostics, yaml).toEqual([expected]);
    }
  });

  it('wants a mapping at the top', () => {
    expect(read('- a\n- b\n').diagnostics).toEqual(['2:1: frontmatter must be a YAML mapping (key: value lines)']);
    expect(read('just text\n').diagnostics).toEqual(['2:1: frontmatter must be a YAML mapping (key: value lines)']);
  });

  it('refuses a variable whose value holds a NUL byte, at the value: no process environment can carry one', () => {
    expect(read('V: "a\\0b"\nW: ok\n').diagnostics).toEqual(['2:4: the value of the variable `V` holds a NUL byte (\\0), which no process environment can carry']);
  });

  it('checks the shape of each key', () => {
    expect(read('inputs: [a, b]\n').diagnostics).toEqual(['2:9: `inputs:` must map names to /data paths']);
    expect(read('inputs:\n  bad name: /data/x\n').diagnostics).toEqual(['3:3: invalid input name `bad name`']);
    expect(read('inputs:\n  species: [1]\n').diagnostics).toEqual(['3:12: input `species` must be a /data/... path']);
    expect(read('path: relative/dir\n').diagnostics).toEqual(['2:7: `path:` must be an absolute directory, such as /root']);
    // The jobs' data is mounted at /data: a working directory there is in the way of outputs, and loses relative writes.
    for (const inData of ['/data', '/data/work', '/data/out.txt', '/tmp/../data/x', '/data/']) {
      expect(read(`path: ${inData}\n`).diagnostics).toEqual([expect.stringMatching(/^2:7: `path:` cannot be \/data or a directory in it: .*such as \/work\)$/)]);
    }
    expect(read('path: /database\n').diagnostics).toEqual([]);
    expect(read('not-a-var: 1\n').diagnostics).toEqual(['2:1: variable name `not-a-var` is not a valid environment variable name']);
    expect(read('map: {a: 1}\n').diagnostics).toEqual(['2:6: frontmatter key `map` must have a plain value']);
    expect(read('not-an-axis: [1]\n').diagnostics).toEqual(['2:1: variable name `not-an-axis` is not a valid environment variable name']);
  });

  it('keeps a variable as written, as an axis value is: `1.10` stays `1.10`, `007` stays `007`', () => {
    const { fm, diagnostics } = read('V: 1.10\nZ: 007\nW: 12345678901234567890\nF: 0.1000\nE: 1e3\nO: 0o17\nH: 0x1F\nI: .inf\nB: True\nQ: "1.10"\nS: plain text\nN: -0\n');
    expect(diagnostics).toEqual([]);
    expect([...fm!.variables]).toEqual([
      ['V', '1.10'], ['Z', '007'], ['W', '12345678901234567890'], ['F', '0.1000'], ['E', '1e3'], ['O', '0o17'],
      ['H', '0x1F'], ['I', '.inf'], ['B', 'True'], ['Q', '1.10'], ['S', 'plain text'], ['N', '-0'],
    ]);
    // `%{V}` in a command is the same text.
    const { pipeline } = loadPipeline('p.md', '---\nV: 1.10\n---\n```shark-run\necho %{V} > /data/v.txt\n```\n');
    expect(pipeline!.steps.map((s) => s.kind === 'run' && s.command)).toEqual(['echo 1.10 > /data/v.txt']);
  });

  it('refuses a variable with no value (`~`, `null` or nothing), as an axis value, where it is', () => {
    const why = (name: string) => `the variable \`${name}\` has no value: a variable is a plain string, number or boolean (\`${name}: ""\` for an empty string)`;
    const { fm, diagnostics } = read('A: ~\nB: null\nC:\nD:   # nothing\nE: ""\n');
    expect(diagnostics).toEqual([`2:4: ${why('A')}`, `3:4: ${why('B')}`, `4:1: ${why('C')}`, `5:1: ${why('D')}`]);
    expect([...fm!.variables]).toEqual([['E', '']]);
  });

  it('reads a list as an axis: its values as written, where each is, in frontmatter order', () => {
    const { fm, diagnostics } = read('TAXA: [AMPHIBIA, AVES]\nyear: 2024\nCURVE:\n  - 0.25\n  - 1.0\n  - "x y"\n');
    expect(diagnostics).toEqual([]);
    expect([...fm!.axes.keys()]).toEqual(['TAXA', 'CURVE']);
    expect(fm!.axes.get('TAXA')).toEqual({
      name: 'TAXA', at: { line: 2, col: 1 },
      values: [{ value: 'AMPHIBIA', at: { line: 2, col: 8 } }, { value: 'AVES', at: { line: 2, col: 18 } }],
    });
    expect(fm!.axes.get('CURVE')!.values.map((v) => v.value)).toEqual(['0.25', '1.0', 'x y']);
    expect(read('A: ["a\\tb"]\n').diagnostics).toEqual(['2:5: the value "a\\tb" of the axis `A` holds a control character (a newline, a tab): a value is one path segment']);
    // An axis is no variable: it is not exported to the steps.
    expect([...fm!.variables.keys()]).toEqual(['year']);
  });

  it('refuses an axis value holding a C1 control or a bidirectional mark, shown escaped', () => {
    // Its instance ids are printed as they are (`make[T=…]`): a mark there would reorder the line at a terminal.
    expect(read('A: ["\u202ea", b, "c\u0085"]\n').diagnostics).toEqual([
      '2:5: the value "\\u202ea" of the axis `A` holds a control character (a newline, a tab): a value is one path segment',
      '2:14: the value "c\\u0085" of the axis `A` holds a control character (a newline, a tab): a value is one path segment',
    ]);
  });
});

describe('frontmatter left open', () => {
  const problems = (source: string): string[] =>
    parseMarkdown('p.md', source).diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`);

  it('is an error at its first line, not prose with every variable missing', () => {
    expect(problems('---\nGREETING: hi\n\n```shark-run\necho $GREETING > /data/g.txt\n```\n')).toEqual([
      '1:1: the frontmatter opened here is never closed: end it with a line `---`',
    ]);
  });

  it('leaves alone a document that starts with a rule, and closed frontmatter', () => {
    expect(problems('---\n\nSome prose.\n')).toEqual([]);
    expect(problems('---\nyear: 2024\n---\n# T\n')).toEqual([]);
  });

  // The original Shark refused it too ("Malformed frontmatter/markdown file"): its split on `---` needs the first at the start.
  it('is an error at the `---` when blank lines come before it, not prose with every key missing', () => {
    const doc = '\n---\nTAXA: [A, B]\n---\n\n# X\n\n```shark-run\necho %{TAXA} > /data/%{TAXA}.txt\n```\n';
    const message = 'the frontmatter must start on the first line: remove the blank lines above this `---`';
    expect(problems(doc)).toEqual([`2:1: ${message}`]);
    expect(problems('\n  \n---\nyear: 2024\n')).toEqual([`3:1: ${message}`]);
    // Through the whole pipeline: the one error, not `unknown %{TAXA}`.
    const { diagnostics } = loadPipeline('p.md', doc);
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`)).toEqual([`2:1: error: ${message}`]);
  });

  it('leaves alone a rule after blank lines that no `key:` line follows, and a rule further down', () => {
    expect(problems('\n---\n\nSome prose.\n')).toEqual([]);
    expect(problems('\n---\nSome prose: with a colon, then more.\n\nAnd a paragraph.\n')).toEqual([]);
    expect(problems('# T\n\n---\nyear: 2024\n---\n')).toEqual([]);
  });

  it('is an error at a `---` line written with four dashes or indented, not a rule with every key missing', () => {
    const body = '\n# T\n\n```shark-run\necho %{TAXA} > /data/%{TAXA}.txt\n```\n';
    const four = 'the frontmatter opens with a line of exactly three dashes `---`: markdown reads `----` as a rule, and every key below it would be missing';
    const indented = 'the frontmatter opens with `---` at the start of its line, no space before it: markdown reads ` ---` as a rule, and every key below it would be missing';
    expect(problems(`----\nTAXA: [A, B]\n----\n${body}`)).toEqual([`1:1: ${four}`]);
    expect(problems(` ---\nTAXA: [A, B]\n ---\n${body}`)).toEqual([`1:1: ${indented}`]);
    // A right opening line and a wrong closing one: the closing line is named, not "never closed".
    expect(problems(`---\nTAXA: [A, B]\n----\n${body}`)).toEqual([
      '3:1: the frontmatter closes with a line of exactly three dashes `---`: markdown reads `----` as a rule, and every key above it would be missing',
    ]);
    expect(problems(`\n----\nTAXA: [A, B]\n----\n`)).toEqual([`2:1: ${four}; and it must start on the first line: remove the blank lines above it`]);
    // Through the whole pipeline: the one error, not `unknown %{TAXA}`.
    const { diagnostics } = loadPipeline('p.md', `----\nTAXA: [A, B]\n----\n${body}`);
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`)).toEqual([`1:1: error: ${four}`]);
  });

  it('is an error at TOML frontmatter between `+++` lines (Hugo\'s), which markdown reads as prose, every key missing', () => {
    const body = '\n```shark-run\necho "$YEAR" > /data/year.txt\n```\n';
    expect(problems(`+++\nYEAR = 2024\n+++\n${body}`)).toEqual([
      '1:1: TOML frontmatter (`+++`) is not read, and markdown shows it as prose: Shark reads YAML between `---` lines (`YEAR: 2024`, not `YEAR = 2024`)',
    ]);
    expect(problems('+++\n\nSome prose.\n')).toEqual([]);
  });

  it('leaves alone a document that opens with a long rule and prose, or a rule and prose with a colon', () => {
    expect(problems('----\n\nSome prose.\n')).toEqual([]);
    expect(problems('----\nNote: this is prose, then more.\n\nAnd a paragraph.\n')).toEqual([]);
    expect(problems('---\nyear: 2024\n---\n# T\n\n----\n')).toEqual([]);
  });
});
