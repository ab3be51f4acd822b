import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { SourceLine } from '../../src/markdown/document.js';
import { splitCommands, type CommandText } from '../../src/pipeline/shell-lines.js';

/** Body lines as a block starting on line 10 at column 1 would hold them. */
function body(text: string, col = 1): SourceLine[] {
  return text.split('\n').map((t, i) => ({ text: t, line: 10 + i, col }));
}

function commands(text: string): string[] {
  const r = splitCommands(body(text));
  expect(r.problems).toEqual([]);
  return r.commands.map((c) => c.text);
}

function problems(text: string): string[] {
  return splitCommands(body(text)).problems.map((p) => `${p.at.line}:${p.at.col}: ${p.message}`);
}

/** Where each character of the command came from, as `line:col`. */
function where(c: CommandText): string[] {
  return [...c.text].map((_, i) => `${c.lines[i]}:${c.cols[i]}`);
}

/** Each step run in its own sh, as Shark runs them, prints what the whole block prints in sh, and sh finds no error. */
function expectStepsAsSh(bodies: string[]): void {
  const sh = (script: string): string => {
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr === '' ? '' : `[stderr] ${r.stderr}`}`;
  };
  for (const text of bodies) {
    const steps = commands(text).map(sh).join('');
    expect(steps, text).toBe(sh(text));
    expect(steps, text).not.toContain('[stderr]');
  }
}

describe('splitCommands', () => {
  it('reads the delimiter of a here-document as sh does: quoted with spaces, backslash-quoted, partly quoted', () => {
    // The body of `<<'END OF NOTES'` was run as commands of its own (on the host).
    expectStepsAsSh([
      "cat <<'END OF NOTES'\ntouch /nonexistent/x\nEND OF NOTES",
      'cat <<\\EOF\n$HOME\nEOF',
      'cat <<E\\OF\n$HOME\nEOF',
      'cat <<"EO"F\nbody\nEOF',
    ]);
    expect(commands("cat <<'END OF NOTES' > f\ntouch x\nEND OF NOTES")).toHaveLength(1);
  });

  it('splits words at spaces and tabs only, as sh does: a # after a no-break space is no comment', () => {
    expect(commands('echo "item" \u00a0#1 > /data/a.txt')).toEqual(['echo "item" \u00a0#1 > /data/a.txt']);
    expect(commands('echo x > /data/a.txt\u3000# note')).toEqual(['echo x > /data/a.txt\u3000# note']);
    expect(commands('echo x\t# note')).toEqual(['echo x']);
  });

  it('joins a here-document line ending in `\\` to the next when its delimiter is unquoted, as sh does: that line closes nothing', () => {
    // The delimiter after `one \` was taken to close it, and `two` then ran as a command of its own.
    expectStepsAsSh(['cat <<EOF\none \\\nEOF\ntwo\nEOF\necho after', "cat <<'EOF'\nx \\\nEOF\necho after", 'cat <<EOF\ntwo \\\\\nEOF\necho after']);
    expect(commands('cat > f <<EOF\none \\\nEOF\ntwo\nEOF\necho after')).toHaveLength(2);
  });

  it('takes `<<` inside $(( )) for a shift, not a here-document', () => {
    expectStepsAsSh(['echo $((1 << 20))', 'echo $((1<<2))']);
  });

  it('refuses a command sent to the background, at its `&`: its step would end before it wrote anything', () => {
    expect(problems('sh -c "sleep 1; seq 3" > /data/g.txt &\nwait')).toEqual([`10:38: ${'`&` runs this command in the background: its step would end at once, its /data outputs stored before the command wrote them (each command is a step of its own); run it in the foreground, or start commands and wait for them on one line (`a & b & wait`)'}`]);
    expect(commands('a & b & wait\ntrue && echo x\necho 2>&1\necho \\&\n(sleep 2; touch /tmp/x) >/dev/null 2>&1 &')).toHaveLength(5);
  });

  it('gives one command per line and drops blank lines', () => {
    expect(commands('echo a\n\n   \necho b\n')).toEqual(['echo a', 'echo b']);
    expect(commands('')).toEqual([]);
  });

  it('strips a leading `$ ` prompt', () => {
    expect(commands('$ echo a\n  $ echo b\n$\n')).toEqual(['echo a', 'echo b']);
    // Only a prompt followed by a space: `$HOME` starts a command.
    expect(commands('$HOME/bin/run')).toEqual(['$HOME/bin/run']);
  });

  it('treats lines without a prompt as output in a block written with prompts', () => {
    expect(commands('$ gdalinfo --version\nGDAL 3.6.4, released 2023/04/17\n$ ls \\\n  -l\ntotal 0\n')).toEqual(['gdalinfo --version', 'ls -l']);
  });

  it('joins `\\`-newline continuations with one space', () => {
    expect(commands('gdal_translate -of GTiff \\\n    -co COMPRESS=LZW \\\n    in.tif out.tif')).toEqual(['gdal_translate -of GTiff -co COMPRESS=LZW in.tif out.tif']);
    expect(commands('echo a\\\nb')).toEqual(['echo ab']);
    expect(commands('echo "a \\\nb"')).toEqual(['echo "a b"']);
  });

  it('joins continuations as sh does, the block pasted into a shell printing what Shark\'s commands print', () => {
    // Inside double quotes sh keeps the next line's indentation; outside, spaces only separate words.
    expect(commands('echo "a \\\n   b"')).toEqual(['echo "a    b"']);
    const bodies = [
      'echo "a \\\n   b"',
      'echo "x\\\n\t  y" | od -c',
      'echo https://e.org/long/\\\npath/f.tif',
      'echo a\\\n    b \\\n  c',
      "echo 'x \\\n  y'",
      'printf "%s|" "one \\\n two" three\\\nfour',
    ];
    for (const text of bodies) {
      const sh = (script: string): string => spawnSync('sh', ['-c', script], { encoding: 'utf8' }).stdout;
      expect(sh(commands(text).join('\n')), text).toBe(sh(text));
    }
  });

  it('keeps a here-document that closes just before `fi`, `done`, `}` or `)` in its construct, as sh does', () => {
    expectStepsAsSh([
      'if true; then\n  cat <<EOF\nx\nEOF\nfi',
      'for f in a b; do\n  cat <<EOF\n$f\nEOF\ndone | sort',
      '{ cat <<EOF\nx\nEOF\n} | cat\necho after',
      'while read l; do\n  cat <<-EOF\n\t$l\n\tEOF\ndone <<EOF\n1\n2\nEOF',
    ]);
  });

  it('ends a command at the newline after a continued line that is a comment or empty, as sh does', () => {
    expectStepsAsSh([
      '{ echo a \\\n  # c\n  echo b\n}',
      '{ echo a \\\n# not a comment?\n} | cat',
      'if true; then\n  echo a \\\n\n  echo b\nfi',
      'echo a \\\n  # c\necho b',
      'echo a | \\\n  # c\n  tr a b',
    ]);
    expect(commands('{ echo a \\\n  # c\n  echo b\n}')).toEqual(['{ echo a\n  echo b\n}']);
  });

  it('keeps a subshell or command substitution over several lines together, as sh does', () => {
    expectStepsAsSh([
      '(\n  echo a\n  echo b\n) | sort -r',
      '( cat <<EOF\nx\nEOF\n) | cat',
      'echo "$(\n  echo sub\n)" $((1 +\n  2))',
      '( case x in\n  x) echo in;;\n  (y) echo no;;\n  esac\n)',
      'case a in\n  a) ( echo one\n  echo two ) ;;\nesac',
    ]);
  });

  it('removes comments only where the shell would', () => {
    expect(commands('# a comment line\necho a # trailing comment\necho b#not-a-comment')).toEqual(['echo a', 'echo b#not-a-comment']);
    expect(commands(`echo "# in double quotes" '# in single quotes' http://x/#frag a\\#b`)).toEqual([`echo "# in double quotes" '# in single quotes' http://x/#frag a\\#b`]);
    expect(commands('echo a;# after a semicolon\necho $# ${#x}')).toEqual(['echo a;', 'echo $# ${#x}']);
  });

  it('keeps multi-line constructs together', () => {
    expect(commands('for f in a b; do\n  echo $f\ndone\necho after')).toEqual(['for f in a b; do\n  echo $f\ndone', 'echo after']);
    expect(commands('if true; then\n\n  echo a # c\n  # full line\nelse\n  echo b\nfi')).toEqual(['if true; then\n  echo a\nelse\n  echo b\nfi']);
    expect(commands('while read l; do\n  if [ -n "$l" ]; then echo "$l"; fi\ndone < in')).toEqual(['while read l; do\n  if [ -n "$l" ]; then echo "$l"; fi\ndone < in']);
    expect(commands('case $x in\n  a) echo a;;\n  *) echo other;;\nesac')).toEqual(['case $x in\n  a) echo a;;\n  *) echo other;;\nesac']);
    expect(commands('{\n  echo a\n  echo b\n} > out')).toEqual(['{\n  echo a\n  echo b\n} > out']);
    expect(commands('cat in |\n  sort &&\n  uniq')).toEqual(['cat in |\n  sort &&\n  uniq']);
    expect(commands('echo "one\ntwo"\necho three')).toEqual(['echo "one\ntwo"', 'echo three']);
  });

  it('does not mistake words for keywords', () => {
    expect(commands('echo if for done\nfind . -exec rm {} \\;\necho {')).toEqual(['echo if for done', 'find . -exec rm {} \\;', 'echo {']);
    expect(commands("'if' true\necho b")).toEqual(["'if' true", 'echo b']);
  });

  it('keeps here-documents whole, comments and all', () => {
    expect(commands('cat > out <<EOF\n# not a comment\n  $ not a prompt\nEOF\necho after')).toEqual(['cat > out <<EOF\n# not a comment\n  $ not a prompt\nEOF', 'echo after']);
    expect(commands("cat <<-'END' | sort\n\tb\n\ta\n\tEND")).toEqual(["cat <<-'END' | sort\n\tb\n\ta\n\tEND"]);
    expect(commands('cat <<A <<B\na\nA\nb\nB\necho after')).toEqual(['cat <<A <<B\na\nA\nb\nB', 'echo after']);
    expect(commands('cat <<< "here string"\necho b')).toEqual(['cat <<< "here string"', 'echo b']);
  });

  it('keeps an escaped trailing space', () => {
    expect(commands('echo a\\ \necho b')).toEqual(['echo a\\ ', 'echo b']);
  });

  it('records where every character came from', () => {
    const [first, second] = splitCommands(body('echo a \\\n     b   # c\nif x; then\n  y\nfi', 3)).commands;
    expect(first!.text).toBe('echo a b');
    expect(first!.at).toEqual({ line: 10, col: 3 });
    expect(where(first!)).toEqual(['10:3', '10:4', '10:5', '10:6', '10:7', '10:8', '10:9', '11:8']);
    expect(second!.text).toBe('if x; then\n  y\nfi');
    expect(second!.at).toEqual({ line: 12, col: 3 });
    expect(second!.lines[second!.text.indexOf('y')]).toBe(13);
    expect(second!.cols[second!.text.indexOf('y')]).toBe(5);
    expect(second!.lines[second!.text.indexOf('fi')]).toBe(14);
    expect(second!.cols[second!.text.indexOf('fi')]).toBe(3);
  });

  it('records positions after a stripped prompt', () => {
    const [c] = splitCommands(body('  $ ls /data', 5)).commands;
    expect(c!.text).toBe('ls /data');
    expect(where(c!)).toEqual(['10:9', '10:10', '10:11', '10:12', '10:13', '10:14', '10:15', '10:16']);
  });

  it('reports an operator with no command on one side, a closer with no opener and `;;` outside a case: sh refuses the block when it runs', () => {
    expect(problems('echo hi |')).toEqual(['10:9: the block ends after `|`, which carries the command on to a next line: there is none (a syntax error when it runs)']);
    expect(problems('echo a > /data/a &&  ')).toEqual(['10:18: the block ends after `&&`, which carries the command on to a next line: there is none (a syntax error when it runs)']);
    expect(problems('echo a\n|| echo b')).toEqual(['11:1: `||` begins a command: it joins a command before it to one after, and there is none before it (a syntax error when it runs)']);
    expect(problems('echo a\n  fi')).toEqual(['11:3: `fi` closes nothing: no `if` before it in this command (a syntax error when it runs)']);
    expect(problems('echo a ;; echo b')).toEqual(['10:8: `;;` ends a branch of a `case`, and no `case` is open here (a syntax error when it runs): one `;` separates commands']);
    // What sh takes: a pipe carried to the next line, closers of what is open, `;;` in a case, quoted or argument words.
    for (const fine of ['echo a |\n  cat', 'if x; then y; fi', 'case x in a) y;; b) z;; esac', '{ echo a; }', 'echo } fi done', "echo ';;' '&&'", 'for f in a; do echo; done']) {
      expect(problems(fine), fine).toEqual([]);
    }
  });

  it('reports what is left open at the end of the block', () => {
    expect(problems('echo "open\nstill')).toEqual(['10:6: unterminated double quote']);
    expect(problems("echo 'open")).toEqual(['10:6: unterminated single quote']);
    expect(problems('cat > f <<EOF\nbody')).toEqual(['10:9: here-document is never closed: no `EOF` line before the end of the block']);
    expect(problems('echo a\n  if x; then\n  y')).toEqual(['11:3: `if` is never closed: no `fi` before the end of the block']);
    expect(problems('for f in a; do\n  echo')).toEqual(['10:1: `for` is never closed: no `done` before the end of the block']);
    expect(problems('case x in\n a) ;;')).toEqual(['10:1: `case` is never closed: no `esac` before the end of the block']);
    expect(problems('echo a \\')).toEqual(['10:8: line continuation `\\` at the end of the block']);
    expect(problems('(\n  echo a')).toEqual(['10:1: `(` is never closed: no `)` before the end of the block']);
    expect(problems('x=$(echo a\necho b')).toEqual(['10:4: `(` is never closed: no `)` before the end of the block']);
    expect(problems('echo `date > /data/a.txt')).toEqual(['10:6: unterminated backquote']);
    expect(problems('echo "a `date\nb"')).toEqual(['10:9: unterminated backquote']);
    // In a block opened with ~~~ (or ````), a ``` line closes nothing: said so, not as a backquote.
    expect(problems('echo a > /data/a\n```')).toEqual(['11:1: this ``` line does not close the block: only a fence of the character that opened it, as long or longer, does; close it so, or remove this line']);
    // A shorter ~~~ line in a ~~~~ block is no command either (sh: `~~~: not found`); inside a here-document it is text.
    expect(problems('echo a > /data/a\n~~~')).toEqual(['11:1: this ~~~ line does not close the block: only a fence of the character that opened it, as long or longer, does; close it so, or remove this line']);
    expect(problems('cat > /data/a.md <<EOF\n~~~\nEOF')).toEqual([]);
    expect(problems('echo a > /data/a\n  `````  ')).toEqual(['11:3: this ````` line does not close the block: only a fence of the character that opened it, as long or longer, does; close it so, or remove this line']);
    // Text after it, or an indentation of 4 spaces, is what keeps a ``` line from closing the block: said so.
    expect(problems('echo a > /data/a\n``` trailing')).toEqual(['11:1: this ``` line does not close the block: a closing fence has nothing after its backquotes (here `trailing`); remove that']);
    expect(problems('echo a > /data/a\n    ```')).toEqual(['11:5: this ``` line does not close the block: it is indented 4 spaces, and a closing fence 3 at most; indent it as the block\'s fence is']);
    expect(problems('echo `printf \'\\`\'`; echo "`date`"')).toEqual([]);
    expect(commands('echo `echo a\necho b`\necho c')).toEqual(['echo `echo a\necho b`', 'echo c']);
  });
});
