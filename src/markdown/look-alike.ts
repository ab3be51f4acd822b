/**
 * Characters of a tag that a reader cannot see, or cannot tell from an ASCII
 * one. Pasted from a word processor, a chat or a web page (which put a
 * zero-width space before a word, or a non-breaking hyphen in it), they make
 * `shark-run` a tag no Shark reads, and its block prose that silently never runs.
 */

/**
 * Spaces CommonMark does not end a tag at, which look like one: Option+Space
 * on a Mac types U+00A0, so `shark-run {id=x}` can hold a tag `shark-run\u00a0`
 * that no message could show as anything but `shark-run `.
 */
export const ODD_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff]/;

/** Shown: format characters (zero-width ones, the soft hyphen, bidi marks) and spaces other than the ASCII one. */
export const INVISIBLE = /(?! )[\p{Cf}\p{Zs}]/u;
const DASH = /(?!-)[\p{Pd}\u2212]/u;
/** Letters of other scripts drawn as the ASCII ones of Shark's tags (NFKC maps the fullwidth ones). */
const LETTERS: Readonly<Record<string, string>> = {
  а: 'a', с: 'c', ԁ: 'd', е: 'e', һ: 'h', і: 'i', ӏ: 'l', о: 'o', р: 'p', ѕ: 's', υ: 'u', ο: 'o', ι: 'i', κ: 'k', ρ: 'p', α: 'a',
};

const NAMES: Readonly<Record<string, string>> = {
  '\u00a0': 'a non-breaking space', '\u202f': 'a narrow non-breaking space', '\u200b': 'a zero-width space',
  '\u2060': 'a word joiner', '\ufeff': 'a zero-width no-break space', '\u3000': 'an ideographic space',
  '\u200c': 'a zero-width non-joiner', '\u200d': 'a zero-width joiner', '\u00ad': 'a soft hyphen',
  '\u2010': 'a Unicode hyphen', '\u2011': 'a non-breaking hyphen', '\u2012': 'a figure dash', '\u2013': 'an en dash',
  '\u2014': 'an em dash', '\u2212': 'a minus sign',
};

/** The ASCII text `c` passes for ('' when it is invisible), or undefined when it is what it looks like. */
function plain(c: string): string | undefined {
  if (INVISIBLE.test(c)) return '';
  if (DASH.test(c)) return '-';
  const ascii = LETTERS[c] ?? c.normalize('NFKC');
  return ascii !== c && /^[!-~]$/.test(ascii) ? ascii : undefined;
}

/** `c` named for a message: what it is, and its code point. */
export function named(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const fallback = (): string => {
    const p = plain(c);
    if (p === '') return /\p{Zs}/u.test(c) ? 'a Unicode space' : 'an invisible character';
    return p === '-' ? 'a dash other than `-`' : `a look-alike of \`${p ?? c}\``;
  };
  return `${NAMES[c] ?? fallback()} (${code})`;
}

/** A tag as a message shows it: each character that is not what it looks like escaped, so that the message can tell. */
export function escapedTag(tag: string): string {
  return [...tag].map((c) => (plain(c) === undefined ? c : `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)).join('');
}

/**
 * The error for a tag (the info string's first word, before any `{`) that
 * would be a Shark tag (`kindOf` says which) were its invisible and look-alike
 * characters what they pass for, at the first of them; undefined for any other.
 */
export function lookAlikeTag(lang: string, kindOf: (tag: string) => string | undefined): { offset: number; message: string } | undefined {
  const tag = lang.split('{')[0]!;
  let first: { at: number; c: string } | undefined;
  let clean = '';
  for (let i = 0; i < tag.length;) {
    const c = String.fromCodePoint(tag.codePointAt(i)!);
    const p = plain(c);
    if (p !== undefined) first ??= { at: i, c };
    clean += p ?? c;
    i += c.length;
  }
  const kind = first === undefined ? undefined : kindOf(clean);
  if (first === undefined || kind === undefined) return undefined;
  const where = first.at === 0 ? 'at its start' : `after \`${escapedTag(tag.slice(0, first.at))}\``;
  const meant = `shark-${kind}${clean.slice(clean.split(':')[0]!.length)}`;
  const message = `\`${escapedTag(tag)}\` is no Shark tag: it holds ${named(first.c)} ${where}, so its block is prose and never runs (did you mean \`${meant}\`?)`;
  return { offset: first.at, message };
}
