import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { isUnder } from '../pipeline/data-path.js';
import type { KeyObject } from 'node:crypto';
import type { Session } from '../plan/session.js';
import { withoutEscapes } from '../printable.js';
import { endOf } from '../text-chunks.js';
import { SCRIPT, STYLE } from './assets.js';
import { byteRange } from './byte-range.js';
import { failureWords } from '../lineage/latest-producer.js';
import { documentPage } from './document-page.js';
import { esc, formatBytes, page } from './html.js';
import type { Live } from './live.js';
import { contentType, readHead, storedFile } from './preview.js';
import { resultPage } from './result-page.js';

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** Stored bytes are data: shown, never run, even an SVG or a file that looks like HTML. */
const OBJECT_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

export interface ServeOptions {
  readonly session: Session;
  readonly live: Live;
  readonly title: string;
  readonly trusted: readonly KeyObject[];
  /** Host names the page answers to (a loopback server refuses others: DNS rebinding). */
  readonly hosts: ReadonlySet<string> | undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, csp = PAGE_CSP): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** What reading a stored object fails with when it vanished or was damaged under a running page. */
const STORED_DATA_GONE = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EIO', 'EACCES', 'ELOOP']);

function notFound(res: ServerResponse, what: string, status = 404): void {
  const title = status === 400 ? 'Bad request' : 'Not found';
  send(res, status, 'text/html; charset=utf-8', page(title, `<h1>${title}</h1><p>${esc(what)}</p><p><a href="/">back to the document</a></p>`));
}

/** The read-only web page of one document: GET and HEAD only, no route writes anything. */
export function createPageServer(o: ServeOptions): Server {
  // Loaded here, not by every command at start-up (~2 ms with the HTTP client's TLS).
  const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  const server = createServer((req, res) => {
    handle(o, req, res).catch((e: unknown) => {
      if (res.headersSent) res.end();
      else if (STORED_DATA_GONE.has((e as NodeJS.ErrnoException).code ?? '')) {
        // A stored object gone or damaged since the page was indexed: said as fsck would, naming no host path.
        send(res, 500, 'text/html; charset=utf-8', page('Stored data missing', '<h1>Stored data missing</h1><p>The stored bytes of this result are missing from the store, damaged, or cannot be read. Run <code>shark fsck</code> to find what is damaged, and <code>shark fsck --repair</code> then a run to make it again.</p><p><a href="/">back to the document</a></p>'));
      } else send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(e as Error).message.split('\n')[0]}\n`);
    });
  });
  // Node closes a CONNECT's connection without a word unless someone answers it: refused as any other method.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return server;
}

/** The URL of a request target: a path, or a whole http URL; `*` and an authority name no page. */
function targetUrl(target: string): URL | undefined {
  try {
    // Concatenated, not resolved: `//data/x` is a path here, not another host.
    if (target.startsWith('/')) return new URL(`http://page.invalid${target}`);
    return /^https?:\/\//i.test(target) ? new URL(target) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a raw request target's path holds a `.` or `..` segment, plain or
 * percent-encoded (`%2e`): the URL parser resolves them (a backslash is a
 * separator to it), so they are refused before it sees them, never followed.
 */
function hasDotSegment(target: string): boolean {
  const path = target.replace(/^https?:\/\/[^/]*/i, '').replace(/[?#].*$/s, '');
  return path.split(/[/\\]/).some((s) => /^(?:\.|%2e){1,2}$/i.test(s));
}

async function handle(o: ServeOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'read-only: only GET and HEAD\n');
  }
  // Two Host headers (Node keeps the first): which one names the site is ambiguous, as RFC 9112 says (400).
  if (req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host').length > 1) return send(res, 400, 'text/plain; charset=utf-8', 'more than one Host header\n');
  // A whole URL as the target names its host too, which wins over the Host header (RFC 9112): checked alike.
  const absolute = /^https?:\/\/([^/?#]*)/i.exec(req.url ?? '');
  const named = [req.headers.host ?? '', ...(absolute === null ? [] : [absolute[1]!.replace(/^.*@/, '')])];
  if (o.hosts !== undefined && named.some((h) => !o.hosts!.has(h.replace(/:\d+$/, '').toLowerCase()))) return send(res, 421, 'text/plain; charset=utf-8', 'unknown host name\n');
  if (hasDotSegment(req.url ?? '/')) return notFound(res, 'no page: `.` and `..` in an address are never followed');
  const url = targetUrl(req.url ?? '/');
  if (url === undefined) return notFound(res, 'malformed address: a path starting with /', 400);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return notFound(res, 'malformed address (a % not followed by two hex digits of UTF-8)', 400);
  }
  if (path === '/') await o.live.fresh();
  if (path === '/') return send(res, 200, 'text/html; charset=utf-8', documentPage(o.session.pipeline, o.live.state, o.title));
  if (path === '/assets/shark.js') return send(res, 200, 'text/javascript; charset=utf-8', SCRIPT);
  if (path === '/assets/shark.css') return send(res, 200, 'text/css; charset=utf-8', STYLE);
  if (path === '/events') return events(o, req, res);
  if (path === '/favicon.ico') return void res.writeHead(204).end();
  if (path === '/data' || path.startsWith('/data/')) return dataPage(o, path, res);
  if (path.startsWith('/object/')) return object(o, path.slice('/object/'.length), url.searchParams, req, res);
  const log = /^\/log\/(\d+)\/(.+)$/.exec(path);
  if (log !== null) return logPage(o, Number(log[1]), log[2]!, res);
  return notFound(res, `no page ${path}`);
}

async function dataPage(o: ServeOptions, raw: string, res: ServerResponse): Promise<void> {
  const segments = raw.split('/').slice(1).filter((s) => s !== '');
  // Only names: `..`, `.` and NULs never reach the index. A backslash is a character of a name (`a\b.txt` a job may
  // write), never a separator: the index looks names up in the runs' records, no path on the host.
  if (segments.length < 2 || segments.some((s) => s === '.' || s === '..' || s.includes('\0'))) return notFound(res, 'not a result of this document');
  const found = o.live.index.resolve('/' + segments.join('/'));
  if (found === undefined) {
    // A path the document writes, with no result yet: its step failed, or has not run since it changed.
    const path = '/' + segments.join('/');
    const written = o.session.pipeline.steps.some((s) => s.kind !== 'publish' && s.outputs.some((w) => w.path === path || isUnder(path, w.path)));
    return notFound(res, written ? `${path} has no result yet: no run of this document made it (its step failed, or has not run as the document is now); \`shark run\` makes it` : `${raw} is not a result of this document`);
  }
  send(res, 200, 'text/html; charset=utf-8', await resultPage(o.session, found, o.trusted));
}

/** A name as RFC 5987 writes it in a header: percent-encoded UTF-8, nothing but its attribute characters left as they are. */
function utf8Name(name: string): string {
  return encodeURIComponent(name.replace(/[\/\\]/g, '_')).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The bytes of a stored file, only when the document's results reach its id. */
function object(o: ServeOptions, id: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
  if (!o.live.index.reachable.has(id)) return notFound(res, 'no such result');
  const file = storedFile(o.session.store, id);
  if (file === undefined) return notFound(res, 'the bytes of this result are not in the store');
  const name = (query.get('name') ?? 'data').replace(/[^A-Za-z0-9._+-]/g, '_');
  const size = statSync(file).size;
  // A stored object never changes: its id is a strong validator, and a download cut off resumes where it stopped.
  const etag = `"${id}"`;
  const ifRange = req.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? byteRange(req.headers.range, size) : undefined;
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': '0', 'Accept-Ranges': 'bytes', ETag: etag });
    return void res.end();
  }
  res.writeHead(range === undefined ? 200 : 206, {
    'Content-Type': contentType(name, readHead(file, 8192)),
    'Content-Length': String(range === undefined ? size : range.end - range.start + 1),
    ...(range === undefined ? {} : { 'Content-Range': `bytes ${range.start}-${range.end}/${size}` }),
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Content-Security-Policy': OBJECT_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    // The name as the pipeline has it too (`été.csv`), for browsers that take RFC 6266's `filename*`: the ASCII one alone saved `_t_.csv`.
    ...(query.get('download') === '1' ? { 'Content-Disposition': `attachment; filename="${name}"; filename*=UTF-8''${utf8Name(query.get('name') ?? 'data')}` } : {}),
  });
  createReadStream(file, range ?? {}).pipe(res);
}

/** How much of a log's end its page shows. */
const LOG_PAGE_BYTES = 1024 * 1024;

/** A job's log, found by its run and job in the store's records (never by a path from the request). */
function logPage(o: ServeOptions, run: number, job: string, res: ServerResponse): void {
  const { meta, pipelinePath } = o.session;
  if (!meta.runs(pipelinePath).some((r) => r.id === run)) return notFound(res, `run ${run} is not a run of this document`);
  const row = meta.runJob(run, job);
  if (row === undefined || row.log === null) return notFound(res, `no log of ${job} in run ${run}`);
  let text: string;
  let skipped = 0;
  try {
    // Its end only: a log of gigabytes, read whole, held them in memory and then was too long a string for a page.
    const end = endOf(row.log, LOG_PAGE_BYTES);
    skipped = end.skipped;
    // As `shark logs` gives it to a file: no escape sequences (a browser shows them as stray characters).
    text = withoutEscapes(end.text);
  } catch {
    text = '(the job printed nothing)';
  }
  const left = skipped === 0 ? '' : `\n<p class="k">Its first ${formatBytes(skipped)} are left out: the page shows the log's end. <code>shark logs</code> shows it whole.</p>`;
  send(res, 200, 'text/html; charset=utf-8', page(`${job} — run ${run}`, `<h1>Log of <code>${esc(job)}</code>, run ${run}</h1>
<p class="k">${esc(row.status)}${row.status === 'failed' ? ` (${esc(failureWords(row))})` : row.reason ? ` (${esc(row.reason)})` : ''} · line ${row.line}</p>${left}
<pre class="log-text">${esc(text)}</pre>`));
}

function events(o: ServeOptions, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    Connection: 'keep-alive',
  });
  // A HEAD has no body to stream: it waited for ever for the first event's write to send its headers.
  if (req.method === 'HEAD') return void res.end();
  const push = (state: unknown): void => void res.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`);
  push(o.live.state);
  const off = o.live.subscribe(push);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.on('close', () => {
    off();
    clearInterval(ping);
  });
}
