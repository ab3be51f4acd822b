/**
 * Text aligned in columns at a terminal, where a character's width is not
 * its count of UTF-16 units (what `padEnd` counts): an ideograph or an emoji
 * takes two columns (`种子.txt` is 8 wide, 6 long) and a combining mark none
 * (`e\u0301` is 1 wide, 2 long). Item names, paths and block ids are the
 * user's own, so a renderer lining them up measures them here.
 */

/**
 * The main East Asian Wide and Fullwidth blocks (UAX #11), as `wcwidth`
 * (Markus Kuhn's, which terminals follow) has them: Hangul Jamo, CJK
 * radicals to Yi (but the half-width U+303F), Hangul syllables, CJK
 * compatibility ideographs and forms, fullwidth forms, the pictographs and
 * emoticons, and the ideographs of planes 2 and 3.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3040, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

/** Marks drawn over the character before them (`e\u0301`, `\u20dd`), and the variation selectors. */
const COMBINING = /^[\p{Mn}\p{Me}]$/u;
/** Text below U+0300 (ASCII, Latin-1, Latin Extended): one column a unit, measured without a walk. */
const NARROW = /^[\u0000-\u02ff]*$/;

function charWidth(c: string): number {
  const code = c.codePointAt(0)!;
  if (code < 0x300) return 1;
  if (COMBINING.test(c)) return 0;
  return WIDE.some(([first, last]) => code >= first && code <= last) ? 2 : 1;
}

/** How many terminal columns `s` takes. */
export function displayWidth(s: string): number {
  if (NARROW.test(s)) return s.length;
  let width = 0;
  for (const c of s) width += charWidth(c);
  return width;
}

/** `s` padded with spaces to `width` terminal columns (as it is when already as wide): `padEnd` by columns. */
export function padDisplay(s: string, width: number): string {
  const short = width - displayWidth(s);
  return short > 0 ? s + ' '.repeat(short) : s;
}

/** The start of `s` that fits in `width` terminal columns: `slice` by columns. */
export function cutToWidth(s: string, width: number): string {
  if (NARROW.test(s)) return s.slice(0, Math.max(0, width));
  let taken = 0;
  let end = 0;
  for (const c of s) {
    taken += charWidth(c);
    if (taken > width) break;
    end += c.length;
  }
  return s.slice(0, end);
}
