import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import { pathStarts, programOfCommand, programOfWord } from './mentions.js';
import { splitCommands, type CommandText } from './shell-lines.js';
import { inHeredoc, shellWords, type HeredocBody, type Word } from './shell-words.js';
import { runBlocksAsWritten } from './written-blocks.js';
import { BlockState } from './block-state.js';
import { bashisms, unquoted } from './bashisms.js';

/** Programs that run code given as an argument. */
const INTERPRETERS = /^(python[0-9.]*|perl|ruby|node|nodejs|Rscript|julia|sh|bash|dash|zsh|ksh|ash|busybox|[gm]?awk)$/;

/** `/data` where a path could start: not inside a longer name (`/mnt/data`, `$HOME/data`, `my/data`). */
const DATA_AT = /(?<![\w.~/$-])\/data(?=[/'"\s)`;|&]|$)/g;

/**
 * Warnings at what a command says that Shark cannot follow: a /data path
 * inside a program's quoted code (`python3 -c "open('/data/x')"`),
 * which is no input or output of the step, so it is not placed, not keyed and,
 * on the host, names the machine's own /data; and bash's process substitution
 * (`<(sort /data/a)`), which /bin/sh (dash) refuses; and a `\` that spaces follow at the end of a line,
 * which sh reads as an escaped space, not a continuation. One warning per place in
 * the document, not per instance of a sweep.
 */
export function shellBlindSpots(document: Document): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const block of runBlocksAsWritten(document)) {
    const state = new BlockState(document.file, block.arg === undefined);
    for (const command of splitCommands(block.body).commands) {
      const posOf = (offset: number): { line: number; col: number } => ({ line: command.lines[offset]!, col: command.cols[offset]! });
      const bodies: HeredocBody[] = [];
      const words = shellWords(command.text, bodies);
      const seen = pathStarts(words);
      for (const m of command.text.matchAll(DATA_AT)) {
        if (seen.has(m.index)) continue;
        // Only in a program's code (`python3 -c "…"`, `sh -c '…'`, an awk program): elsewhere quoted text is text
        // (`grep ' /data/tool ' /proc/self/mountinfo`), and a here-document may be a file that names a path.
        const word = words.find((w) => w.offsets[0]! <= m.index && m.index <= w.offsets[w.offsets.length - 1]!);
        const named = word === undefined ? undefined : programOfWord(words, word);
        // `find … -exec sh -c '…' \;`: the program is the one find runs.
        const program = named === 'find' ? findExec(words, word!) : named;
        const reader = word === undefined ? codeReader(words, bodies, m.index) : undefined;
        if (reader === undefined && (program === undefined || !INTERPRETERS.test(program))) continue;
        const at = posOf(m.index);
        const path = /^[^'"\s)`;|&]*/.exec(command.text.slice(m.index))![0];
        const host = block.arg === undefined ? ', and on the host it names the machine\'s own /data' : '';
        const where = reader === undefined ? `inside \`${program}\`'s quoted code` : `in the here-document \`${reader}\` reads as its code`;
        const how = reader === undefined
          ? '`python3 -c \'…sys.argv[1]…\' /data/x`, `sh -c \'… "$1"\' sh /data/x`'
          : '`python3 - /data/x <<EOF` and `sys.argv[1]`, `sh -s /data/x <<EOF` and `"$1"`';
        found.push(warning(document.file, at, `Shark does not see \`${path}\` here, ${where}: it is no input or output of the step${host}. `
          + `Give it to the program as an argument of its own (${how})`));
      }
      if (command.text.startsWith('<!--')) {
        found.push(warning(document.file, posOf(0), 'an HTML comment is no comment inside a code block: markdown shows it as text, and sh runs it '
          + '(`<!--` reads a file named `!--`); comment the line out with `#`, or move the comment out of the block'));
      }
      for (const offset of escapedSpacesAtEnd(command, bodies)) {
        found.push(warning(document.file, posOf(offset), 'this line ends in `\\` and a space: sh reads them as an escaped space, not a line continuation, '
          + 'so the next line is a command of its own; remove the spaces after the `\\`'));
      }
      found.push(...state.next(command, words, posOf));
      // A line of backquotes alone inside the block (its fence is longer, or of tildes): sh reads command substitution.
      for (const m of command.text.matchAll(/^[ \t]*(`{3,})[ \t]*$/gm)) {
        // In a here-document it is text (a markdown file a step writes).
        if (inHeredoc(bodies, m.index)) continue;
        found.push(warning(document.file, posOf(m.index + m[0].indexOf('`')), `this ${m[1]} line is inside the block (its fence is another), and sh reads its backquotes as a command substitution: `
          + 'was it meant to close the block? A block is closed only by a fence of the character that opened it, as long or longer'));
      }
      if (block.arg === undefined) {
        for (const b of bashisms(command, words, bodies)) found.push(warning(document.file, posOf(b.offset), b.message));
      }
      const loop = loopOverMap(command.text, bodies);
      if (loop !== undefined) {
        found.push(warning(document.file, posOf(loop.offset), `\`for ${loop.name} in ${loop.path}\` makes this command a map over ${loop.dir}/: each job runs the loop once, over its own item, `
          + 'so what the loop carries from one item to the next (a count, a sum, a header written once) starts afresh in each job; '
          + `to loop over every item in one job, read the directory (\`cd ${loop.dir}/ && for ${loop.name} in ${loop.pattern}; do …\`), or drop the loop: the map runs its body once per item`));
      }
      for (const offset of processSubstitutions(command)) {
        found.push(warning(document.file, posOf(offset), 'process substitution (`<(…)`, `>(…)`) is bash\'s: a step runs with /bin/sh, which on Debian (dash) '
          + 'refuses it as a syntax error; write what it makes to a /data file in a step before, or run the command with `bash -c \'…\'`'));
      }
    }
    found.push(...continuationPrompts(document.file, block.body));
  }
  return found;
}

/**
 * In a transcript (`$ ` prompts), a `> ` opening a line that a `\` continues:
 * what a terminal shows as its continuation prompt, pasted with the command,
 * which sh reads as a redirection (`echo hi \` then `>   there > /data/a.txt`
 * wrote `hi` and a file named `there`).
 */
function continuationPrompts(file: string, body: readonly { readonly text: string; readonly line: number; readonly col: number }[]): Diagnostic[] {
  const first = body.find((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'));
  if (first === undefined || !/^\s*\$( |$)/.test(first.text)) return [];
  const found: Diagnostic[] = [];
  for (let i = 1; i < body.length; i++) {
    const prompt = /^(\s*)> /.exec(body[i]!.text);
    if (prompt === null || !/(^|[^\\])\\$/.test(body[i - 1]!.text)) continue;
    found.push(warning(file, { line: body[i]!.line, col: body[i]!.col + prompt[1]!.length }, 'this `> ` continues the command above as a redirection: '
      + 'a terminal shows `> ` as its continuation prompt, which is no part of the command; remove it (or, to redirect, write the `>` on the line above)'));
  }
  return found;
}

/**
 * The interpreter that reads the here-document holding `offset` as its program (`python3 - <<EOF`, `sh <<EOF`,
 * `perl`): one given no script, code or operand but `-`. Given one (`python3 fit.py <<EOF`, `sh -c '…'`, `awk '{…}'`),
 * the here-document is its data, which may name a path as text.
 */
function codeReader(words: readonly Word[], bodies: readonly HeredocBody[], offset: number): string | undefined {
  const body = bodies.find((b) => b.start <= offset && offset < b.end);
  const run = body === undefined ? undefined : programOfCommand(words, body.command);
  if (run === undefined || !INTERPRETERS.test(run.program) || /awk$/.test(run.program)) return undefined;
  const script = run.args.some((w) => w.value === '-c' || w.value === '-e' || w.value === '-E' || w.value === '-m' || !w.value.startsWith('-'));
  return script ? undefined : run.program;
}

/** The program `find … -exec PROGRAM … ;` runs with `word` among its arguments (`-execdir`, `-ok`, `-okdir` too). */
function findExec(words: readonly Word[], word: Word): string | undefined {
  const own = words.filter((w) => w.command === word.command && w.redirect === undefined);
  for (let k = own.indexOf(word) - 1; k >= 0; k--) {
    const v = own[k]!.value;
    // The end of an earlier -exec: the word is find's own.
    if (v === ';' || v === '+') return undefined;
    if (/^-(?:exec|execdir|ok|okdir)$/.test(v)) {
      const program = own[k + 1];
      return program === undefined || program === word ? undefined : program.value.slice(program.value.lastIndexOf('/') + 1);
    }
  }
  return undefined;
}

/**
 * A `for NAME in` whose list holds a /data path with a wildcard, outside a here-document: Shark reads
 * the wildcard as a map, so the loop runs once per job, over one item (its counter numbered every
 * item 1). Its offset is the path's.
 */
function loopOverMap(text: string, bodies: readonly HeredocBody[]): { offset: number; name: string; path: string; dir: string; pattern: string } | undefined {
  for (const m of text.matchAll(/(?:^|[;&|(\s])for[ \t]+([A-Za-z_]\w*)[ \t]+in[ \t]+([^;\n]*)/g)) {
    const at = m.index + m[0].indexOf('for');
    if (inHeredoc(bodies, at)) continue;
    const list = m[2]!;
    const path = /(?:^|\s)(\/data\/[^\s'"]*[*?[][^\s'"]*)/.exec(list);
    if (path === null) continue;
    const full = path[1]!;
    const wild = full.search(/[*?[]/);
    const dir = full.slice(0, full.lastIndexOf('/', wild));
    return { offset: m.index + m[0].indexOf(list) + path.index + path[0].indexOf('/'), name: m[1]!, path: full, dir, pattern: full.slice(dir.length + 1) };
  }
  return undefined;
}

/** Offsets of `<(` and `>(` outside quotes and escapes. */
function processSubstitutions(command: CommandText): number[] {
  const text = command.text;
  return [...unquoted(text)].filter((i) => (text[i] === '<' || text[i] === '>') && text[i + 1] === '(' && text[i - 1] !== '<' && text[i - 1] !== '>');
}

/**
 * Offsets of a `\` outside quotes and here-documents that only spaces or tabs follow to the end of its line:
 * sh reads `\ ` as an escaped space, not a continuation, so the next line is a command of its own
 * (trailing spaces an editor left, invisible in the document).
 */
function escapedSpacesAtEnd(command: CommandText, bodies: readonly HeredocBody[]): number[] {
  const text = command.text;
  return [...unquoted(text)].filter((i) => text[i] === '\\' && /^[ \t]+(?:\n|$)/.test(text.slice(i + 1, text.indexOf('\n', i) + 1 || undefined))
    && !inHeredoc(bodies, i));
}
