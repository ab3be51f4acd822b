import type { CommandText } from './shell-lines.js';
import { programOfCommand } from './mentions.js';
import { inHeredoc, type HeredocBody, type Word } from './shell-words.js';

/** `{1..3}`, `{a..e}`, `{10..1..2}`: bash's brace ranges, which dash leaves as written. */
const RANGE = /^\{(?:-?\d+\.\.-?\d+|[A-Za-z]\.\.[A-Za-z])(?:\.\.-?\d+)?\}/;

/**
 * Where a command of a host block says what bash reads one way and /bin/sh
 * on Debian (dash), which runs a host step, another, with no error: `cmd &>
 * f` runs `cmd` in the background and leaves `f` empty, `{1..3}` and `$'\t'`
 * stay as written, `echo -e` prints its `-e`, and `[[` and `source` are not
 * found (the step goes on, or an `if` takes its other branch). Each with what
 * to write instead. Outside quotes and here-documents only.
 */
export function bashisms(command: CommandText, words: readonly Word[], bodies: readonly HeredocBody[]): { offset: number; message: string }[] {
  const text = command.text;
  const found: { offset: number; message: string }[] = [];
  const dash = 'is bash\'s: /bin/sh on Debian (dash), which runs a host step,';
  for (const i of unquoted(text)) {
    if (inHeredoc(bodies, i)) continue;
    if (text[i] === '&' && text[i + 1] === '>' && text[i - 1] !== '>' && text[i - 1] !== '<') {
      found.push({ offset: i, message: `\`&>\` ${dash} reads \`cmd &> FILE\` as \`cmd &\` then \`> FILE\`: the command runs in the background and FILE is left empty; write \`cmd > FILE 2>&1\`` });
    } else if (text[i] === '$' && text[i + 1] === "'") {
      found.push({ offset: i, message: `\`$'…'\` ${dash} keeps the \`$\` and reads the rest as a single-quoted string, escapes as written; use \`printf\` (\`"$(printf '\\t')"\`)` });
    } else if (text[i] === '{' && RANGE.test(text.slice(i))) {
      const range = RANGE.exec(text.slice(i))![0];
      found.push({ offset: i, message: `\`${range}\` ${dash} leaves it as written (one word, \`${range}\`); use \`seq\` (\`for i in $(seq 1 3)\`)` });
    }
  }
  for (const index of new Set(words.map((w) => w.command))) {
    const run = programOfCommand(words, index);
    const word = run === undefined ? undefined : words.find((w) => w.command === index && w.redirect === undefined && w.value.endsWith(run.program));
    if (run === undefined || word === undefined || word.contexts.some((c) => c !== '')) continue;
    const at = word.offsets[0]!;
    if (run.program === '[[') found.push({ offset: at, message: `\`[[ … ]]\` ${dash} says \`[[: not found\`, and an \`if\` takes its other branch; write \`[ … ]\` (or \`case\` for a pattern)` });
    else if (run.program === 'source') found.push({ offset: at, message: `\`source\` ${dash} says \`source: not found\` and goes on; write \`. FILE\`` });
    else if (run.program === 'echo' && /^-[neE]*e[neE]*$/.test(run.args[0]?.value ?? '')) {
      found.push({ offset: at, message: `\`echo -e\` ${dash} prints the \`-e\` (its echo reads escapes always); use \`printf '…\\n'\`` });
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** Offsets of the characters outside quotes, an escaping `\` among them (not the character it escapes). */
export function* unquoted(text: string): Generator<number> {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = '';
    } else if (ch === '\\' && quote === '"') {
      i++;
    } else if (ch === '\\') {
      yield i;
      i++;
    } else if (quote === '"') {
      if (ch === '"') quote = '';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else {
      yield i;
    }
  }
}
