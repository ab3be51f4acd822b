import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { colOf } from '../../src/markdown/document.js';
import { parseMarkdown } from '../../src/markdown/parse.js';

const fence = '```';

function parse(source: string) {
  const { document, diagnostics } = parseMarkdown('p.md', source);
  return { document, blocks: document.blocks, diagnostics: diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`) };
}

describe('parseMarkdown', () => {
  it('warns of a Shark fence inside an HTML block, which markdown reads as HTML (the step never ran, in silence)', () => {
    const { blocks, diagnostics } = parse(`<details>\n<summary>Setup</summary>\n${fence}shark-run\necho hi > /data/x\n${fence}\n</details>\n`);
    expect(blocks).toEqual([]);
    expect(diagnostics).toEqual([
      '3:1: this Shark fence is inside the HTML block opened on line 1 (`<details>`): markdown reads it all as HTML, so it is no block and never runs; leave a blank line before the fence',
    ]);
    // With the blank line, the block is one; a fence in an HTML comment is switched off on purpose.
    expect(parse(`<details>\n<summary>Setup</summary>\n\n${fence}shark-run\necho hi > /data/x\n${fence}\n</details>\n`).blocks).toHaveLength(1);
    expect(parse(`<!--\n${fence}shark-run\necho hi > /data/x\n${fence}\n-->\n`).diagnostics).toEqual([]);
  });

  it('refuses an HTML comment never closed that hides Shark blocks: markdown reads the rest as the comment', () => {
    const source = `# T\n\n${fence}shark-run\necho a > /data/a.txt\n${fence}\n\n<!-- TODO: check this\n\n${fence}shark-run\ncat /data/a.txt > /data/b.txt\n${fence}\n`;
    const { blocks, diagnostics } = parse(source);
    expect(blocks).toHaveLength(1);
    expect(diagnostics).toEqual([
      '7:1: this HTML comment is never closed: markdown reads the rest of the document as the comment, so the Shark block on line 9 never runs; end the comment with `-->` above that block',
    ]);
    // Closed, it switches the block off on purpose; never closed but hiding no Shark block, it hides only prose.
    expect(parse(source.replace('check this', 'check this -->')).diagnostics).toEqual([]);
    expect(parse(`${fence}shark-run\necho a > /data/a.txt\n${fence}\n\n<!-- notes\n${fence}python\nprint(1)\n${fence}\n`).diagnostics).toEqual([]);
  });

  it('finds Shark blocks with their fence, tag, body and section', () => {
    const { blocks, diagnostics } = parse(`# Setup

${fence}shark-build:gdal
FROM ubuntu
${fence}

## Run it

${fence}shark-run:gdal {network}
echo hi > /data/x
echo bye > /data/y
${fence}
`);
    expect(diagnostics).toEqual([]);
    expect(blocks).toEqual([
      {
        index: 0, kind: 'build', arg: 'gdal', options: {}, info: 'shark-build:gdal',
        at: { line: 3, col: 1 }, infoAt: { line: 3, col: 4 },
        body: [{ text: 'FROM ubuntu', line: 4, col: 1 }], closeLine: 5, section: 'Setup',
      },
      {
        index: 1, kind: 'run', arg: 'gdal', options: { network: true }, info: 'shark-run:gdal {network}',
        at: { line: 9, col: 1 }, infoAt: { line: 9, col: 4 },
        body: [
          { text: 'echo hi > /data/x', line: 10, col: 1 },
          { text: 'echo bye > /data/y', line: 11, col: 1 },
        ],
        closeLine: 12,
        section: 'Run it',
      },
    ]);
  });

  it('treats other code blocks, indented code and inline code as prose', () => {
    const { blocks, diagnostics } = parse(`Some \`shark-run\` inline code.

${fence}python
print("/data/x")
${fence}

${fence}
untagged
${fence}

    ${fence}shark-run
    echo indented
    ${fence}

${fence}shark-run
echo real > /data/real
${fence}
`);
    expect(diagnostics).toEqual([]);
    expect(blocks.map((b) => b.body.map((l) => l.text))).toEqual([['echo real > /data/real']]);
  });

  it('reads tilde fences and longer fences', () => {
    const { blocks, diagnostics } = parse(`~~~shark-run
echo tilde
~~~

~~~~ shark-run:env {id=x}
echo long
~~~~

${fence}\`shark-run
has ${fence} inside
${fence}\`
`);
    expect(diagnostics).toEqual([]);
    expect(blocks.map((b) => [b.info, b.at, b.infoAt, b.body.map((l) => l.text)])).toEqual([
      ['shark-run', { line: 1, col: 1 }, { line: 1, col: 4 }, ['echo tilde']],
      ['shark-run:env {id=x}', { line: 5, col: 1 }, { line: 5, col: 6 }, ['echo long']],
      ['shark-run', { line: 9, col: 1 }, { line: 9, col: 5 }, [`has ${fence} inside`]],
    ]);
  });

  it('accepts a trailing :HASH after the tag', () => {
    const { blocks, diagnostics } = parse(`${fence}shark-run:gdal-env:8a1a508be0c5214b75f7e5a179206e5126cb9a2f772ec7ca050f58563085f364
$ gdalinfo --version > /data/gdal.version
${fence}
`);
    expect(diagnostics).toEqual([]);
    expect(blocks[0]).toMatchObject({ kind: 'run', arg: 'gdal-env' });
  });

  it('finds blocks nested in lists and quotes, with the columns of their bodies', () => {
    const { blocks, diagnostics } = parse(`1. First:

   ${fence}shark-run
   echo one
   ${fence}

- ${fence}shark-run {network}
  echo two
  ${fence}

> ${fence}shark-run
> echo three
> ${fence}

- outer
  - inner

    ~~~shark-run
    echo four
    ~~~
`);
    expect(diagnostics).toEqual([]);
    expect(blocks.map((b) => [b.at, b.infoAt, b.body])).toEqual([
      [{ line: 3, col: 4 }, { line: 3, col: 7 }, [{ text: 'echo one', line: 4, col: 4 }]],
      [{ line: 7, col: 3 }, { line: 7, col: 6 }, [{ text: 'echo two', line: 8, col: 3 }]],
      [{ line: 11, col: 3 }, { line: 11, col: 6 }, [{ text: 'echo three', line: 12, col: 3 }]],
      [{ line: 18, col: 5 }, { line: 18, col: 8 }, [{ text: 'echo four', line: 19, col: 5 }]],
    ]);
    expect(blocks[1]!.options).toEqual({ network: true });
  });

  it('gives the columns of a body line whose tab markdown expanded to spaces, in a list item', () => {
    // `- ` indents by 2: markdown keeps the tab's 2 columns past it as spaces, so the text is no longer the line's.
    const { blocks, diagnostics } = parse(`- ${fence}shark-run\n\techo hi > /data/a.txt\n  ${fence}\n`);
    expect(diagnostics).toEqual([]);
    const line = blocks[0]!.body[0]!;
    expect(line.text).toBe('  echo hi > /data/a.txt');
    expect(colOf(line, line.text.indexOf('echo'))).toBe(2);
    expect(colOf(line, line.text.indexOf('/data'))).toBe(12);
  });

  it('takes options written without a space after the tag', () => {
    const { blocks, diagnostics } = parse(`${fence}shark-run{network}\necho\n${fence}\n`);
    expect(diagnostics).toEqual([]);
    expect(blocks[0]).toMatchObject({ info: 'shark-run{network}', options: { network: true } });
  });

  it('names the section after the nearest heading above, as plain text', () => {
    const { blocks } = parse(`${fence}shark-run\na\n${fence}\n\n# The *first* \`part\`\n\n${fence}shark-run\nb\n${fence}\n\nSetext heading\n--------------\n\n${fence}shark-run\nc\n${fence}\n`);
    expect(blocks.map((b) => b.section)).toEqual(['', 'The first part', 'Setext heading']);
  });

  it('keeps empty and blank bodies', () => {
    const { blocks } = parse(`${fence}shark-run\n${fence}\n\n${fence}shark-run\n\n  \n${fence}\n`);
    expect(blocks.map((b) => b.body)).toEqual([[], [{ text: '', line: 5, col: 1 }, { text: '  ', line: 6, col: 1 }]]);
  });

  it('reads CRLF documents like LF ones', () => {
    const { blocks, diagnostics } = parse(`# T\r\n\r\n${fence}shark-run\r\necho a > /data/a\r\n\r\necho b\r\n${fence}\r\n`);
    expect(diagnostics).toEqual([]);
    expect(blocks[0]!.body).toEqual([
      { text: 'echo a > /data/a', line: 4, col: 1 },
      { text: '', line: 5, col: 1 },
      { text: 'echo b', line: 6, col: 1 },
    ]);
  });

  it('reads a document that starts with a byte order mark, whatever its first line, counting columns after it', () => {
    const bom = '\uFEFF';
    const { blocks, diagnostics } = parse(`${bom}${fence}shark-run\necho a > /data/a\n${fence}\n\n${fence}shark-run\ncat /data/a\n${fence}\n`);
    expect(diagnostics).toEqual([]);
    expect(blocks.map((b) => [b.at, b.infoAt, b.body])).toEqual([
      [{ line: 1, col: 1 }, { line: 1, col: 4 }, [{ text: 'echo a > /data/a', line: 2, col: 1 }]],
      [{ line: 5, col: 1 }, { line: 5, col: 4 }, [{ text: 'cat /data/a', line: 6, col: 1 }]],
    ]);
    const bogus = `${bom}${fence}shark-run {bogus}\necho\n${fence}\n`;
    expect(parse(bogus).diagnostics).toEqual([
      '1:15: unknown option `bogus` for shark-run (allowed: id, network, timeout, threads, memory, pool, skip, manual, precious, deps, slurm)',
    ]);
    // The quoted line leaves the mark out, so the marker sits under the option.
    expect(formatDiagnostic(parseMarkdown('p.md', bogus).diagnostics[0]!, bogus).split('\n').slice(1)).toEqual([
      '    1 | ```shark-run {bogus}',
      '      |               ^',
    ]);
    // Every wrong option of a block, each at its column, not the first alone.
    expect(parse(`${fence}shark-run {threads=abc, memry=8G, network, network}\necho\n${fence}\n`).diagnostics).toEqual([
      '1:15: `threads` is a number of slots or all: {threads=4}, {threads=all}, not `abc`',
      '1:28: unknown option `memry` for shark-run (did you mean `memory`? allowed: id, network, timeout, threads, memory, pool, skip, manual, precious, deps, slurm)',
      '1:47: option `network` is given twice',
    ]);
    expect(parse(`${bom}~~~shark-run\necho\n`).diagnostics).toEqual(['1:1: unterminated code fence: nothing closes the ~~~ opened here']);
    expect(parse(`${bom}---\nA: 1\n\n# T\n`).diagnostics).toEqual(['1:1: the frontmatter opened here is never closed: end it with a line `---`']);
    expect(parse(`${bom}---\nA: 1\n---\n${fence}shark-run\necho\n${fence}\n`).blocks.map((b) => b.at)).toEqual([{ line: 4, col: 1 }]);
  });

  it('shows the offending line under CR-only, CRLF and LF line endings alike', () => {
    for (const eol of ['\r', '\r\n', '\n']) {
      const source = ['# A', '', `${fence}shark-run {bogus}`, 'echo hi > /data/x.txt', fence, ''].join(eol);
      const d = parseMarkdown('p.md', source).diagnostics[0]!;
      expect(d.at).toEqual({ line: 3, col: 15 });
      expect(formatDiagnostic(d, source).split('\n').slice(1)).toEqual([
        '    3 | ```shark-run {bogus}',
        '      |               ^',
      ]);
    }
  });

  it('reads the frontmatter', () => {
    const { document, diagnostics } = parse('---\ninputs:\n  a: /data/a\npath: /work\n---\n\n# T\n');
    expect(diagnostics).toEqual([]);
    expect(document.frontmatter).toMatchObject({ at: { line: 1, col: 1 }, firstLine: 2, path: '/work' });
    expect(document.frontmatter!.inputs.get('a')).toEqual({ path: '/data/a', at: { line: 3, col: 6 } });
  });

  it('reports an unterminated Shark fence at its opening', () => {
    expect(parse(`# T\n\n${fence}shark-run\necho a\n`).diagnostics).toEqual([
      '3:1: unterminated code fence: nothing closes the ``` opened here',
    ]);
    expect(parse(`~~~~shark-run\necho a\n~~~\n`).diagnostics).toEqual([
      '1:1: unterminated code fence: nothing closes the ~~~~ opened here: line 3 does not close it: its ~~~ is shorter than the ~~~~ that opened the block, and a closing fence is as long or longer',
    ]);
    expect(parse(`- ${fence}shark-run\n  echo a\n- next item\n`).diagnostics).toEqual([
      '1:3: unterminated code fence: nothing closes the ``` opened here',
    ]);
  });

  it('names the line that would close an unterminated fence but for an invisible character (it said line 1 only)', () => {
    for (const [line, name] of [[`\u00a0${fence}`, 'a non-breaking space (U+00A0)'], [`${fence}\u200b`, 'a zero-width space (U+200B)'], [`\ufeff${fence}`, 'a zero-width no-break space (U+FEFF)']]) {
      expect(parse(`# T\n\n${fence}shark-run\necho a > /data/a.txt\n${line}\n`).diagnostics).toEqual([
        `3:1: unterminated code fence: nothing closes the \`\`\` opened here: line 5 would close it, but holds ${name}, which markdown does not read as a space; retype that line as \`\`\``,
      ]);
    }
  });

  it('names the line meant to close an unterminated fence, and why it does not: text after it, an indentation of 4, a shorter fence', () => {
    expect(parse(`# T\n\n${fence}shark-run\necho a > /data/a.txt\n${fence} done\n`).diagnostics).toEqual([
      '3:1: unterminated code fence: nothing closes the ``` opened here: line 5 does not close it: a closing fence has nothing after it (here `done`); remove that',
    ]);
    expect(parse(`# T\n\n${fence}shark-run\necho a > /data/a.txt\n    ${fence}\n`).diagnostics).toEqual([
      '3:1: unterminated code fence: nothing closes the ``` opened here: line 5 does not close it: it is indented 4 spaces, and a closing fence 3 at most',
    ]);
  });

  it('names the line indented less than a fence in a list item, which ends the item and the block with it', () => {
    expect(parse(`# L\n\n1. Step:\n   ${fence}shark-run\n   echo a > /data/a.txt\n  echo b > /data/b.txt\n   ${fence}\n`).diagnostics).toEqual([
      '4:4: unterminated code fence: nothing closes the ``` opened here: line 6 is indented 2 spaces, less than the fence\'s 3, '
        + 'so it ends the list item, and the block with it; indent every line of the block as its fence is',
    ]);
  });

  it('names a line of a list item\'s block not indented at all, and a quote\'s line without its `>` (it said only that nothing closes it)', () => {
    expect(parse(`- item\n\n  ${fence}shark-run\n  echo a > /data/a.txt\necho b > /data/b.txt\n  ${fence}\n`).diagnostics).toEqual([
      '3:3: unterminated code fence: nothing closes the ``` opened here: line 5 is not indented, less than the fence\'s 2, '
        + 'so it ends the list item, and the block with it; indent every line of the block as its fence is',
    ]);
    expect(parse(`> ${fence}shark-run\n> echo a > /data/a.txt\necho b > /data/b.txt\n> ${fence}\n`).diagnostics).toEqual([
      '1:3: unterminated code fence: nothing closes the ``` opened here: line 3 does not start with the quote\'s `>`, so it ends the quote, '
        + 'and the block with it; start every line of the block with `>`',
    ]);
  });

  it('reports a Shark fence line inside a Shark block: the block above is missing its closing fence', () => {
    const { blocks, diagnostics } = parse(`${fence}shark-run\necho a > /data/a.txt\n\n${fence}shark-run\ncat /data/a.txt > /data/b.txt\n${fence}\n`);
    expect(diagnostics).toEqual(['4:1: a fence line inside a block: is the block above missing its closing ```?']);
    expect(blocks).toEqual([]);
    expect(parse(`~~~shark-build:e\nFROM x\n  ~~~~shark-run {id=b}\n~~~\n`).diagnostics).toEqual([
      '3:3: a fence line inside a block: is the block above missing its closing ~~~?',
    ]);
    // A fence that could not have closed the block (another character, or shorter) is its text.
    expect(parse(`~~~shark-run\necho a\n${fence}shark-run\n~~~\n`).diagnostics).toEqual([]);
    expect(parse(`${fence}\`shark-run\necho a\n${fence}shark-run\n${fence}\`\n`).diagnostics).toEqual([]);
  });

  it('warns of a prose block whose tag is a Shark tag but for case, `_` or `-`, and reads it as prose', () => {
    const source = [`${fence}Shark-run`, 'echo a', fence, `${fence}shark_run {id=b}`, 'echo b', fence, `  ${fence}SHARK-PUBLISH`, '/data/a.txt', fence,
      `${fence}sharkrun:env`, 'echo c', fence, `${fence}shark run`, 'echo d', fence, `${fence}Shark-run {skip}`, 'echo e', fence,
      `${fence}sharkey`, 'x', fence, `${fence}shark-run`, 'echo f > /data/f.txt', fence, ''].join('\n');
    const { blocks, diagnostics } = parse(source);
    const hint = (tag: string, near: string): string =>
      `unknown Shark block \`${tag}\`: ignored (did you mean \`${near}\`? Shark reads shark-build, shark-run, shark-import and shark-publish; write {skip} after a tag to switch a block off)`;
    expect(diagnostics).toEqual([
      `1:4: ${hint('Shark-run', 'shark-run')}`,
      `4:4: ${hint('shark_run', 'shark-run')}`,
      `7:6: ${hint('SHARK-PUBLISH', 'shark-publish')}`,
      `10:4: ${hint('sharkrun', 'shark-run')}`,
      `13:4: ${hint('shark run', 'shark-run')}`,
    ]);
    expect(blocks.map((b) => b.at.line)).toEqual([22]);
  });

  it('reports an unterminated prose fence only when it swallows a Shark block', () => {
    expect(parse(`${fence}python\nprint(1)\n`).diagnostics).toEqual([]);
    expect(parse(`${fence}python\nprint(1)\n\n${fence}shark-run\necho\n`).diagnostics).toEqual([
      '1:1: unterminated code fence: nothing closes the ``` opened here',
    ]);
    // Here the Shark block's closing fence closes the python block instead.
    expect(parse(`${fence}python\nprint(1)\n\n${fence}shark-run\necho\n${fence}\n`).diagnostics).toEqual([
      '1:1: unterminated code fence: the ``` opened here runs into the Shark block on line 4; close it before that block',
    ]);
  });

  it('lets a longer prose fence show Shark blocks as examples', () => {
    const { blocks, diagnostics } = parse(`${fence}\`markdown\n${fence}shark-run\necho\n${fence}\n${fence}\`\n\n~~~\n${fence}shark-run\n${fence}\n~~~\n`);
    expect(diagnostics).toEqual([]);
    expect(blocks).toEqual([]);
  });

  it('takes {slurm="…"} as sbatch options, and refuses a word that is no option', () => {
    const good = parse(`${fence}shark-run {slurm="--qos=long --gres=gpu:1"}\necho\n${fence}\n`);
    expect(good.diagnostics).toEqual([]);
    expect(good.blocks[0]!.options['slurm']).toBe('"--qos=long --gres=gpu:1"');
    expect(parse(`${fence}shark-run {slurm="gpu"}\necho\n${fence}\n`).diagnostics).toEqual([
      "1:15: `slurm` takes sbatch options, each starting with '-': `gpu` does not",
    ]);
  });

  it('takes {slurm="-p shark"} as a short option and its value, and refuses what Shark sets itself', () => {
    const diagnostics = (slurm: string): string[] => parse(`${fence}shark-run {slurm="${slurm}"}\necho\n${fence}\n`).diagnostics;
    expect(diagnostics('-p shark --qos=long')).toEqual([]);
    expect(diagnostics('--partition shark')).toEqual(['1:15: `slurm`: `--partition shark`: write `--partition=shark`']);
    expect(diagnostics('--hold shark')).toEqual(['1:15: `slurm`: `--hold shark`: write `--hold=shark`']);
    expect(diagnostics('--array=1-3')).toEqual(['1:15: `slurm`: `--array=1-3` sets sbatch\'s --array, which Shark sets itself: a map is one array, one task per item (or per --items-per-task items)']);
    expect(diagnostics('-J mine')).toEqual(['1:15: `slurm`: `-J` sets sbatch\'s --job-name, which Shark sets itself: squeue shows shark:<pipeline>:<block>']);
    expect(diagnostics('-p')).toEqual(['1:15: `slurm`: `-p` needs a value: write `-p VALUE`']);
    expect(diagnostics('--help')).toEqual(['1:15: `slurm`: `--help`: sbatch would print its help and submit nothing']);
    expect(diagnostics('-V')).toEqual(['1:15: `slurm`: `-V`: sbatch would print its version and submit nothing']);
    // Not an abbreviation of --usage: sbatch's own option.
    expect(diagnostics('--use-min-nodes -v')).toEqual([]);
  });

  it('reports a bad tag at the tag and drops the block', () => {
    const { blocks, diagnostics } = parse(`${fence}shark-run:a:b:c\necho\n${fence}\n\n${fence}  shark-run   {network, bogus}\necho\n${fence}\n`);
    expect(blocks).toEqual([]);
    expect(diagnostics).toEqual([
      '1:4: malformed tag `shark-run:a:b:c`: expected shark-run or shark-run:ENV',
      '5:28: unknown option `bogus` for shark-run (allowed: id, network, timeout, threads, memory, pool, skip, manual, precious, deps, slurm)',
    ]);
  });

  it('reports a %{NAME} in a tag at its %, as a tag is read as written', () => {
    const said = (name: string): string => `\`${name}\` in a tag is not replaced: %{NAME} is replaced in block bodies only, and a tag is read as written`;
    expect(parse(`---\nX: out\n---\n${fence}shark-publish:%{X}\n/data/a\n${fence}\n`).diagnostics).toEqual([`4:18: ${said('%{X}')}`]);
    expect(parse(`${fence}shark-run:env-%{E} {timeout=%{T}}\necho\n${fence}\n`).diagnostics).toEqual([`1:18: ${said('%{E}')}`]);
    expect(parse(`${fence}shark-run {timeout=%{T}}\necho\n${fence}\n`).diagnostics).toEqual([`1:23: ${said('%{T}')}`]);
  });

  it('survives absurd nesting without a stack overflow', () => {
    const { diagnostics } = parse('> '.repeat(20000) + 'x\n');
    expect(diagnostics.length).toBeLessThanOrEqual(1);
  });
});
