import { normaliseDataPath } from './data-path.js';
import type { Writers } from './writers.js';

/** A word of a publish line: its text and its offset in the line. */
export interface Word {
  readonly text: string;
  readonly offset: number;
}

/**
 * A `/data` path holding a space, which a publish block reads as several
 * words since it separates its paths by spaces (`/data/my results/a.txt`,
 * quoted or not): the words it takes (from `at`), and the error, at the
 * first space. Read as one path when some step writes it, or when the first
 * word alone is no path a step writes and the words after it are no
 * `/data` paths of their own; otherwise each word is reported as it is.
 */
export function spacedPath(
  line: string,
  words: readonly Word[],
  at: number,
  writers: Writers,
): { readonly words: number; readonly offset: number; readonly message: string } | undefined {
  const first = words[at]!;
  const quote = /^["']/.exec(first.text)?.[0] ?? '';
  if (!first.text.startsWith(`${quote}/data/`)) return undefined;
  let last = at;
  while (last + 1 < words.length && !/^(?:["']?\/|#)/.test(words[last + 1]!.text)) last++;
  if (last === at) return undefined;
  const end = words[last]!.offset + words[last]!.text.length;
  const written = line.slice(first.offset, end);
  const path = quote !== '' && written.endsWith(quote) ? written.slice(1, -1) : written.slice(quote.length);
  const whole = normaliseDataPath(path);
  const alone = normaliseDataPath(first.text.slice(quote.length));
  const writes = (p: typeof whole): boolean => p.ok && writers.resolve(p.path.text).kind !== 'none';
  if (!writes(whole) && writes(alone)) return undefined;
  const space = first.offset + first.text.length;
  const dir = path.slice(0, path.lastIndexOf('/', space - first.offset - quote.length) + 1);
  const instead = dir === '/data/'
    ? 'have the step write it under a name without a space (/data itself is not published)'
    : `publish the directory \`${dir}\` that holds it, or have the step write a name without a space`;
  const parts = words.slice(at, last + 1).map((w) => `\`${w.text}\``).join(' and ');
  return {
    words: last - at + 1,
    offset: space,
    message: `\`${path}\`: a published path cannot hold a space (a publish block separates its paths by spaces and reads no quotes, so this is ${parts}): ${instead}`,
  };
}
