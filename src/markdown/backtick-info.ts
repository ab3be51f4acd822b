import type { Paragraph } from 'mdast';
import { error, type Diagnostic } from '../diagnostics.js';

/** What stands before a fence on its line: quote markers, a list item's marker, indentation. */
export const CONTAINERS = /^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?[ \t>]*/;
/** A ``` fence whose info string starts as a Shark tag and holds a backtick. */
const TAG_WITH_BACKTICK = /^`{3,}[ \t]*shark-[^`]*`/;

/**
 * An error for each line of a paragraph that was meant to open a Shark block
 * with a ``` fence whose info string holds a backtick (`shark-publish:a`b`,
 * `{id=`x`}`): CommonMark allows none there, so the line is text, the block
 * never runs, and the fence that was to close it opens another. Without it,
 * `check` said ok.
 */
export function backtickInInfo(file: string, node: Paragraph, lines: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (let line = node.position!.start.line; line <= node.position!.end.line; line++) {
    const text = lines[line - 1] ?? '';
    const indent = CONTAINERS.exec(text)![0].length;
    const m = TAG_WITH_BACKTICK.exec(text.slice(indent));
    if (m === null) continue;
    found.push(error(file, { line, col: indent + m[0].length },
      'a backtick in the info string of a ``` fence makes it no fence: markdown reads this line as text, so the block never runs (open it with ~~~, or leave the backtick out)'));
  }
  return found;
}
