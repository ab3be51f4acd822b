import { MAX_PARENTHESES } from './command-buffer.js';
import { continuesLine, heredocWord, inArithmetic } from './heredoc-word.js';

/** How a character is quoted in the shell text, which decides how to splice text in at that place. */
export type QuoteContext = '' | "'" | '"';

export interface Word {
  /** The word with quotes and escapes removed (expansions are left as written). */
  readonly value: string;
  /** For each character of `value`: its offset in the command text. */
  readonly offsets: readonly number[];
  /** For each character of `value`: the quoting around it. */
  readonly contexts: readonly QuoteContext[];
  /** Set when the word is the target of a redirection. */
  readonly redirect: 'in' | 'out' | undefined;
  /** Index of the simple command (split at ; && || | and newlines) the word belongs to. */
  readonly command: number;
  /**
   * Set on the words of a command substitution inside double quotes, which
   * the word holding it keeps as written too: they come after the others,
   * numbered as commands after the text's own.
   */
  readonly substituted?: true;
}

/** A here-document's body: offsets `start` (its first line) to `end` (before its delimiter line), and its simple command's index. */
export interface HeredocBody {
  readonly start: number;
  readonly end: number;
  readonly command: number;
}

/** Whether `offset` of the command text is inside one of the here-documents' bodies (their text is no shell). */
export function inHeredoc(bodies: readonly HeredocBody[], offset: number): boolean {
  return bodies.some((b) => b.start <= offset && offset < b.end);
}

/**
 * Splits one logical command into words the way POSIX sh would, far enough
 * to find data paths, redirection targets and the quoting at each place.
 * Here-document bodies are skipped (and pushed to `bodies`, when given).
 */
export function shellWords(text: string, bodies?: HeredocBody[]): Word[] {
  const nested: Nested = { words: [], next: 0, depth: 0 };
  const words = readWords(text, 0, text.length, bodies, nested);
  // A substitution's words after the others, as commands of their own (`"$(wc -l < /data/x)"` reads /data/x).
  const after = words.reduce((most, w) => Math.max(most, w.command), 0) + 1;
  for (const w of nested.words) words.push({ ...w, command: after + w.command, substituted: true });
  return words;
}

/** The words of the command substitutions inside double quotes, and the number of the next of their commands (from 0). */
interface Nested {
  readonly words: Word[];
  next: number;
  /** How many substitutions deep the reading is. */
  depth: number;
}

/** `shellWords` of `text` from `from` to `to`, the words of its quoted substitutions (and of theirs) put in `nested`. */
function readWords(text: string, from: number, to: number, bodies: HeredocBody[] | undefined, nested: Nested): Word[] {
  const words: Word[] = [];
  let value = '';
  let offsets: number[] = [];
  let contexts: QuoteContext[] = [];
  let started = false;
  let redirect: 'in' | 'out' | undefined;
  let pendingRedirect: 'in' | 'out' | undefined;
  let command = 0;
  const heredocs: { delim: string; quoted: boolean; command: number }[] = [];

  const finish = (): void => {
    if (started) {
      words.push({ value, offsets, contexts, redirect, command });
      redirect = undefined;
    }
    value = '';
    offsets = [];
    contexts = [];
    started = false;
  };
  // An empty quoted string ('' or "") is still a word, so starting one is separate from adding to it.
  const begin = (): void => {
    if (!started) {
      started = true;
      redirect = pendingRedirect;
      pendingRedirect = undefined;
    }
  };
  const add = (ch: string, at: number, ctx: QuoteContext): void => {
    begin();
    value += ch;
    offsets.push(at);
    contexts.push(ctx);
  };
  /** A substitution's words, `text` from `a` to `b`, numbered as commands after those of the substitutions before. */
  const substitution = (a: number, b: number): void => {
    // Deeper than a document may nest (command-buffer.ts MAX_PARENTHESES, an error there), left unread: a command typed
    // at `shark shell` is read before it is checked.
    if (nested.depth >= MAX_PARENTHESES) return;
    nested.depth++;
    // A here-document in one is rare enough to be left unread.
    const inner = readWords(text, a, b, undefined, nested);
    nested.depth--;
    const base = nested.next;
    let last = 0;
    for (const w of inner) {
      nested.words.push({ ...w, command: base + w.command });
      last = Math.max(last, w.command);
    }
    nested.next = base + last + 1;
  };

  let i = from;
  while (i < to) {
    const ch = text[i]!;
    if (ch === "'") {
      begin();
      const close = text.indexOf("'", i + 1);
      const end = close < 0 || close > to ? to : close;
      for (let k = i + 1; k < end; k++) add(text[k]!, k, "'");
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      begin();
      let k = i + 1;
      while (k < to && text[k] !== '"') {
        if (text[k] === '\\' && k + 1 < to && '$`"\\\n'.includes(text[k + 1]!)) {
          add(text[k + 1]!, k + 1, '"');
          k += 2;
          continue;
        }
        if (text[k] === '$' && text[k + 1] === '(') {
          // A command substitution inside double quotes starts a fresh, unquoted context; its words are read as a command too.
          add('$', k, '"');
          let depth = 0;
          const paren = ++k;
          do {
            if (text[k] === '(') depth++;
            else if (text[k] === ')') depth--;
            add(text[k]!, k, '');
            k++;
          } while (k < to && depth > 0);
          if (text[paren + 1] !== '(') substitution(paren + 1, depth === 0 ? k - 1 : k);
          continue;
        }
        if (text[k] === '`') {
          // A backquoted one, up to the next backquote not after a `\`: kept in the word as written, its words read as a command.
          const quote = k;
          for (add('`', k++, '"'); k < to && text[k] !== '`'; k++) {
            if (text[k] === '\\' && k + 1 < to) add(text[k++]!, k - 1, '"');
            add(text[k]!, k, '"');
          }
          substitution(quote + 1, k);
          if (k < to) add('`', k++, '"');
          continue;
        }
        add(text[k]!, k, '"');
        k++;
      }
      i = k + 1;
      continue;
    }
    if (ch === '\\') {
      // A character after `\` is quoted, as in single quotes: `/data/a\ b.txt` is one path, `\$` no expansion.
      if (i + 1 < to) add(text[i + 1]!, i + 1, "'");
      i += 2;
      continue;
    }
    if (ch === '\n') {
      finish();
      command++;
      i++;
      while (heredocs.length > 0) {
        const { delim, quoted, command: of } = heredocs.shift()!;
        const start = i;
        let end = to;
        // A line after one that ends in a continuing `\` (unquoted delimiter) is joined to it: no delimiter.
        let joined = false;
        while (i < to) {
          const nl = text.indexOf('\n', i);
          const lineEnd = nl < 0 || nl > to ? to : nl;
          const raw = text.slice(i, lineEnd);
          const closes = !joined && raw.replace(/^\t+/, '') === delim;
          joined = !quoted && continuesLine(raw);
          if (closes) end = i;
          i = lineEnd + 1;
          if (closes) break;
        }
        bodies?.push({ start, end, command: of });
      }
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      finish();
      i++;
      continue;
    }
    if (ch === '<' || ch === '>') {
      // A word made only of digits before the operator is a file descriptor, not an argument.
      if (started && /^\d+$/.test(value) && offsets.every((o, k) => contexts[k] === '' && o === i - value.length + k)) {
        value = '';
        offsets = [];
        contexts = [];
        started = false;
      } else {
        finish();
      }
      if (ch === '<' && text[i + 1] === '<') {
        // Read as shell-lines.ts reads it (`<<'END OF NOTES'`, `<<\EOF`): a here-string `<<<` names no delimiter.
        const m = text[i + 2] === '<' || inArithmetic(text.slice(from, i)) ? undefined : heredocWord(text.slice(i, to));
        if (m !== undefined) {
          heredocs.push({ delim: m.delim, quoted: m.quoted, command });
          i += m.length;
          continue;
        }
        i += text[i + 2] === '<' ? 3 : 2;
        continue;
      }
      let op = ch;
      let k = i + 1;
      while (k < to && '<>|&'.includes(text[k]!) && op.length < 3) op += text[k++]!;
      if (text[k] === '-' || (op.endsWith('&') && /\d/.test(text[k] ?? ''))) {
        // >&2, <&0, >&- : duplicating descriptors names no file.
        pendingRedirect = undefined;
        while (k < to && /[\d-]/.test(text[k]!)) k++;
        i = k;
        continue;
      }
      pendingRedirect = op.startsWith('<') && op !== '<>' ? 'in' : 'out';
      i = k;
      continue;
    }
    if (ch === '&' && text[i + 1] === '>') {
      finish();
      let k = i + 2;
      if (text[k] === '>') k++;
      pendingRedirect = 'out';
      i = k;
      continue;
    }
    // A backquoted command substitution is a command of its own, like $( ).
    if (ch === ';' || ch === '|' || ch === '&' || ch === '(' || ch === ')' || ch === '`') {
      finish();
      command++;
      // `&&`, `||` and `;;` are one operator.
      i += (ch === '&' || ch === '|' || ch === ';') && text[i + 1] === ch ? 2 : 1;
      continue;
    }
    add(ch, i, '');
    i++;
  }
  finish();
  return words;
}

/** `value` as one types it as a word of a command: as it is when the shell reads it so (`slow`), else single-quoted (`'slow[T=a]'`, which a shell would glob). */
export function typedWord(value: string): string {
  return /^[\w./=:@%+,-]+$/.test(value) ? value : singleQuoted(value);
}

/** `value` as one single-quoted shell word. */
export function singleQuoted(value: string): string {
  return quoteFor(value, '');
}

/** Text that reads as exactly `value` when spliced into shell text at a place quoted as `ctx`. */
export function quoteFor(value: string, ctx: QuoteContext): string {
  const single = value.replace(/'/g, `'\\''`);
  switch (ctx) {
    case '':
      return `'${single}'`;
    case "'":
      return single;
    case '"':
      return `"'${single}'"`;
  }
}
