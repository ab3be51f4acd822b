import { originalPathMessage, originalResultPath } from './original-paths.js';

/** A `/data/...` path, normalised: no `.`/`..`, no trailing slash in `text`. */
export interface DataPath {
  readonly text: string;
  /** Written with a trailing `/`. */
  readonly isDir: boolean;
}

export type PathResult = { ok: true; path: DataPath } | { ok: false; message: string };

export const DATA_ROOT = '/data';

export function normaliseDataPath(raw: string): PathResult {
  if (raw !== DATA_ROOT && !raw.startsWith('/data/')) {
    const original = originalResultPath(raw);
    return { ok: false, message: original !== undefined ? originalPathMessage(raw, original) : `\`${raw}\` is not a /data/... path` };
  }
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
