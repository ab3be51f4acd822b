import { createHash } from 'node:crypto';

/** HTML text: every character that could open markup or end an attribute is escaped. */
export function esc(text: string): string {
  // Control characters (an ESC in a file name, a BEL in a log) shown as the command line shows them (`\x1b`), not drawn raw.
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A `/data/...` path as a link target: each segment percent-encoded, the slashes kept. */
export function dataHref(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * The link of a path as the document shows it: a map's pattern
 * (`/data/in/*.csv`, a join's `/data/m/+.tif`, a wildcard in any segment)
 * names no result, so it links to the directory it maps over, which has a page.
 */
export function shownPathHref(shown: string): string {
  const segments = shown.split('/');
  const from = segments.findIndex((s) => /[*?[]/.test(s) || /^\+(\.|$)/.test(s));
  return dataHref(from < 0 ? shown : `${segments.slice(0, from).join('/')}/`);
}

/** At most this many entries of a directory are listed: the directory of a million-item map stays a page of kilobytes. */
export const LISTING_LIMIT = 200;

/** An entry of a directory page: its name, whether it is a directory, and its content id when shown. */
export interface ListedEntry {
  readonly name: string;
  readonly dir: boolean;
  readonly id?: string;
}

/** A directory's entries under `path` as links, at most LISTING_LIMIT of them (the rest counted). */
export function listing(path: string, entries: readonly ListedEntry[]): string {
  const items = entries.slice(0, LISTING_LIMIT).map((e) =>
    `<li><a href="${esc(dataHref(`${path}/${e.name}`))}">${esc(e.name)}${e.dir ? '/' : ''}</a>${e.id === undefined ? '' : ` <code class="id">${esc(e.id)}</code>`}</li>`).join('\n');
  const more = entries.length - LISTING_LIMIT;
  return `<ul class="listing">${items}</ul>${more > 0 ? `<p class="more">… and ${more} more (the first ${LISTING_LIMIT} are listed; each entry has its page at its path)</p>` : ''}`;
}

/** A link to a stored object (only the server's reachable ids answer it). */
export function objectHref(id: string, name: string, download = false): string {
  return `/object/${encodeURIComponent(id)}?name=${encodeURIComponent(name)}${download ? '&download=1' : ''}`;
}

/**
 * A block's anchor: its id where that is a plain name; else a readable form
 * of it and a short hash, as distinct ids read alike once their other
 * characters are `_` (a sweep's `s[T=é]` and `s[T=è]`, `s[T=a.b]` and `s[T=a_b]`).
 */
export function blockAnchor(id: string): string {
  const slug = id.replace(/[^A-Za-z0-9_-]/g, '_');
  return slug === id ? `block-${id}` : `block-${slug}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024, u++);
  return `${v.toFixed(1)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The frame of every page: no inline script or style, so the Content-Security-Policy can forbid both. */
export function page(title: string, body: string, nav = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/assets/shark.css">
<script src="/assets/shark.js" defer></script>
</head>
<body>
<header class="top"><a href="/" class="home">Shark</a>${nav}</header>
<main>
${body}
</main>
</body>
</html>
`;
}
