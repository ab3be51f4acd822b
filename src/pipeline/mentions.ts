import type { Position } from '../diagnostics.js';
import { normaliseDataPath, type DataPath } from './data-path.js';
import type { QuoteContext, Word } from './shell-words.js';

/** A place in a command where a /data path is named. */
export interface Mention {
  readonly path: DataPath;
  /** What a redirection says about it; otherwise document order decides. */
  readonly redirect: 'in' | 'out' | undefined;
  /** Offset of the path's leading `/` in the command text. */
  readonly offset: number;
  readonly at: Position;
  /** Set when the last segment is a glob (`*`, `*.tif`): a map over the directory's items. */
  readonly wildcard?: { readonly pattern: string; readonly start: number; readonly end: number; readonly ctx: QuoteContext };
  /** Set when the last segment is `+`: each map job's output is named after its item. */
  readonly plus?: { readonly offset: number; readonly ctx: QuoteContext };
}

export type MentionResult = { ok: true; mention: Mention } | { ok: false; message: string; at: Position };

const GLOB = /[*?[]/;

/**
 * Finds the /data paths in a command's words: a word that is one, or that
 * has one after `=` (`--out=/data/x`). A path stops at the first shell
 * expansion: what comes before it up to the last `/` is the directory.
 */
export function findMentions(words: readonly Word[], posOf: (offset: number) => Position): MentionResult[] {
  const found: MentionResult[] = [];
  for (const { word, start, end } of candidates(words)) {
    let raw = word.value.slice(start, end);
    const at = posOf(word.offsets[start]!);
    const expansion = raw.search(/[$`]/);
    // An expansion inside double quotes or unquoted changes the path at run time.
    if (expansion >= 0 && word.contexts[start + expansion] !== "'") {
      const written = raw;
      raw = raw.slice(0, raw.lastIndexOf('/', expansion) + 1);
      if (raw === '/data/') {
        found.push({ ok: false, at, message: `\`${written}\`: name a fixed directory under /data before any \`$\`, such as /data/maps/$NAME, so that Shark knows which step writes it` });
        continue;
      }
    }
    const normal = normaliseDataPath(raw);
    if (!normal.ok) {
      found.push({ ok: false, message: normal.message, at });
      continue;
    }
    const segments = raw.split('/');
    const last = segments[segments.length - 1]!;
    const lastStart = start + raw.length - last.length;
    if (segments.slice(0, -1).some((s) => GLOB.test(s) || s === '+')) {
      found.push({ ok: false, message: `only the last segment of \`${raw}\` may be a wildcard (\`*\`) or \`+\``, at });
      continue;
    }
    let mention: Mention = { path: normal.path, redirect: word.redirect, offset: word.offsets[start]!, at };
    if (GLOB.test(last)) {
      const ctx = word.contexts[lastStart]!;
      const span = word.contexts.slice(lastStart, start + raw.length);
      if (span.some((c) => c !== ctx)) {
        found.push({ ok: false, message: `quote the whole wildcard segment \`${last}\` the same way`, at: posOf(word.offsets[lastStart]!) });
        continue;
      }
      if (last.includes('**') || last.includes('/')) {
        found.push({ ok: false, message: `\`${last}\`: a wildcard matches the items of one directory; \`**\` is not supported`, at: posOf(word.offsets[lastStart]!) });
        continue;
      }
      const open = unclosedBracket(last);
      if (open >= 0) {
        found.push({ ok: false, message: `unclosed \`[\` in the wildcard \`${last}\`: close the set with \`]\`, as in \`[ab]*\``, at: posOf(word.offsets[lastStart + open]!) });
        continue;
      }
      const dir = { text: normal.path.text.slice(0, normal.path.text.lastIndexOf('/')), isDir: true };
      mention = {
        ...mention,
        path: dir,
        wildcard: { pattern: last, start: word.offsets[lastStart]!, end: word.offsets[start + raw.length - 1]! + 1, ctx },
      };
    } else if (last === '+') {
      const dir = { text: normal.path.text.slice(0, normal.path.text.lastIndexOf('/')), isDir: true };
      mention = { ...mention, path: dir, plus: { offset: word.offsets[lastStart]!, ctx: word.contexts[lastStart]! } };
    }
    found.push({ ok: true, mention });
  }
  return found;
}

/**
 * Offset of a `[` that no `]` closes, or -1. Such a `[` is taken literally by
 * the shell and by the matcher, so `[ab*` quietly matches only names that
 * start with `[`: almost always a typo for a set. A `]` right after `[`, `[!`
 * or `[^` is part of the set, and `[:class:]` sits inside one.
 */
function unclosedBracket(pattern: string): number {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '[') continue;
    let j = i + 1;
    if (pattern[j] === '!' || pattern[j] === '^') j++;
    if (pattern[j] === ']') j++;
    for (; j < pattern.length && pattern[j] !== ']'; j++) {
      if (pattern.startsWith('[:', j)) {
        const end = pattern.indexOf(':]', j + 2);
        if (end > 0) j = end + 1;
      }
    }
    if (j >= pattern.length) return i;
    i = j;
  }
  return -1;
}

/**
 * Where paths start in each word: at its start, after `=`, or, inside a
 * command substitution within double quotes (`"n=$(wc -l < /data/x)"`),
 * after unquoted whitespace or `(`. Such an embedded path ends where the
 * substitution's words do.
 */
function* candidates(words: readonly Word[]): Generator<{ word: Word; start: number; end: number }> {
  for (const word of words) {
    const v = word.value;
    for (let i = v.indexOf('/data/'); i >= 0; i = v.indexOf('/data/', i + 1)) {
      const before = v[i - 1];
      const embedded = before !== undefined && before !== '=' && word.contexts[i] === '' && /[\s(`]/.test(before);
      if (i !== 0 && before !== '=' && !embedded) continue;
      let end = i;
      while (end < v.length && !(word.contexts[end] === '' && /[\s)`;|&<>]/.test(v[end]!))) end++;
      yield { word, start: i, end };
    }
  }
}
