import type { Position } from '../diagnostics.js';
import { colOf, type SourceLine } from '../markdown/document.js';
import type { SplitProblem } from './shell-lines.js';

/** Why a fence line of the other character, or a shorter one, closes nothing. */
const ONLY_ITS_OWN = 'only a fence of the character that opened it, as long or longer, does; close it so, or remove this line';

/** A fence line inside a block (`~~~` in a `~~~~` block) that does not close it, which sh would run as a command. */
export function strayFence(at: Position, fence: string, why = ONLY_ITS_OWN): SplitProblem {
  return { at, message: `this ${fence} line does not close the block: ${why}` };
}

/**
 * A backquote left open at the end of a block. `~~~shark-run` … a ``` line …
 * `~~~`: the ``` line is in the block, read as the shell reads it; said as
 * a fence that closes nothing, with why (text after it, an indentation of 4
 * spaces or more, which makes it an indented code line, or the block's fence).
 */
export function unclosedBackquote(body: readonly SourceLine[], at: Position): SplitProblem {
  const src = body.find((l) => l.line === at.line);
  const found = /^(\s*)(?:>\s*)*(`{3,})([^`]*)$/.exec(src?.text ?? '');
  if (src === undefined || found === null) return { at, message: 'unterminated backquote' };
  const [, lead = '', fence = '', rest = ''] = found;
  const why = rest.trim() !== '' ? `a closing fence has nothing after its backquotes (here \`${rest.trim()}\`); remove that`
    : !src.text.includes('>') && lead.length >= 4 ? `it is indented ${lead.length} spaces, and a closing fence 3 at most; indent it as the block's fence is`
      : undefined;
  return strayFence({ line: src.line, col: colOf(src, src.text.indexOf('`')) }, fence, why);
}
