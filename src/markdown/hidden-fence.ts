import type { Paragraph } from 'mdast';
import { error, type Diagnostic } from '../diagnostics.js';
import { INVISIBLE, named } from './look-alike.js';
import { CONTAINERS } from './backtick-info.js';

/** A fence opening a Shark block, as it would be without what stands before it. */
const SHARK_FENCE = /^(?:`{3,}|~{3,})[ \t]*shark-/;

/**
 * An error for each line of a paragraph that would open a Shark block but for
 * an invisible character or an odd space before its fence: a byte order mark
 * that `cat a.md b.md` carried into the middle of a document, a non-breaking
 * space pasted from a web page. CommonMark indents with ASCII spaces only, so
 * the line is text and the block never runs, and `check` said ok.
 */
export function hiddenFence(file: string, node: Paragraph, lines: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (let line = node.position!.start.line; line <= node.position!.end.line; line++) {
    const text = lines[line - 1] ?? '';
    let at = CONTAINERS.exec(text)![0].length;
    let first: number | undefined;
    while (at < text.length && (text[at] === ' ' || text[at] === '\t' || INVISIBLE.test(text[at]!))) {
      if (text[at] !== ' ' && text[at] !== '\t') first ??= at;
      at++;
    }
    if (first === undefined || !SHARK_FENCE.test(text.slice(at))) continue;
    found.push(error(file, { line, col: first + 1 },
      `${named(text[first]!)} before this fence makes it no fence: markdown reads the line as text, so the block never runs (delete the character)`));
  }
  return found;
}
