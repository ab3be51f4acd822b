/**
 * A lexer for one normalised shell command, far enough to find which words
 * stand in command position: words (quotes removed, with the text of any
 * command or process substitution inside them), control operators and
 * redirections. Here-document bodies are skipped.
 */
export type Token =
  | { readonly kind: 'word'; readonly value: string; readonly expands: boolean; readonly subs: readonly string[] }
  | { readonly kind: 'op'; readonly value: string }
  /** `target`: a word naming a file follows (not for `<<EOF`, `>&2`). */
  | { readonly kind: 'redir'; readonly target: boolean };

const OPS = ['&&', '||', ';;', ';&', '|&', ';', '&', '|', '(', ')'];

export function shellTokens(text: string): Token[] {
  const tokens: Token[] = [];
  const heredocs: { delim: string; strip: boolean }[] = [];
  let value = '';
  let started = false;
  let quoted = false;
  let expands = false;
  let subs: string[] = [];
  const end = (): void => {
    if (started) tokens.push({ kind: 'word', value, expands, subs });
    value = '';
    started = quoted = expands = false;
    subs = [];
  };
  const add = (s: string): void => {
    started = true;
    value += s;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      end();
      tokens.push({ kind: 'op', value: ';' });
      i = skipHeredocs(text, i + 1, heredocs);
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      end();
      i++;
      continue;
    }
    if (ch === '#' && !started) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '\\') {
      add(text[i + 1] ?? '');
      quoted = true;
      i += 2;
      continue;
    }
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 ? text.length : close;
      add(text.slice(i + 1, stop));
      quoted = true;
      i = stop + 1;
      continue;
    }
    if (ch === '"') {
      started = quoted = true;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          add(text[i + 1]!);
          i += 2;
        } else if (text[i] === '$' || text[i] === '`') {
          i = expansion(text, i, subs, add);
          expands = true;
        } else {
          add(text[i++]!);
        }
      }
      i++;
      continue;
    }
    if (ch === '$' || ch === '`') {
      i = expansion(text, i, subs, add);
      expands = true;
      continue;
    }
    if ((ch === '<' || ch === '>') && text[i + 1] === '(') {
      // Process substitution: a word whose command runs too.
      const close = matchParen(text, i + 1);
      subs.push(text.slice(i + 2, close));
      add(text.slice(i, close + 1));
      expands = true;
      i = close + 1;
      continue;
    }
    if (ch === '<' || ch === '>' || (ch === '&' && text[i + 1] === '>')) {
      // A word of digits right before the operator is a file descriptor.
      if (started && !quoted && !expands && /^\d+$/.test(value)) (value = ''), (started = false);
      end();
      i = redirection(text, i, tokens, heredocs);
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      end();
      tokens.push({ kind: 'op', value: op });
      i += op.length;
      continue;
    }
    add(ch);
    i++;
  }
  end();
  return tokens;
}

/** Reads `$(…)`, `` `…` ``, `$((…))`, `${…}` or `$NAME` at `i`; a command inside is kept in `subs`. */
function expansion(text: string, i: number, subs: string[], add: (s: string) => void): number {
  if (text[i] === '`') {
    let k = i + 1;
    while (k < text.length && text[k] !== '`') k += text[k] === '\\' ? 2 : 1;
    subs.push(text.slice(i + 1, k).replace(/\\([`\\$])/g, '$1'));
    add(text.slice(i, k + 1));
    return k + 1;
  }
  const next = text[i + 1];
  if (next === '(') {
    const close = matchParen(text, i + 1);
    // `$((…))` is arithmetic, not a command.
    if (text[i + 2] !== '(') subs.push(text.slice(i + 2, close));
    add(text.slice(i, close + 1));
    return close + 1;
  }
  if (next === '{') {
    const close = text.indexOf('}', i);
    const stop = close < 0 ? text.length : close;
    add(text.slice(i, stop + 1));
    return stop + 1;
  }
  const m = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])?/.exec(text.slice(i))!;
  add(m[0]);
  return i + m[0].length;
}

/** The index of the `)` closing the `(` at `open`, past quotes and nested parentheses (or the end). */
function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    const ch = text[k]!;
    if (ch === '\\') k++;
    else if (ch === "'") {
      const close = text.indexOf("'", k + 1);
      k = close < 0 ? text.length : close;
    }
    else if (ch === '"') {
      for (k++; k < text.length && text[k] !== '"'; k++) if (text[k] === '\\') k++;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return k;
  }
  return text.length;
}

function redirection(text: string, i: number, tokens: Token[], heredocs: { delim: string; strip: boolean }[]): number {
  const here = /^<<(-?)[ \t]*(['"]?)([^\s'"<>;&|()]+)\2/.exec(text.slice(i));
  if (here !== null && text[i + 2] !== '<') {
    heredocs.push({ delim: here[3]!, strip: here[1] === '-' });
    tokens.push({ kind: 'redir', target: false });
    return i + here[0].length;
  }
  const op = /^(?:<<<|&>>|&>|>>|>\||<>|>&|<&|>|<)/.exec(text.slice(i))![0];
  let k = i + op.length;
  if (op.endsWith('&') && /^[\d-]/.test(text[k] ?? '')) {
    // >&2, <&-: duplicating a descriptor names no file.
    while (k < text.length && /[\d-]/.test(text[k]!)) k++;
    tokens.push({ kind: 'redir', target: false });
    return k;
  }
  tokens.push({ kind: 'redir', target: true });
  return k;
}

function skipHeredocs(text: string, i: number, heredocs: { delim: string; strip: boolean }[]): number {
  while (heredocs.length > 0) {
    const { delim, strip } = heredocs.shift()!;
    while (i < text.length) {
      const nl = text.indexOf('\n', i);
      const lineEnd = nl < 0 ? text.length : nl;
      const line = text.slice(i, lineEnd);
      i = lineEnd + 1;
      if ((strip ? line.replace(/^\t+/, '') : line) === delim) break;
    }
  }
  return i;
}
