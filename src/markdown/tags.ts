import type { BlockKind, BlockOptions } from './document.js';
import { escapedTag, lookAlikeTag, named, ODD_SPACE } from './look-alike.js';
import { invalidValue } from './option-values.js';

export interface Tag {
  readonly kind: BlockKind;
  readonly arg: string | undefined;
  readonly options: BlockOptions;
}

export type TagResult =
  | { ok: true; tag: Tag }
  /** `more`: the other options of the block that are wrong, each at its offset, reported beside the first. */
  | { ok: false; message: string; offset: number; more?: readonly { message: string; offset: number }[] }
  /**
   * Not a block to read: switched off by `{skip}` (no warning), or an unknown `shark-*` kind,
   * which the original Shark ignored and LIFE used to switch blocks off (a warning).
   */
  | { ok: 'skip'; warning: { message: string; offset: number } | undefined };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HASH = /^[0-9a-fA-F]{6,}$/;
const KINDS: readonly BlockKind[] = ['build', 'run', 'import', 'publish'];

/** Options each kind accepts inside `{...}` after the tag. */
const OPTIONS: Readonly<Record<BlockKind, readonly string[]>> = {
  build: ['id', 'skip'],
  run: ['id', 'network', 'timeout', 'threads', 'memory', 'pool', 'skip', 'manual', 'precious', 'deps', 'slurm'],
  import: ['id', 'skip', 'manual', 'precious'],
  publish: ['id', 'skip', 'manual'],
};

/** The error for an odd space at `i` in a tag: the character named, and the tag shown with it escaped. */
function oddSpace(lang: string, i: number): string {
  return `${named(lang[i]!)} after \`${lang.slice(0, i)}\`: a tag ends at an ordinary space (this one reads as \`${escapedTag(lang)}\`)`;
}

export function isSharkInfo(lang: string | null | undefined): boolean {
  return lang !== null && lang !== undefined && lang.startsWith('shark-');
}

/**
 * Parses `shark-KIND[:ARG][:HASH] [{opt, key=value}]`. A trailing hash, as
 * the original Shark writes into its output documents, is accepted and ignored.
 */
export function parseTag(lang: string, meta: string): TagResult {
  const odd = ODD_SPACE.exec(lang);
  if (odd !== null) return { ok: false, offset: odd.index, message: oddSpace(lang, odd.index) };
  const alike = lookAlikeTag(lang, tagKind);
  if (alike !== undefined) return { ok: false, ...alike };
  const segments = lang.split(':');
  const kindName = segments[0]!.slice('shark-'.length);
  if (!(KINDS as readonly string[]).includes(kindName)) {
    if (asksToSkip(meta)) return { ok: 'skip', warning: undefined };
    const near = KINDS.find((k) => kindName.startsWith(k) || k.startsWith(kindName) || editDistance(k, kindName) <= 2);
    return { ok: 'skip', warning: { offset: 0, message: unknownTag(segments[0]!, kindName === '' ? undefined : near) } };
  }
  const kind = kindName as BlockKind;
  let rest = segments.slice(1);
  if (rest.length >= 2 && rest[rest.length - 2] === 'sha256' && HASH.test(rest[rest.length - 1]!)) {
    rest = rest.slice(0, -2);
  }
  const usage = usageOf(kind);
  const malformed = (): TagResult => ({ ok: false, offset: 0, message: `malformed tag \`${lang}\`: expected ${usage}` });
  const argOffset = segments[0]!.length + 1;

  let arg: string | undefined;
  switch (kind) {
    case 'build':
    case 'run': {
      if (rest.length > 2) return malformed();
      // The original Shark's trailing hash (`shark-run:ENV:8a1a508b`): hex digits, 6 or more.
      if (rest.length === 2 && !HASH.test(rest[1]!)) {
        return { ok: false, offset: 0, message: `malformed tag \`${lang}\`: expected ${usage}; after a second \`:\` the original Shark's hash (\`${segments[0]}${rest[0] === '' ? '::' : `:${rest[0]}:`}HASH\`), 6 or more hex digits, not \`${rest[1]}\`` };
      }
      arg = rest[0];
      if (kind === 'build' && (arg === undefined || arg === '')) {
        return { ok: false, offset: 0, message: `\`shark-build\` needs an environment name: ${usage}` };
      }
      // `shark-run::HASH` is the original Shark's host step; a bare `shark-run:` lost its environment's name.
      if (arg === '' && rest.length === 1) {
        return { ok: false, offset: argOffset - 1, message: '`shark-run:` names no environment: write `shark-run` for the host or `shark-run:ENV`' };
      }
      if (arg === '') arg = undefined;
      if (arg !== undefined && !NAME.test(arg)) {
        return { ok: false, offset: argOffset, message: `invalid environment name \`${arg}\`: use ASCII letters, digits, '.', '_' and '-'` };
      }
      // `host` is what a run block without an environment shows as; a container by that name would be ambiguous.
      if (arg === HOST && kind === 'build') {
        return { ok: false, offset: argOffset, message: `\`${HOST}\` is reserved for steps that run on the host: name the environment something else` };
      }
      if (arg === HOST) arg = undefined;
      break;
    }
    case 'import': {
      // The original Shark writes `shark-import[:ALIAS][:HASH]`; neither changes what is imported.
      if (rest.length > 2 || (rest.length === 2 && !HASH.test(rest[1]!))) return malformed();
      if (rest[0] !== undefined && rest[0] !== '' && !NAME.test(rest[0])) return malformed();
      break;
    }
    case 'publish': {
      if (rest.length > 2) return malformed();
      if (rest.length === 2 && !HASH.test(rest[1]!)) return malformed();
      arg = rest[0] === '' ? undefined : rest[0];
      if (arg !== undefined && (arg.startsWith('/') || arg.split('/').includes('..'))) {
        return { ok: false, offset: argOffset, message: `publish directory \`${arg}\` must be relative and stay inside the pipeline's directory` };
      }
      // Taken as written (no shell reads it): `~/x` made a directory named `~` beside the document, inviting `rm -rf ~`.
      if (arg !== undefined && /^~|\$/.test(arg)) {
        return { ok: false, offset: argOffset, message: `publish directory \`${arg}\` is taken as written: Shark expands no \`~\` or \`$\` in it, and would make a directory of that name beside the document; write a path relative to the document` };
      }
      break;
    }
  }
  const options = parseOptions(meta, kind, lang.length + 1);
  if (!options.ok) return options;
  const skip = options.options['skip'];
  if (skip === true || skip === 'true') return { ok: 'skip', warning: undefined };
  return { ok: true, tag: { kind, arg, options: options.options } };
}

export const HOST = 'host';

function usageOf(kind: BlockKind): string {
  switch (kind) {
    case 'build':
      return 'shark-build:ENV';
    case 'run':
      return 'shark-run or shark-run:ENV';
    case 'import':
      return 'shark-import or shark-import:ALIAS';
    case 'publish':
      return 'shark-publish or shark-publish:DIR';
  }
}

function unknownTag(tag: string, near: BlockKind | undefined): string {
  const hint = near === undefined ? '' : `did you mean \`shark-${near}\`? `;
  return `unknown Shark block \`${tag}\`: ignored (${hint}Shark reads shark-build, shark-run, shark-import and shark-publish; write {skip} after a tag to switch a block off)`;
}

/**
 * The warning for the info string of a block that is prose to Shark but
 * would be a Shark tag if its case, `_`, `-` and spaces were set aside
 * (`Shark-run`, `shark_run`, `sharkrun`, `shark run`): its commands would
 * silently never run. Other tools' tags get none.
 */
export function nearMissTag(lang: string, meta: string): string | undefined {
  const info = meta === '' ? lang : `${lang} ${meta}`;
  const head = info.split(/[:{]/)[0]!.trimEnd();
  const kind = tagKind(head);
  const brace = info.indexOf('{');
  if (kind === undefined || (brace >= 0 && asksToSkip(info.slice(brace)))) return undefined;
  return unknownTag(head, kind);
}

/**
 * The error for the tag of a block that is prose to Shark only because the tag
 * holds a character that is invisible or passes for another (`lookAlikeTag`),
 * with its offset in `lang`; undefined for any other tag.
 */
export function lookAlikeProse(lang: string): { offset: number; message: string } | undefined {
  return lookAlikeTag(lang, tagKind);
}

/** The kind of Shark tag `info` (to its first `:` or `{`) is, case, `_`, `-` and spaces set aside. */
function tagKind(info: string): BlockKind | undefined {
  const squeezed = info.split(/[:{]/)[0]!.toLowerCase().replace(/[-_\s]/g, '');
  return KINDS.find((k) => squeezed === `shark${k}`);
}

/** `{…, skip, …}` after a tag Shark does not know: its other options are not Shark's to check. */
function asksToSkip(meta: string): boolean {
  const text = meta.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return false;
  return text.slice(1, -1).split(',').some((item) => /^skip(?:\s*=\s*true)?$/.test(item.trim()));
}

/** Levenshtein distance between two short words: enough to suggest `shark-run` for `shark-rnu`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** `{name, key=value}` after the tag. `offset` is where `meta` starts in the info string. */
function parseOptions(
  meta: string,
  kind: BlockKind,
  offset: number,
): { ok: true; options: BlockOptions } | { ok: false; message: string; offset: number; more?: { message: string; offset: number }[] } {
  const text = meta.trim();
  if (text === '') return { ok: true, options: {} };
  const skipped = meta.length - meta.trimStart().length;
  if (!text.startsWith('{') || !text.endsWith('}')) {
    return { ok: false, offset: offset + skipped, message: `unexpected \`${text}\` after the tag: options are written \`{name, key=value}\`` };
  }
  const options: Record<string, string | true> = {};
  // Every wrong option, not the first alone: a user fixing them one per check would check once per mistake.
  const problems: { message: string; offset: number }[] = [];
  const wrong = (offset: number, message: string): void => void problems.push({ offset, message });
  let at = offset + skipped + 1;
  let previous = '';
  for (const part of text.slice(1, -1).split(',')) {
    const itemAt = at + part.length - part.trimStart().length;
    at += part.length + 1;
    const item = part.trim();
    // `{}` holds no option; `{network,}` holds an empty one, most likely a word left out or deleted.
    if (item === '') {
      if (text.slice(1, -1).trim() !== '') wrong(itemAt, `empty option in \`${text}\`: remove the extra \`,\` or write the option that belongs there`);
      continue;
    }
    const spaced = spacedOptions(item, kind);
    if (spaced !== undefined) {
      const fixed = text.replace(item, spaced.words.join(', '));
      wrong(itemAt + spaced.at, `options are separated by commas: \`${text}\` holds \`${item}\`; write \`${fixed}\``);
      continue;
    }
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? true : item.slice(eq + 1).trim();
    // `{deps=a.lock,b.txt}`: a word that is no option of this kind, right after deps, is one more file.
    if (eq < 0 && previous === 'deps' && !OPTIONS[kind].includes(key)) {
      options['deps'] = `${String(options['deps'])},${key}`;
      const invalid = invalidValue('deps', key);
      if (invalid !== undefined) wrong(itemAt, invalid);
      continue;
    }
    previous = key;
    if (!OPTIONS[kind].includes(key)) {
      const allowed = OPTIONS[kind].join(', ');
      const near = OPTIONS[kind].find((o) => editDistance(o, key) <= (o.length > 4 ? 2 : 1));
      const hint = near === undefined ? '' : `did you mean \`${near}\`? `;
      wrong(itemAt, `unknown option \`${key}\` for shark-${kind} (${hint}allowed: ${allowed})`);
      continue;
    }
    if (key in options) {
      wrong(itemAt, `option \`${key}\` is given twice`);
      continue;
    }
    const invalid = invalidValue(key, value);
    if (invalid !== undefined) wrong(itemAt, invalid);
    options[key] = value;
  }
  const [first, ...more] = problems;
  if (first !== undefined) return { ok: false, ...first, ...(more.length > 0 ? { more } : {}) };
  return { ok: true, options };
}

/**
 * `{threads=1 memory=8G}`: options apart by spaces, as pandoc writes attributes. When every word of
 * `item` is an option of the kind, its words and where the second starts; otherwise undefined (an
 * unquoted `slurm` value holds its sbatch options apart by spaces; a quoted one is one word).
 */
function spacedOptions(item: string, kind: BlockKind): { words: string[]; at: number } | undefined {
  const found = [...item.matchAll(/(?:[^\s"]+|"[^"]*")+/g)];
  const words = found.map((m) => m[0]);
  const keyOf = (word: string): string => word.split('=')[0]!;
  const bareSlurm = keyOf(words[0] ?? '') === 'slurm' && !words[0]!.startsWith('slurm="');
  if (words.length < 2 || bareSlurm || !words.every((w) => OPTIONS[kind].includes(keyOf(w)))) return undefined;
  return { words, at: found[1]!.index };
}
