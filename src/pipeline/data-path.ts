import { originalPathMessage, originalResultPath } from './original-paths.js';

/** A `/data/...` path, normalised: no `.`/`..`, no trailing slash in `text`. */
export interface DataPath {
  readonly text: string;
  /** Written with a trailing `/`. */
  readonly isDir: boolean;
}

export type PathResult = { ok: true; path: DataPath } | { ok: false; message: string };

export const DATA_ROOT = '/data';

/** A wildcard character: in a command, a path holding one maps over items. */
export const GLOB = /[*?[]/;
/** A segment that is `+` or `+.EXT`: in a command, each map job's item. */
export const PLUS_SEGMENT = /^\+(\.[^/*?[]+)?$/;

/**
 * Where a path that no shell reads (an import destination, a published path,
 * an input) holds what only a command gives a meaning: a wildcard, `+` or
 * `+.EXT`, a `$` or backquote. Taken literally they would name a file called
 * `*` or `$X`, which is never what was meant. `offset` is in `raw`.
 */
export function fixedPathProblem(raw: string, what: string): { offset: number; message: string } | undefined {
  let offset = 0;
  for (const segment of raw.split('/')) {
    const dir = raw.slice(0, offset);
    const glob = segment.search(GLOB);
    const expansion = segment.search(/[$`]/);
    if (PLUS_SEGMENT.test(segment)) {
      return { offset, message: `\`${segment}\` in \`${raw}\`: ${what} is taken as written, and \`+\` names map items only in a command; name the directory \`${dir}\` instead` };
    }
    if (glob >= 0 && (expansion < 0 || glob < expansion)) {
      return { offset: offset + glob, message: `wildcard \`${segment[glob]}\` in \`${raw}\`: ${what} is taken as written, not matched; name the directory \`${dir}\` instead` };
    }
    if (expansion >= 0) {
      return { offset: offset + expansion, message: `${segment[expansion] === '$' ? '`$`' : 'a backquote'} in \`${raw}\`: ${what} is not read by a shell, so nothing is expanded; write the path as it is` };
    }
    offset += segment.length + 1;
  }
  return undefined;
}

/**
 * `/data` written with only `/` and `.` before it (`//data/x`, `/./data/x`):
 * what the kernel takes for /data, and what stays the workspace's data once
 * the workspace's directory is put before it on the host.
 */
const PLAIN_LEAD = /^(?:\/+\.(?=\/))*\/+data(?=\/|$)/;
const ROOT = /^(?:\/+\.(?=\/))*\/+data(?:\/+\.?)*\/*$/;

/** The path is /data itself however written (`/data`, `//data/`, `/data/.`). */
export function isDataRoot(raw: string): boolean {
  return ROOT.test(raw);
}

/**
 * An absolute path that reaches /data once `//`, `.` and `..` are read from the
 * root, as the kernel reads them (`//data/x`, `/tmp/../data/x`): on the host,
 * left as written, it would be the machine's own /data.
 */
export function leadsIntoData(raw: string): boolean {
  if (!raw.startsWith('/')) return false;
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else if (segments.push(segment) === 1 && segment === 'data') return true;
  }
  return false;
}

/** The longest file name, in bytes, the file systems a store or workspace lives on take (ext4, xfs, zfs, tmpfs). */
export const NAME_MAX = 255;

/** The first name of `raw` longer than a file name can be, with its offset in `raw`. */
export function overlongName(raw: string): { name: string; offset: number } | undefined {
  let offset = 0;
  for (const name of raw.split('/')) {
    if (Buffer.byteLength(name) > NAME_MAX) return { name, offset };
    offset += name.length + 1;
  }
  return undefined;
}

/** Why `path` can be no file's: a name in it longer than `NAME_MAX` bytes (shown cut short). */
export function overlongMessage(path: string): string | undefined {
  const long = overlongName(path);
  if (long === undefined) return undefined;
  const shown = long.name.length > 24 ? `${long.name.slice(0, 24)}…` : long.name;
  return `the name \`${shown}\` in \`${path.slice(0, long.offset)}\` is longer than a file name can be (${Buffer.byteLength(long.name)} bytes, at most ${NAME_MAX})`;
}

export function normaliseDataPath(raw: string): PathResult {
  if (!leadsIntoData(raw)) {
    const original = originalResultPath(raw);
    return { ok: false, message: original !== undefined ? originalPathMessage(raw, original) : `\`${raw}\` is not a /data/... path` };
  }
  // Put after another directory, `..` would climb out of the workspace on the host (and a link may change where it goes).
  if (!PLAIN_LEAD.test(raw)) return { ok: false, message: `\`${raw}\` leads into /data through \`..\`: write the /data/... path itself` };
  const segments: string[] = [];
  for (const segment of raw.split('/').slice(1)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      if (segments.length === 0) return { ok: false, message: `path \`${raw}\` escapes /data` };
      continue;
    }
    segments.push(segment);
  }
  if (segments[0] !== 'data') return { ok: false, message: `path \`${raw}\` escapes /data` };
  if (segments.length < 2) return { ok: false, message: `\`${raw}\` names /data itself: name a file or directory under it` };
  return { ok: true, path: { text: '/' + segments.join('/'), isDir: raw.endsWith('/') } };
}

/** `/data/a/b` is under `/data/a`. */
export function isUnder(path: string, dir: string): boolean {
  return path.length > dir.length && path.startsWith(dir) && path[dir.length] === '/';
}

/** /data path `name` is `dir` or inside it. */
export const within = (name: string, dir: string): boolean => name === dir || isUnder(name, dir);

/** One path is the other, or inside it: writing either touches the other. */
export function overlaps(a: string, b: string): boolean {
  return a === b || isUnder(a, b) || isUnder(b, a);
}

export function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
