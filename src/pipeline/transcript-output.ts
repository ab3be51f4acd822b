import { warning, type Diagnostic } from '../diagnostics.js';
import { colOf, type Document, type SourceLine } from '../markdown/document.js';
import { splitCommands } from './shell-lines.js';
import { runBlocksAsWritten } from './written-blocks.js';
import { shellWords, type Word } from './shell-words.js';

const HINT = 'this line has no `$ ` prompt, so this transcript reads it as output of the command above and does not run it; it looks like a command: write `$ ` before it to run it';

/**
 * Warnings at the lines of a transcript (a block that starts with `$ `) that are
 * read as output but look like commands writing or reading /data. The original
 * Shark ran every line, so a document written for it may leave some prompts
 * out; reading such a line as output would silently drop a step. Real output
 * must stay quiet, so only a line shaped like a command counts (see `looksLikeCommand`).
 * One warning per line of the document, not per instance of a sweep.
 */
export function commandsReadAsOutput(document: Document): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const block of runBlocksAsWritten(document)) {
    for (const line of splitCommands(block.body).output) {
      if (!looksLikeCommand(line.text)) continue;
      found.push(warning(document.file, { line: line.line, col: colOf(line, leading(line)) }, HINT));
    }
  }
  return found;
}

function leading(line: SourceLine): number {
  return line.text.length - line.text.trimStart().length;
}

/**
 * A redirection to or from a /data path (`echo hi > /data/a.txt`), or a program
 * name, lower case as programs are, given a /data path as an unquoted argument
 * (`gdal_translate /data/a.tif /data/b.tif`). Output rarely has either: tools
 * print sentences (`Files: /data/dem.tif`), checksums, sizes and quoted names
 * (`removed '/data/x'`) before the paths they mention, and `'A' -> 'B'`
 * (cp -v, mv -v, ln -sv) or diff's `> line` between or before them.
 */
function looksLikeCommand(text: string): boolean {
  // diff marks lines with `< ` and `> `: a command rarely starts with a redirection.
  if (/^\s*[<>] /.test(text)) return false;
  const words = shellWords(text);
  if (words.some((w, i) => isArrow(text, w, words[i + 1]))) return false;
  if (words.some((w) => w.redirect !== undefined && w.value.startsWith('/data/'))) return true;
  const args = words.filter((w) => w.redirect === undefined && w.command === 0);
  const program = args.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value));
  if (program === undefined || !/^(\.{1,2}\/)?[a-z_][\w.+-]*$/.test(program.value) || /^[0-9a-f]{8,}$/.test(program.value)) return false;
  return args.some((w) => w !== program && w.contexts[0] === '' && /^(-[\w-]+=|[A-Za-z_]\w*=)?\/data\//.test(w.value));
}

/** An unquoted ` -> `, which sh would read as the word `-` and a redirection, but a command is not written with. */
function isArrow(text: string, word: Word, next: Word | undefined): boolean {
  const at = word.offsets[0];
  return word.value === '-' && word.contexts[0] === '' && at !== undefined && text[at + 1] === '>' && next?.redirect === 'out';
}
