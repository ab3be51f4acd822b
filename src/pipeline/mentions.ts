import type { Position } from '../diagnostics.js';
import { programIndex } from './command-words.js';
import { GLOB, isDataRoot, leadsIntoData, normaliseDataPath, PLUS_SEGMENT, type DataPath } from './data-path.js';
import type { QuoteContext, Word } from './shell-words.js';

/** A place in a command where a /data path is named. */
export interface Mention {
  readonly path: DataPath;
  /** What a redirection says about it; otherwise document order decides. */
  readonly redirect: 'in' | 'out' | undefined;
  /** Offset of the path's leading `/` in the command text. */
  readonly offset: number;
  readonly at: Position;
  /**
   * Set when a segment is a glob (`*`, `*.tif`, in any segment): a map over the
   * items of `path`, each the part of a matching path from the first wildcard segment on.
   * `start`..`end` is that part's span in the command text.
   */
  readonly wildcard?: { readonly pattern: string; readonly start: number; readonly end: number; readonly ctx: QuoteContext };
  /**
   * Set when a segment is `+` or `+.EXT`: the item of each map job (with its last
   * extension replaced by `ext`), written or, under a directory an earlier step writes, joined.
   * `dir` when a `/` follows (`/data/split/+/`, `/data/split/+/n.txt`): the item is a directory;
   * `offset`..`end` spans the `+` segment alone.
   */
  readonly plus?: { readonly offset: number; readonly end: number; readonly ctx: QuoteContext; readonly ext: string | undefined; readonly dir: boolean; readonly file?: string };
  /** Set when the path was cut at a `$` or backquote (`/data/out/$s.txt`): the command names something inside it, made at run time. */
  readonly cut?: true;
  /** The name of the program of the simple command the path is an argument of (`ls`, `gdal_translate`). */
  readonly program: string | undefined;
  /** Set when the path is where a program that copies puts what it is given (`cp a b /data/y/`, `mv -t /data/y`). */
  readonly dest?: true;
  /** Set when the program changes the files it is given in place (`sed -i`, `perl -pi`): it reads and rewrites the path. */
  readonly inPlace?: true;
  /**
   * Set when the path is an output of a program that otherwise only reads (`sort -o /data/x`, `uniq IN /data/x`), or
   * a value given to its program (`awk -v out=/data/x/`), which may write there.
   */
  readonly written?: true;
}

/**
 * A failure's `root` is set when the path is `/data` or `/data/` alone (its
 * offset in the command text): an error in a document, and at the shell's
 * prompt the whole view.
 */
export type MentionResult = { ok: true; mention: Mention } | { ok: false; message: string; at: Position; root?: number };

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
    const cut = expansion >= 0 && word.contexts[start + expansion] !== "'";
    if (cut) {
      const written = raw;
      raw = raw.slice(0, raw.lastIndexOf('/', expansion) + 1);
      if (isDataRoot(raw)) {
        found.push({ ok: false, at, message: `\`${written}\`: name a fixed directory under /data before any \`$\`, such as /data/maps/$NAME, so that Shark knows which step writes it` });
        continue;
      }
    }
    const normal = normaliseDataPath(raw);
    if (!normal.ok) {
      found.push({ ok: false, message: normal.message, at, ...(isDataRoot(raw) ? { root: word.offsets[start]! } : {}) });
      continue;
    }
    const shaped = shapeMention(raw, start, word, normal.path, posOf);
    if (!shaped.ok) {
      found.push(shaped);
      continue;
    }
    const { program, dest, inPlace, written } = programOf(words, word, start);
    // `split IN /data/parts/chunk-` writes chunk-aa, chunk-ab… beside the prefix: its directory is the output.
    const prefix = shaped.mention.wildcard === undefined && shaped.mention.plus === undefined && !normal.path.isDir && prefixOperand(words, word, start, program);
    const parent = normal.path.text.slice(0, normal.path.text.lastIndexOf('/'));
    // As a name made at run time inside it (`/data/parts/$x`): the directory is made for the job, which names what is in it.
    const path = prefix && parent !== '/data' ? { path: { text: parent, isDir: true }, cut: true as const } : {};
    const mention: Mention = {
      redirect: word.redirect, offset: word.offsets[start]!, at, program, ...shaped.mention, ...path, ...(cut ? { cut: true as const } : {}), ...(dest ? { dest: true as const } : {}),
      ...(inPlace ? { inPlace: true as const } : {}), ...(written ? { written: true as const } : {}),
    };
    found.push({ ok: true, mention });
  }
  return found;
}

type Shaped = { ok: true; mention: Pick<Mention, 'path'> & Partial<Pick<Mention, 'wildcard' | 'plus'>> } | { ok: false; message: string; at: Position };

/**
 * Reads wildcards and `+` in a path: a glob may be in any segment (the map's
 * items are the paths from the first glob segment on), `+` or `+.EXT` once (a
 * `/` after it makes the item a directory, `+/x.txt` a file in it), and never both in one path.
 */
function shapeMention(raw: string, start: number, word: Word, normal: DataPath, posOf: (offset: number) => Position): Shaped {
  const segments = raw.split('/');
  const segStart = (n: number): number => start + segments.slice(0, n).join('/').length + (n > 0 ? 1 : 0);
  const at = (n: number, within = 0): Position => posOf(word.offsets[segStart(n) + within]!);
  const firstGlob = segments.findIndex((s) => GLOB.test(s));
  const plus = segments.findIndex((s) => PLUS_SEGMENT.test(s));
  const inItem = plus >= 0 ? afterPlus(raw, segments, plus, at) : undefined;
  if (inItem !== undefined) return inItem;
  if (plus >= 0 && firstGlob >= 0) {
    return { ok: false, at: at(firstGlob), message: `\`${raw}\` has both a wildcard and \`+\`: a path either maps over items or names one` };
  }
  if (firstGlob < 0 && plus < 0) return { ok: true, mention: { path: normal } };
  const from = plus >= 0 ? plus : firstGlob;
  // `+/FILE`: only the `+` segment is the item; what follows names a file in its directory.
  const end = plus >= 0 ? segStart(plus) + segments[plus]!.length : start + raw.replace(/\/+$/, '').length;
  const ctx = word.contexts[segStart(from)]!;
  if (word.contexts.slice(segStart(from), end).some((c) => c !== ctx)) {
    return { ok: false, at: at(from), message: `quote the whole wildcard part \`${segments.slice(from).join('/')}\` the same way` };
  }
  const dir = directoryOf(segments.slice(0, from).join('/'));
  const span = { start: word.offsets[segStart(from)]!, end: word.offsets[end - 1]! + 1 };
  if (plus >= 0) {
    const ext = segments[plus]!.slice(1);
    const plusDir = plus < segments.length - 1;
    // `+/stats.txt`: the file named in the item's directory, which a join needs there.
    const file = segments.slice(plus + 1).filter((s) => s !== '').join('/');
    return { ok: true, mention: { path: dir, plus: { offset: span.start, end: span.end, ctx, ext: ext === '' ? undefined : ext, dir: plusDir, ...(file !== '' ? { file } : {}) } } };
  }
  const rest = segments.slice(from);
  for (let n = 0; n < rest.length; n++) {
    const s = rest[n]!;
    if (s === '.' || s === '..') return { ok: false, at: at(from + n), message: `\`${s}\` after a wildcard in \`${raw}\`: write the directory before the wildcard` };
    if (s.includes('**')) return { ok: false, at: at(from + n), message: `\`${s}\`: a wildcard matches the names of one directory level; \`**\` is not supported (write one \`*\` per level, as in /data/dir/*/*.tif)` };
    const open = unclosedBracket(s);
    if (open >= 0) return { ok: false, at: at(from + n, open), message: `unclosed \`[\` in the wildcard \`${s}\`: close the set with \`]\`, as in \`[ab]*\`` };
  }
  // A trailing slash (`/data/in/*/`) matches directories only, as in sh: kept on the pattern.
  const dirsOnly = rest.length > 1 && rest[rest.length - 1] === '';
  return { ok: true, mention: { path: dir, wildcard: { pattern: rest.filter((s) => s !== '').join('/') + (dirsOnly ? '/' : ''), ...span, ctx } } };
}

/**
 * The error in what follows a `+` segment (`/data/o/+/x.txt`: a file in the item's directory), if any:
 * a second `+`, or `.` and `..`, which would lead out of the item or make one path of two spellings.
 */
function afterPlus(raw: string, segments: readonly string[], plus: number, at: (n: number) => Position): Shaped | undefined {
  for (let n = plus + 1; n < segments.length; n++) {
    const s = segments[n]!;
    if (PLUS_SEGMENT.test(s)) return { ok: false, at: at(n), message: `\`+\` may be only once in \`${raw}\`` };
    if (s === '.' || s === '..') {
      const fixed = [...segments.slice(0, plus + 1), ...segments.slice(n + 1)].join('/');
      return { ok: false, at: at(n), message: `\`${s}\` after \`+\` in \`${raw}\`: a file in the item's directory is named after \`+/\`, as in ${fixed}` };
    }
  }
  return undefined;
}

/** The normalised directory before a wildcard or `+`; `/data` itself when there is none (an error the caller reports). */
function directoryOf(prefix: string): DataPath {
  const normal = normaliseDataPath(`${prefix}/_`);
  return { text: normal.ok ? normal.path.text.slice(0, -2) : '/data', isDir: true };
}

/** Programs that rewrite the files they are given when an option says so: `sed -i`, `sed -Ei.bak`, `--in-place`, `perl -pi`, `gawk -i inplace`. */
const IN_PLACE: Readonly<Record<string, RegExp>> = {
  sed: /^(-[nrEsuz]*i|--in-place)/, perl: /^-[0-9aclnpswWtTUX]*i/, gawk: /^(-i|--include=)?inplace$/, awk: /^(-i|--include=)?inplace$/, mawk: /^(-i|--include=)?inplace$/,
};

/** `split`'s options given their value as the next word (`-l 100`): that word is no operand. */
const SPLIT_VALUES = /^-[lbCnat]$/;

/**
 * Whether the word is a prefix the program writes files after, never a file of
 * that name: `split [OPTION]… IN PREFIX`'s second operand, `csplit -f PREFIX`
 * (`--prefix=PREFIX`).
 */
function prefixOperand(words: readonly Word[], word: Word, start: number, program: string | undefined): boolean {
  if (program !== 'split' && program !== 'csplit') return false;
  const { own, n } = commandWords(words, word.command);
  const args = own.slice(n! + 1);
  const at = args.indexOf(word);
  if (program === 'csplit') return (start === 0 && ['-f', '--prefix'].includes(args[at - 1]?.value ?? '')) || (start > 0 && word.value.startsWith('--prefix='));
  if (start !== 0) return false;
  const operands = args.filter((w, k) => !/^-./.test(w.value) && !SPLIT_VALUES.test(args[k - 1]?.value ?? ''));
  return operands.length === 2 && operands[1] === word;
}

/** Programs that copy what they are given into their last operand, or into the directory after `-t`. */
const COPIERS = new Set(['cp', 'mv', 'ln', 'install', 'rsync']);
const TARGET_OPTION = '--target-directory=';

/** The words of simple command `command` (no redirection targets), and the index of its program among them. */
function commandWords(words: readonly Word[], command: number): { own: Word[]; n: number | undefined } {
  const own = words.filter((w) => w.command === command && w.redirect === undefined);
  return { own, n: programIndex(own.map((w) => w.value)) };
}

/** The program of simple command `command` (its name, without a directory) and the words after it. */
export function programOfCommand(words: readonly Word[], command: number): { program: string; args: Word[] } | undefined {
  const { own, n } = commandWords(words, command);
  if (n === undefined) return undefined;
  const found = own[n]!.value;
  return { program: found.slice(found.lastIndexOf('/') + 1), args: own.slice(n + 1) };
}

/**
 * The program a word is an argument of: that of its simple command (`programIndex`), if the word is not the
 * program itself; `dest` when the word is where that program copies to (the path starts the word, or follows `-t`'s `=` form).
 */
function programOf(words: readonly Word[], word: Word, start: number): { program: string | undefined; dest: boolean; inPlace?: boolean; written?: boolean } {
  const { own, n } = commandWords(words, word.command);
  const found = n === undefined ? undefined : own[n]!;
  if (found === undefined || found === word) return { program: undefined, dest: false };
  const program = found.value.slice(found.value.lastIndexOf('/') + 1);
  const args = own.slice(n! + 1);
  const at = args.indexOf(word);
  const inPlace = IN_PLACE[program];
  if (inPlace !== undefined) return { program, dest: false, inPlace: args.some((w) => inPlace.test(w.value)), written: start > 0 };
  if (program === 'sort' || program === 'shuf') {
    return { program, dest: false, written: word.value.startsWith('--output=') || ['-o', '--output'].includes(args[at - 1]?.value ?? '') };
  }
  if (program === 'uniq') {
    // `uniq [-f N] IN OUT`: the second operand is written (the values of -f, -s and -w are no operands).
    const operands = args.filter((w, k) => !/^-./.test(w.value) && !/^-[fsw]$/.test(args[k - 1]?.value ?? ''));
    return { program, dest: false, written: operands.indexOf(word) === 1 };
  }
  if (!COPIERS.has(program)) return { program, dest: false };
  if (word.value.startsWith(TARGET_OPTION)) return { program, dest: start === TARGET_OPTION.length };
  if (start !== 0) return { program, dest: false };
  if (args[at - 1]?.value === '-t' || args[at - 1]?.value === '--target-directory') return { program, dest: true };
  // `install -d` makes the directories it is given; with `-t` elsewhere, the last operand is a source.
  const options = args.filter((w) => /^-[^-]/.test(w.value) || w.value.startsWith('--')).map((w) => w.value);
  if (options.some((o) => o === '-t' || o.startsWith('--target-directory') || o === '--directory' || (program === 'install' && /^-[^-]*d/.test(o)))) {
    return { program, dest: false };
  }
  const operands = args.filter((w) => !/^-./.test(w.value));
  return { program, dest: at === args.length - 1 && operands.length >= 2 };
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

/** The program of the simple command `word` is an argument of (`python3` of `python3 -c "…"`), if any. */
export function programOfWord(words: readonly Word[], word: Word): string | undefined {
  return programOf(words, word, 0).program;
}

/** Offsets in the command text where Shark reads a /data path (a mention, or a path it refuses), as `findMentions` does. */
export function pathStarts(words: readonly Word[]): Set<number> {
  return new Set([...candidates(words)].map(({ word, start }) => word.offsets[start]!));
}

/**
 * Where paths start in each word: at its start, or after `=`. A command
 * substitution inside double quotes (`"n=$(wc -l < /data/x)"`) has words of
 * its own (shell-words.ts `substituted`), so a path in it is read, with its
 * redirection, as outside quotes. `/data` alone is one too (an error): on the host
 * it would be the machine's own /data, which no step may read or write.
 * So is any path the kernel reads as one under /data (`//data/x`, `/tmp/../data`).
 */
function* candidates(words: readonly Word[]): Generator<{ word: Word; start: number; end: number }> {
  for (const word of words) {
    const v = word.value;
    for (let i = v.indexOf('/'); i >= 0; i = v.indexOf('/', i + 1)) {
      if (i !== 0 && v[i - 1] !== '=') continue;
      let end = i;
      while (end < v.length && !(word.contexts[end] === '' && /[\s)`;|&<>]/.test(v[end]!))) end++;
      if (leadsIntoData(v.slice(i, end))) yield { word, start: i, end };
    }
  }
}
