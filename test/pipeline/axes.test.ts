import { describe, expect, it } from 'vitest';
import { combinations, findReferences } from '../../src/pipeline/axes.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import type { RunStep } from '../../src/pipeline/pipeline.js';

const fence = '```';

function load(source: string, overrides?: Record<string, string>): Pipeline {
  const { pipeline, diagnostics } = loadPipeline('p.md', source, overrides === undefined ? undefined : new Map(Object.entries(overrides)));
  expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`)).toEqual([]);
  return pipeline!;
}

function problems(source: string, overrides?: Record<string, string>): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source, overrides === undefined ? undefined : new Map(Object.entries(overrides)));
  expect(pipeline).toBeUndefined();
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`);
}

const commands = (p: Pipeline): string[] => p.steps.filter((s): s is RunStep => s.kind === 'run').map((s) => s.command);

/** Two axes, a per-(taxon, scenario) step, a per-scenario fan-in across taxa, and a publish. */
const SWEEP = `---
TAXA: [AMPHIBIA, AVES]
SCENARIO: [restore, arable]
CURVE: "0.25"
---

# Delta P

${fence}shark-run
echo %{TAXA} %{CURVE} > /data/deltap/%{SCENARIO}/%{TAXA}.txt
${fence}

# Sum

${fence}shark-run
cat /data/deltap/%{SCENARIO}/ > /data/sum-%{SCENARIO}.txt
${fence}

# Publish

${fence}shark-publish
/data/sum-restore.txt /data/sum-arable.txt
${fence}
`;

describe('findReferences', () => {
  it('finds %{NAME} and leaves every other % alone', () => {
    expect(findReferences('printf "%.2f" %{A} $(date +%Y) %%{B}x%')).toEqual({
      ok: true,
      refs: [{ name: 'A', start: 14, end: 18 }, { name: 'B', start: 32, end: 36 }],
    });
    expect(findReferences('echo %{A')).toEqual({ ok: false, offset: 5, message: 'unclosed `%{`: write `%{NAME}` with a closing `}`' });
    expect(findReferences('echo %{a b}')).toMatchObject({ ok: false, offset: 5 });
  });
});

describe('combinations', () => {
  it('varies the last axis fastest, in frontmatter order', () => {
    expect(combinations([['A', ['1', '2']], ['B', ['x', 'y']]])).toEqual([
      [['A', '1'], ['B', 'x']], [['A', '1'], ['B', 'y']], [['A', '2'], ['B', 'x']], [['A', '2'], ['B', 'y']],
    ]);
    expect(combinations([])).toEqual([[]]);
  });
});

describe('instantiation', () => {
  it('makes one block per combination of the axes a block mentions, and only those', () => {
    const p = load(SWEEP);
    expect(p.blocks.map((b) => b.id)).toEqual([
      'delta-p[TAXA=AMPHIBIA,SCENARIO=restore]',
      'delta-p[TAXA=AMPHIBIA,SCENARIO=arable]',
      'delta-p[TAXA=AVES,SCENARIO=restore]',
      'delta-p[TAXA=AVES,SCENARIO=arable]',
      'sum[SCENARIO=restore]',
      'sum[SCENARIO=arable]',
      'publish',
    ]);
    expect(p.blocks.map((b) => b.block.instance?.axes ?? [])).toEqual([
      [['TAXA', 'AMPHIBIA'], ['SCENARIO', 'restore']],
      [['TAXA', 'AMPHIBIA'], ['SCENARIO', 'arable']],
      [['TAXA', 'AVES'], ['SCENARIO', 'restore']],
      [['TAXA', 'AVES'], ['SCENARIO', 'arable']],
      [['SCENARIO', 'restore']],
      [['SCENARIO', 'arable']],
      [],
    ]);
  });

  it('substitutes values, and scalar keys by their value, before paths are inferred', () => {
    const p = load(SWEEP);
    expect(commands(p)[2]).toBe('echo AVES 0.25 > /data/deltap/restore/AVES.txt');
    expect(p.blocks[2]!.outputs).toEqual(['/data/deltap/restore/AVES.txt']);
  });

  it('fans in: a reader of a directory depends on every instance that writes a file into it', () => {
    const p = load(SWEEP);
    const sum = p.blocks.find((b) => b.id === 'sum[SCENARIO=restore]')!;
    expect(sum.after.sort()).toEqual(['delta-p[TAXA=AMPHIBIA,SCENARIO=restore]', 'delta-p[TAXA=AVES,SCENARIO=restore]']);
    expect(sum.inputs).toEqual(['/data/deltap/restore/']);
    const publish = p.blocks.find((b) => b.id === 'publish')!;
    expect(publish.after).toEqual(['sum[SCENARIO=restore]', 'sum[SCENARIO=arable]']);
  });

  it('makes no instances of a block for an axis only a shell comment names (a fan-in saying what it sums)', () => {
    // In a here-document, a line starting with `#` is text the command writes: it makes instances.
    expect(problems(`---\nTAXA: [AVES, MAMMALIA]\n---\n\n${fence}shark-run\ncat > /data/notes.txt <<EOF\n# %{TAXA}\nEOF\n${fence}\n`)).toEqual([
      '6:7: `/data/notes.txt` is written by two steps: `run[TAXA=AVES]` and `run[TAXA=MAMMALIA]` (each path has one writer)',
    ]);
    const q = load(`---\nTAXA: [AVES, MAMMALIA]\n---\n\n${fence}shark-run\necho %{TAXA} > /data/t/%{TAXA}.txt\n${fence}\n\n## Total\n\n`
      + `${fence}shark-run\n# sums every %{TAXA} file\ncd /data/t/\ncat *.txt > /data/total.txt\n${fence}\n`);
    expect(q.blocks.map((b) => b.id)).toEqual(['run[TAXA=AVES]', 'run[TAXA=MAMMALIA]', 'total']);
    expect(commands(q).at(-1)).toBe('cat *.txt > /data/total.txt');
  });

  it('leaves a comment\'s `%{NAME}` that names nothing as written, no error (it runs nothing, as the format says)', () => {
    expect(commands(load(`---\nA: 1\n---\n\n${fence}shark-run\n# uses %{TAXA} later\necho 1 > /data/c.txt # and %{NOPE}\n${fence}\n`))).toEqual(['echo 1 > /data/c.txt']);
    // Outside a comment it is the error it was.
    expect(problems(`---\nA: 1\n---\n\n${fence}shark-run\necho %{TAXA} > /data/c.txt\n${fence}\n`)).toEqual(['6:6: unknown `%{TAXA}`: the frontmatter defines A']);
  });

  it('makes no instances for an axis a comment after a command names, as for a comment line (each instance wrote the same file)', () => {
    const p = load(`---\nT: [A, B]\n---\n\n${fence}shark-run\necho 1 > /data/one.txt # one for every %{T}\n${fence}\n`);
    expect(p.blocks.map((b) => b.id)).toEqual(['run']);
    expect(commands(p)).toEqual(['echo 1 > /data/one.txt']);
    // A `#` inside a word or quotes starts no comment: those name the axis.
    const q = load(`---\nT: [A, B]\n---\n\n${fence}shark-run\necho "#%{T}" > /data/x/%{T}#.txt\n${fence}\n`);
    expect(commands(q)).toEqual(['echo "#A" > /data/x/A#.txt', 'echo "#B" > /data/x/B#.txt']);
  });

  it('keeps positions pointing at the original text', () => {
    const p = load(SWEEP);
    const step = p.steps[3] as RunStep;
    // `/data/deltap/arable/AVES.txt` is mentioned at line 10, after `> ` on the original line.
    const out = step.mentions.find((m) => m.path.text === '/data/deltap/arable/AVES.txt')!;
    expect(out.at).toEqual({ line: 10, col: 'echo %{TAXA} %{CURVE} > '.length + 1 });
    expect(step.at).toEqual({ line: 10, col: 1 });
  });

  it('leaves blocks without references as they are, and %{NAME} in shark-build bodies as written', () => {
    const p = load(`---\nN: [1, 2]\n---\n${fence}shark-build:e\nFROM x\nRUN echo '%{N}'\n${fence}\n${fence}shark-run:e\necho %{N} > /data/n%{N}\n${fence}\n`);
    expect(p.blocks.map((b) => b.id)).toEqual(['build', 'run[N=1]', 'run[N=2]']);
    expect(p.environments.get('e')!.block.body[1]!.text).toBe("RUN echo '%{N}'");
  });

  it('substitutes import and publish lines', () => {
    const p = load(`---\nT: [a, b]\n---\n${fence}shark-import\nhttps://x.org/%{T}.csv /data/in/%{T}.csv\n${fence}\n${fence}shark-publish\n/data/in/%{T}.csv\n${fence}\n`);
    expect(p.steps.map((s) => (s.kind === 'import' ? `${s.clause.raw} ${s.clause.dest}` : s.inputs.map((i) => i.path).join(' ')))).toEqual([
      'https://x.org/a.csv /data/in/a.csv', 'https://x.org/b.csv /data/in/b.csv', '/data/in/a.csv', '/data/in/b.csv',
    ]);
    expect(p.blocks.map((b) => b.id)).toEqual(['import[T=a]', 'import[T=b]', 'publish[T=a]', 'publish[T=b]']);
  });

  it('uses {id=…} as the base of instance ids', () => {
    const p = load(`---\nN: [1, 2]\n---\n${fence}shark-run {id=make}\necho > /data/n%{N}\n${fence}\n`);
    expect(p.blocks.map((b) => b.id)).toEqual(['make[N=1]', 'make[N=2]']);
    expect(p.steps.map((s) => s.id)).toEqual(['make[N=1]', 'make[N=2]']);
  });

  it('numbers the steps of an instance after its id', () => {
    const p = load(`---\nN: [1]\n---\n# Two\n${fence}shark-run\necho > /data/a%{N}\ncat /data/a%{N} > /data/b%{N}\n${fence}\n`);
    expect(p.steps.map((s) => s.id)).toEqual(['two[N=1].1', 'two[N=1].2']);
  });

  it('still has one writer per path: two instances writing one file is an error naming both', () => {
    expect(problems(`---\nN: [1, 2]\n---\n${fence}shark-run\necho %{N} > /data/same\n${fence}\n`)).toEqual([
      '5:13: `/data/same` is written by two steps: `run[N=1]` and `run[N=2]` (each path has one writer)',
    ]);
  });
});

describe('-e restrictions and overrides', () => {
  it('restricts an axis to the values given, keeping the others whole', () => {
    const p = load(SWEEP, { TAXA: 'AVES' });
    expect(p.blocks.map((b) => b.id).slice(0, 2)).toEqual(['delta-p[TAXA=AVES,SCENARIO=restore]', 'delta-p[TAXA=AVES,SCENARIO=arable]']);
    const two = load(SWEEP, { SCENARIO: 'arable,restore' });
    // The document's order, not the order on the command line.
    expect(two.blocks.map((b) => b.id)[0]).toBe('delta-p[TAXA=AMPHIBIA,SCENARIO=restore]');
  });

  it('reports a value the axis does not have, at the axis, with its values', () => {
    expect(problems(SWEEP, { TAXA: 'AVES,REPTILIA' })).toEqual([
      '2:1: -e TAXA=AVES,REPTILIA: `REPTILIA` is not a value of the axis `TAXA` (its values: AMPHIBIA, AVES)',
    ]);
  });

  it('says an empty -e value is empty, once, not that `` is no value of the axis', () => {
    expect(problems(SWEEP, { TAXA: '' })).toEqual(['2:1: -e TAXA=: the value is empty: name values of the axis `TAXA` (its values: AMPHIBIA, AVES)']);
    expect(problems(SWEEP, { TAXA: 'AVES,,AMPHIBIA,' })).toEqual([
      '2:1: -e TAXA=AVES,,AMPHIBIA,: a value is empty (two commas, or one at an end): name values of the axis `TAXA` (its values: AMPHIBIA, AVES)',
    ]);
  });

  it('overrides a scalar key in %{NAME}, as it does for the environment', () => {
    const p = load(SWEEP, { CURVE: '0.5' });
    expect(commands(p)[0]).toContain('echo AMPHIBIA 0.5 >');
  });
});

describe('errors, each located', () => {
  it('an unknown name, with the known ones', () => {
    expect(problems(`---\nA: [1]\nB: x\n---\n${fence}shark-run\necho %{C} > /data/x\n${fence}\n`)).toEqual([
      '6:6: unknown `%{C}`: the frontmatter defines A, B',
    ]);
    expect(problems(`${fence}shark-run\necho %{C} > /data/x\n${fence}\n`)).toEqual([
      '2:6: unknown `%{C}`: the frontmatter defines no keys',
    ]);
  });

  it('a frontmatter setting, which the original Shark also put in as a variable, says it is one', () => {
    expect(problems(`---\npath: /work\nyear: 2024\n---\n${fence}shark-run\necho %{path} %{year} > /data/x\n${fence}\n`)).toEqual([
      '6:6: `%{path}`: `path` is a frontmatter setting (`path:`), not a variable: `%{NAME}` puts in a variable or an axis (the frontmatter defines year); write the value itself',
    ]);
    expect(problems(`---\ninputs:\n  a: /data/a.txt\n---\n${fence}shark-run\ncat %{inputs} > /data/x\n${fence}\n`)).toEqual([
      '6:5: `%{inputs}`: `inputs` is a frontmatter setting (`inputs:`), not a variable: `%{NAME}` puts in a variable or an axis (the frontmatter defines no keys); write the value itself',
    ]);
  });

  it('a key named in a shark-build block, which is not replaced there (the original Shark\'s template replaced it)', () => {
    const said = (name: string) => `\`%{${name}}\` is not replaced in a shark-build block: an environment is the same for every value of the frontmatter; write the value itself`;
    expect(problems(`---\nV: latest\nA: [x, y]\n---\n${fence}shark-build:e\nFROM busybox:%{V}\nRUN echo %{A} %{other} '%{V}'\n# %{V} in a comment\n${fence}\n${fence}shark-run:e\necho %{A} > /data/%{A}\n${fence}\n`)).toEqual([
      `6:14: ${said('V')}`,
      `7:10: ${said('A')}`,
    ]);
    expect(problems(`---\nV: "3.6"\n---\n${fence}shark-build:e\n((from gdal:%{V}))\n${fence}\n${fence}shark-run:e\necho > /data/x\n${fence}\n`)).toEqual([`5:13: ${said('V')}`]);
  });

  it('a variable whose value holds a line break, where it would be put into a command (the rest of its value ran as a command)', () => {
    const message = (at: string, name: string) => `${at}: \`%{${name}}\`: the value of ${name} holds a line break: put into the command, it would end the command there and run the rest as another; read it from the environment as "$${name}"`;
    expect(problems(`---\nA: "two\\nlines"\n---\n${fence}shark-run\necho %{A} > /data/x\n${fence}\n`)).toEqual([message('5:6', 'A')]);
    expect(problems(`---\nA: one\n---\n${fence}shark-run\necho %{A} > /data/x\n${fence}\n`, { A: 'x\ny' })).toEqual([message('5:6', 'A')]);
    // In the environment, or in a comment, the value runs nothing.
    expect(commands(load(`---\nA: "two\\nlines"\n---\n${fence}shark-run\necho "$A" > /data/x\n${fence}\n`))).toEqual(['echo "$A" > /data/x']);
  });

  it('an axis value or a variable with a space, in an import line (split at spaces: `b.csv` was called a destination that is not absolute)', () => {
    const message = (at: string, value: string) => `${at}: \`%{T}\`: the value \`${value}\` of T holds a space, which an import line cannot take: its words are split at spaces and never unquoted (choose values without one, or percent-encode it in a URL, %20)`;
    expect(problems(`---\nT: [a b, c]\n---\n${fence}shark-import\nhttps://x.org/%{T}.csv /data/o/%{T}.csv\n${fence}\n`)).toEqual([message('5:15', 'a b'), message('5:32', 'a b')]);
    expect(problems(`---\nT: "x y"\n---\n${fence}shark-import\nhttps://x.org/a.csv /data/%{T}.csv\n${fence}\n`)).toEqual([message('5:27', 'x y')]);
    // In a command it is the command's to quote.
    expect(commands(load(`---\nT: [a b, c]\n---\n${fence}shark-run\necho "%{T}" > "/data/%{T}.txt"\n${fence}\n`))).toHaveLength(2);
  });

  it('a `%{` without its `}`', () => {
    expect(problems(`---\nA: [1]\n---\n${fence}shark-import\nhttps://x.org/%{A /data/x\n${fence}\n`)).toEqual([
      '5:15: unclosed `%{`: write `%{NAME}` with a closing `}`',
    ]);
  });

  it('a bad `%{…}`, with every other problem of the document, and none that follows from it', () => {
    const doc = (ref: string): string => `${fence}shark-run\necho ${ref} > /data/a.txt\ncat /data/%{X}/in.txt > /data/c.txt\n${fence}\n\n${fence}shark-run\necho > /data/../etc/x\ncat /data/nothing.txt > /data/a.txt\n${fence}\n`;
    const rest = [
      '7:8: path `/data/../etc/x` escapes /data',
      '8:5: nothing writes /data/nothing.txt: `cat` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
      '8:25: `/data/a.txt` is written by two steps: `run.1` and `run-2.2` (each path has one writer)',
    ];
    expect(problems(doc('%{NAME}'))).toEqual(['2:6: unknown `%{NAME}`: the frontmatter defines no keys', '3:11: unknown `%{X}`: the frontmatter defines no keys', ...rest]);
    expect(problems(doc('%{NAME'))).toEqual(['2:6: unclosed `%{`: write `%{NAME}` with a closing `}`', '3:11: unknown `%{X}`: the frontmatter defines no keys', ...rest]);
  });

  it('an empty list, a value that is not a plain scalar, a value that would leave its directory', () => {
    const run = `${fence}shark-run\necho > /data/x\n${fence}\n`;
    expect(problems(`---\nA: []\n---\n${run}`)).toEqual(['2:4: the axis `A` has no values: list at least one']);
    expect(problems(`---\nA: [x, [1]]\nB: [{k: v}]\nC: [~]\n---\n${run}`)).toEqual([
      '2:8: a value of the axis `A` must be a plain string, number or boolean',
      '3:5: a value of the axis `B` must be a plain string, number or boolean',
      '4:5: a value of the axis `C` must be a plain string, number or boolean',
    ]);
    expect(problems(`---\nA: [ok, ../x, a/b, "..", ""]\n---\n${run}`)).toEqual([
      '2:9: the value `../x` of the axis `A` would make a path leave its directory: a value is one path segment (no `/`, not `.` or `..`, not empty)',
      '2:15: the value `a/b` of the axis `A` would make a path leave its directory: a value is one path segment (no `/`, not `.` or `..`, not empty)',
      '2:20: the value `..` of the axis `A` would make a path leave its directory: a value is one path segment (no `/`, not `.` or `..`, not empty)',
      '2:26: the value `` of the axis `A` would make a path leave its directory: a value is one path segment (no `/`, not `.` or `..`, not empty)',
    ]);
    expect(problems(`---\nA: [x, x]\n---\n${run}`)).toEqual(['2:8: the axis `A` lists `x` twice']);
  });

  it('in import and publish lines, at the original column', () => {
    expect(problems(`---\nT: [a, b]\n---\n${fence}shark-import\nhttps://x.org/%{T}.csv /data/same.csv\n${fence}\n`)).toEqual([
      '5:24: `/data/same.csv` is written by two steps: `import[T=a]` and `import[T=b]` (each path has one writer)',
    ]);
    expect(problems(`---\nT: [a]\n---\n${fence}shark-import\nhttps://x.org/%{T}.csv /data/%{T}.csv\n${fence}\n${fence}shark-publish\n/data/%{T}.csv /data/nope\n${fence}\n`)).toEqual([
      '8:16: publishes `/data/nope`, which no step writes or imports',
    ]);
  });

  it('a scalar that makes a path leave /data, at the path', () => {
    expect(problems(`---\nUP: ../..\n---\n${fence}shark-run\necho > /data/%{UP}/x\n${fence}\n`)).toEqual([
      '5:8: path `/data/../../x` escapes /data',
    ]);
  });
});

describe('numbers and booleans', () => {
  it('keep the text as written', () => {
    const p = load(`---\nC: [0.25, 1.0, true]\n---\n${fence}shark-run\necho > /data/c-%{C}\n${fence}\n`);
    expect(p.blocks.map((b) => b.id)).toEqual(['run[C=0.25]', 'run[C=1.0]', 'run[C=true]']);
  });
});
