import type { Position } from '../diagnostics.js';
import type { SourceLine } from '../markdown/document.js';
import type { SpecProblem } from './build-spec.js';

/** An OBuilder spec's s-expression: an atom (bare or quoted), or a list. */
export type Sexp = { kind: 'atom'; value: string; at: Position } | { kind: 'list'; items: Sexp[]; at: Position };

/**
 * Whether a build block is an OBuilder spec: its first character past blank
 * space and comments (`;` to the end of the line, `#| … |#`, as Sexplib reads
 * them) is `(`. A `#|` never closed is skipped as a line, as a Dockerfile
 * comment would be, so a Dockerfile starting with one stays a Dockerfile.
 */
export function opensWithList(body: readonly SourceLine[]): boolean {
  const text = body.map((l) => l.text).join('\n');
  const lineEnd = (from: number): number => (text.indexOf('\n', from) < 0 ? text.length : text.indexOf('\n', from));
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === ';') i = lineEnd(i);
    else if (text.startsWith('#|', i)) i = blockCommentEnd(text, i) ?? lineEnd(i);
    else return text[i] === '(';
  }
}

/** Past the `|#` that closes the `#|` at `start` (they nest, as in Sexplib), or undefined when none does. */
function blockCommentEnd(text: string, start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '#' && text[i + 1] === '|') (depth++, i++);
    else if (text[i] === '|' && text[i + 1] === '#') {
      i++;
      if (--depth === 0) return i + 1;
    }
  }
  return undefined;
}

/** Reads a block's s-expressions, each atom and list placed at its line and column; `;` comments to the end of a line, `#| … |#` block comments. */
export function readSexps(body: readonly SourceLine[]): { ok: true; value: Sexp[] } | { ok: false; problem: SpecProblem } {
  // Flatten the block into one text with a position per character, so strings may span lines.
  let text = '';
  const where: Position[] = [];
  for (const line of body) {
    for (let i = 0; i <= line.text.length; i++) where.push({ line: line.line, col: line.col + i });
    text += line.text + '\n';
  }
  const tokens: { text: string; quoted: boolean; at: Position }[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const at = where[i]!;
    if (/\s/.test(ch)) i++;
    else if (ch === ';') i = text.indexOf('\n', i);
    else if (text.startsWith('#|', i)) {
      const end = blockCommentEnd(text, i);
      if (end === undefined) return { ok: false, problem: { at, message: 'unterminated block comment: no `|#` closes the `#|` opened here' } };
      i = end;
    }
    else if (ch === '(' || ch === ')') (tokens.push({ text: ch, quoted: false, at }), i++);
    else if (ch === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return { ok: false, problem: { at, message: 'unterminated string' } };
        const c = text[j]!;
        if (c === '"') break;
        if (c === '\\' && j + 1 < text.length) {
          const n = text[j + 1]!;
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
        } else (value += c, j++);
      }
      tokens.push({ text: value, quoted: true, at });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()";]/.test(text[j]!)) j++;
      tokens.push({ text: text.slice(i, j), quoted: false, at });
      i = j;
    }
  }
  // An explicit stack rather than recursion: a garbled spec may open thousands of lists.
  const value: Sexp[] = [];
  const open: (Sexp & { kind: 'list' })[] = [];
  for (const tok of tokens) {
    const into = open[open.length - 1]?.items ?? value;
    if (tok.quoted || (tok.text !== '(' && tok.text !== ')')) {
      into.push({ kind: 'atom', value: tok.text, at: tok.at });
    } else if (tok.text === '(') {
      const list: Sexp & { kind: 'list' } = { kind: 'list', items: [], at: tok.at };
      into.push(list);
      open.push(list);
    } else if (open.pop() === undefined) {
      return { ok: false, problem: { at: tok.at, message: 'unexpected `)`' } };
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed !== undefined) return { ok: false, problem: { at: unclosed.at, message: 'unbalanced `(`: missing `)`' } };
  return { ok: true, value };
}
