/**
 * Whether a command's text only sets variables, as sh reads it:
 * `[export|readonly] NAME=VALUE…`, a value holding quotes, `${…}`, `$(…)` or
 * backquotes (`N=$(wc -l < f)`, `export P=$(echo 8)`). Such a line does
 * nothing of its own: it sets the variables for the commands after it, so it
 * is carried to them (`run-steps.ts`, the prelude) rather than made a step
 * whose value is lost. A word model of the line cannot tell `N=$(x)` from
 * `N=$(x) cmd` (a command run with N set), so the text is scanned.
 */
export function onlySetsVariables(text: string): boolean {
  let at = skipBlanks(text, 0);
  const keyword = /^(export|readonly)(?=[ \t])/.exec(text.slice(at));
  if (keyword !== null) at = skipBlanks(text, at + keyword[0].length);
  let assignments = 0;
  while (at < text.length && text[at] !== '#') {
    const name = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(text.slice(at));
    if (name === null) return false;
    const end = valueEnd(text, at + name[0].length);
    if (end === undefined) return false;
    assignments++;
    at = skipBlanks(text, end);
  }
  return assignments > 0;
}

function skipBlanks(text: string, at: number): number {
  while (text[at] === ' ' || text[at] === '\t') at++;
  return at;
}

/**
 * Where a value that starts at `at` ends (the blank or end after it), or
 * undefined at anything that makes the line more than assignments (`;`,
 * `|`, `&`, a redirection, a parenthesis of its own) or a quote left open.
 */
function valueEnd(text: string, at: number): number | undefined {
  while (at < text.length) {
    const ch = text[at]!;
    if (ch === ' ' || ch === '\t') return at;
    if (';|&<>()'.includes(ch)) return undefined;
    if (ch === '\\') at += 2;
    else if (ch === "'") {
      const close = text.indexOf("'", at + 1);
      if (close < 0) return undefined;
      at = close + 1;
    } else if (ch === '"' || ch === '`') {
      const close = closing(text, at + 1, ch);
      if (close === undefined) return undefined;
      at = close + 1;
    } else if (ch === '$' && (text[at + 1] === '(' || text[at + 1] === '{')) {
      const close = balanced(text, at + 1);
      if (close === undefined) return undefined;
      at = close + 1;
    } else at++;
  }
  return at;
}

/** The index of the quote that closes one opened before `at` (`"` or a backquote), past escapes and `$(…)` inside. */
function closing(text: string, at: number, quote: string): number | undefined {
  while (at < text.length) {
    const ch = text[at]!;
    if (ch === quote) return at;
    if (ch === '\\') at += 2;
    else if (quote === '"' && ch === '$' && (text[at + 1] === '(' || text[at + 1] === '{')) {
      const close = balanced(text, at + 1);
      if (close === undefined) return undefined;
      at = close + 1;
    } else if (quote === '"' && ch === '`') {
      const close = closing(text, at + 1, '`');
      if (close === undefined) return undefined;
      at = close + 1;
    } else at++;
  }
  return undefined;
}

/** The index of the bracket that closes the one at `at` (`(` or `{`), past quotes inside. */
function balanced(text: string, at: number): number | undefined {
  const open = text[at]!;
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  while (at < text.length) {
    const ch = text[at]!;
    if (ch === '\\') {
      at += 2;
      continue;
    }
    if (ch === "'") {
      const end = text.indexOf("'", at + 1);
      if (end < 0) return undefined;
      at = end + 1;
      continue;
    }
    if (ch === '"' || ch === '`') {
      const end = closing(text, at + 1, ch);
      if (end === undefined) return undefined;
      at = end + 1;
      continue;
    }
    if (ch === open) depth++;
    else if (ch === close && --depth === 0) return at;
    at++;
  }
  return undefined;
}
