import { warning, type Diagnostic } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import { pathStarts, programOfWord } from './mentions.js';
import { splitCommands, type CommandText } from './shell-lines.js';
import { shellWords } from './shell-words.js';
import { runBlocksAsWritten } from './written-blocks.js';

/** Programs that run code given as an argument. */
const INTERPRETERS = /^(python[0-9.]*|perl|ruby|node|nodejs|Rscript|julia|sh|bash|dash|zsh|ksh|ash|busybox|[gm]?awk)$/;

/** `/data` where a path could start: not inside a longer name (`/mnt/data`, `$HOME/data`, `my/data`). */
const DATA_AT = /(?<![\w.~/$-])\/data(?=[/'"\s)`;|&]|$)/g;

/**
 * Warnings at what a command says that Shark cannot follow: a /data path
 * inside a program's quoted code (`python3 -c "open('/data/x')"`),
 * which is no input or output of the step, so it is not placed, not keyed and,
 * on the host, names the machine's own /data; and bash's process substitution
 * (`<(sort /data/a)`), which /bin/sh (dash) refuses. One warning per place in
 * the document, not per instance of a sweep.
 */
export function shellBlindSpots(document: Document): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const block of runBlocksAsWritten(document)) {
    for (const command of splitCommands(block.body).commands) {
      const posOf = (offset: number): { line: number; col: number } => ({ line: command.lines[offset]!, col: command.cols[offset]! });
      const words = shellWords(command.text);
      const seen = pathStarts(words);
      for (const m of command.text.matchAll(DATA_AT)) {
        if (seen.has(m.index)) continue;
        // Only in a program's code (`python3 -c "…"`, `sh -c '…'`, an awk program): elsewhere quoted text is text
        // (`grep ' /data/tool ' /proc/self/mountinfo`), and a here-document may be a file that names a path.
        const word = words.find((w) => w.offsets[0]! <= m.index && m.index <= w.offsets[w.offsets.length - 1]!);
        const program = word === undefined ? undefined : programOfWord(words, word);
        if (program === undefined || !INTERPRETERS.test(program)) continue;
        const at = posOf(m.index);
        const path = /^[^'"\s)`;|&]*/.exec(command.text.slice(m.index))![0];
        const host = block.arg === undefined ? ', and on the host it names the machine\'s own /data' : '';
        found.push(warning(document.file, at, `Shark does not see \`${path}\` here, inside \`${program}\`'s quoted code: it is no input or output of the step${host}. `
          + 'Give it to the program as an argument of its own (`python3 -c \'…sys.argv[1]…\' /data/x`, `sh -c \'… "$1"\' sh /data/x`)'));
      }
      for (const offset of processSubstitutions(command)) {
        found.push(warning(document.file, posOf(offset), 'process substitution (`<(…)`, `>(…)`) is bash\'s: a step runs with /bin/sh, which on Debian (dash) '
          + 'refuses it as a syntax error; write what it makes to a /data file in a step before, or run the command with `bash -c \'…\'`'));
      }
    }
  }
  return found;
}

/** Offsets of `<(` and `>(` outside quotes and escapes. */
function processSubstitutions(command: CommandText): number[] {
  const found: number[] = [];
  const text = command.text;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = '';
    } else if (ch === '\\') {
      i++;
    } else if (quote === '"') {
      if (ch === '"') quote = '';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if ((ch === '<' || ch === '>') && text[i + 1] === '(' && text[i - 1] !== '<' && text[i - 1] !== '>') {
      found.push(i);
    }
  }
  return found;
}
