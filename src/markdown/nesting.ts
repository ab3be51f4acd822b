import { error, LINE_BREAK, type Diagnostic } from '../diagnostics.js';

/**
 * The deepest nesting of lists and quotes Shark reads. The markdown parser's
 * cost per line grows with the depth of the containers it is in, so a
 * document thousands of levels deep takes minutes; a real one needs a few.
 */
export const MAX_NESTING = 100;

/**
 * One linear pass before the parser: the first line whose container prefix
 * (`>`, list markers, and the indentation that nests a list item under
 * another) is deeper than MAX_NESTING, as a located error.
 *
 * It overestimates rather than underestimates: two columns of indentation
 * before a marker count as a level (the least a nested list item needs), and
 * fences are not tracked, so that nothing a parser could see as deep nesting
 * escapes the count.
 */
export function nestingProblem(file: string, source: string): Diagnostic | undefined {
  // Lines end as the parser ends them (a lone CR too), so that the line counted is the one reported.
  const breaks = new RegExp(LINE_BREAK.source, 'g');
  let line = 1;
  let start = 0;
  for (;;) {
    const next = breaks.exec(source);
    const end = next === null ? source.length : next.index;
    const col = tooDeepAt(source, start, end);
    if (col !== undefined) {
      return error(file, { line, col: col - start + 1 }, `nesting deeper than ${MAX_NESTING} levels of lists or quotes: Shark does not read documents nested this deeply`);
    }
    if (next === null) return undefined;
    line++;
    start = end + next[0].length;
  }
}

/** Offset of the marker that takes the line past the limit, if any. */
function tooDeepAt(s: string, start: number, end: number): number | undefined {
  let depth = 0;
  let i = start;
  let afterMarker = false;
  while (i < end) {
    let width = 0;
    for (; i < end && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r'); i++) width += s[i] === '\t' ? 4 - (width % 4) : 1;
    const marker = markerLength(s, i, end);
    if (marker === 0) return undefined;
    // One space after a marker belongs to it; more indents a nested item under it.
    depth += 1 + Math.floor(Math.max(0, width - (afterMarker ? 1 : 0)) / 2);
    if (depth > MAX_NESTING) return i;
    i += marker;
    afterMarker = true;
  }
  return undefined;
}

/** Length of a container marker at `i` (`>`, `-`, `*`, `+`, `1.`, `1)` followed by a space or the end), or 0. */
function markerLength(s: string, i: number, end: number): number {
  const c = s[i];
  if (c === '>') return 1;
  const spaceAt = (j: number): boolean => j >= end || s[j] === ' ' || s[j] === '\t' || s[j] === '\r';
  if ((c === '-' || c === '*' || c === '+') && spaceAt(i + 1)) return 1;
  let j = i;
  while (j < end && j - i < 9 && s[j]! >= '0' && s[j]! <= '9') j++;
  if (j > i && (s[j] === '.' || s[j] === ')') && spaceAt(j + 1)) return j + 1 - i;
  return 0;
}
