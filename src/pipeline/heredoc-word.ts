/** The here-document operator of a shell line, read as sh reads it. */

/** Whether a `<<` after `before` (its line so far) is a shift inside `$(( … ))`, not a here-document. */
export function inArithmetic(before: string): boolean {
  return before.lastIndexOf('$((') > before.lastIndexOf('))');
}

/**
 * The here-document operator at the start of `s` and its delimiter as sh
 * reads it: the word after `<<` (or `<<-`), quotes and backslashes removed
 * (`'END OF NOTES'`, `\EOF`, `E"O"F`, `""`); undefined when no word follows.
 */
export function heredocWord(s: string): { length: number; delim: string; stripTabs: boolean; quoted: boolean } | undefined {
  const op = /^<<(-?)[ \t]*/.exec(s)!;
  let i = op[0].length;
  let delim = '';
  let quoted = false;
  while (i < s.length && !/[ \t\n<>;&|()]/.test(s[i]!)) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return undefined;
      delim += s.slice(i + 1, end);
      quoted = true;
      i = end + 1;
    } else if (c === '\\' && i + 1 < s.length) {
      delim += s[i + 1]!;
      quoted = true;
      i += 2;
    } else {
      delim += c;
      i++;
    }
  }
  return delim === '' && !quoted ? undefined : { length: i, delim, stripTabs: op[1] === '-', quoted };
}

/**
 * Whether a line of an unquoted here-document's body ends in a `\` that sh
 * reads as a line continuation (an odd number of them): the next line is
 * joined to it, so it cannot be the delimiter (`<<EOF` … `a \` then `EOF`
 * is the text `a EOF`, and the here-document goes on).
 */
export function continuesLine(line: string): boolean {
  return /(?:^|[^\\])(?:\\\\)*\\$/.test(line);
}
