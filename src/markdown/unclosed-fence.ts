import { named, ODD_SPACE } from './look-alike.js';

/**
 * Why a fence opened on line `openLine` (at column `fenceCol`) found no
 * closing line before `lastLine`, where the block ended: said after the
 * message as `: line N …`, or '' when nothing explains it.
 */
export function whyUnclosed(lines: readonly string[], openLine: number, lastLine: number, marker: string, fenceCol: number): string {
  return oddClose(lines, openLine, lastLine, marker) ?? outdented(lines, lastLine, lines[openLine - 1] ?? '', fenceCol);
}

/** Whether `line` is a fence closing the block `open` opened: the same character, as long or longer, nothing after it. */
export function isClosingFence(line: string, open: string): boolean {
  const m = /^\s*(?:>\s*)*(`{3,}|~{3,})\s*$/.exec(line);
  return m !== null && m[1]![0] === open[0] && m[1]!.length >= open.length;
}

const ODD_SPACES = new RegExp(ODD_SPACE.source, 'g');

/**
 * A line of the unclosed block that would close it but for an invisible
 * character (a no-break space pasted before or after the fence), which
 * markdown does not take for a space: said with the line and the character.
 */
function oddClose(lines: readonly string[], openLine: number, lastLine: number, marker: string): string | undefined {
  for (let n = openLine + 1; n <= lastLine; n++) {
    const text = lines[n - 1] ?? '';
    const odd = [...text].find((c) => ODD_SPACE.test(c));
    if (odd === undefined || !isClosingFence(text.replace(ODD_SPACES, ''), marker)) continue;
    return `: line ${n} would close it, but holds ${named(odd)}, which markdown does not read as a space; retype that line as ${marker}`;
  }
  return nearlyClose(lines, openLine, lastLine, marker);
}

/**
 * A line of the unclosed block that reads as meant to close it, and why it
 * does not: text after its fence and a space (```` ``` done ````), a fence shorter than
 * the opening one, or an indentation of 4 spaces or more (a code line).
 */
function nearlyClose(lines: readonly string[], openLine: number, lastLine: number, marker: string): string | undefined {
  for (let n = openLine + 1; n <= lastLine; n++) {
    const found = /^( *)(`{3,}|~{3,})(.*)$/.exec(lines[n - 1] ?? '');
    if (found === null || found[2]![0] !== marker[0]) continue;
    const [, lead, fence, rest] = found;
    // An info string right after the fence (```` ```python ````, a Shark tag) opens a block: it closes none.
    if (/^[^\s]/.test(rest!) || rest!.trim().startsWith('shark-')) continue;
    const why = fence!.length < marker.length ? `its ${fence} is shorter than the ${marker} that opened the block, and a closing fence is as long or longer`
      : rest!.trim() !== '' ? `a closing fence has nothing after it (here \`${rest!.trim()}\`); remove that`
        : lead!.length >= 4 ? `it is indented ${lead!.length} spaces, and a closing fence 3 at most` : undefined;
    if (why !== undefined) return `: line ${n} does not close it: ${why}`;
  }
  return undefined;
}

/**
 * Why a fence in a list item found no closing line, when a line indented less than the fence ended the item
 * (and the block with it) right after it: the closing fence below, as indented as the opening one, reads to
 * the eye as closing it, but markdown reads it as opening a block of its own.
 */
function outdented(lines: readonly string[], lastLine: number, openLine: string, fenceCol: number): string {
  const next = lines[lastLine] ?? '';
  const indent = /^ */.exec(next)![0].length;
  const before = openLine.slice(0, fenceCol - 1);
  // In a quote, a line without its `>` ends the quote: a code block does not continue lazily, as a paragraph does.
  const quote = /^( *>)+/.exec(before)?.[0];
  if (quote !== undefined && next.trim() !== '' && !next.startsWith(quote)) {
    return `: line ${lastLine + 1} does not start with the quote's \`>\`, so it ends the quote, and the block with it; start every line of the block with \`>\``;
  }
  const item = /^ *(?:[-+*]|\d{1,9}[.)])[ \t]/.test(before) || /^ *$/.test(before);
  if (!item || fenceCol === 1 || next.trim() === '' || next.includes('\t') || indent >= fenceCol - 1) return '';
  const shown = indent === 0 ? 'is not indented' : `is indented ${indent} space${indent === 1 ? '' : 's'}`;
  return `: line ${lastLine + 1} ${shown}, less than the fence's ${fenceCol - 1}, so it ends the list item, `
    + 'and the block with it; indent every line of the block as its fence is';
}
