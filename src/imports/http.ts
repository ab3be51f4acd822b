import { createWriteStream, existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { VERSION } from '../version.js';

/**
 * The one place imports talk HTTP: redirects, retries with exponential
 * backoff on transient failures, and downloads that resume with `Range`.
 * Built on node:http rather than fetch so that a dropped connection, a short
 * body and a partial response are each visible and handled.
 */

export interface HttpOptions {
  readonly signal: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts in all, the first included. */
  readonly attempts?: number;
  /** Delay before the first retry; doubled for each one after. */
  readonly backoffMs?: number;
  /** A connection idle this long (no bytes) counts as a transient failure. */
  readonly timeoutMs?: number;
}

/** What an importer may tune (tests make retries fast); everything else is per request. */
export type HttpTuning = Pick<HttpOptions, 'attempts' | 'backoffMs' | 'timeoutMs'>;

export type HttpFailure =
  | { readonly reason: 'status'; readonly url: string; readonly status: number; readonly body: string }
  | { readonly reason: 'network'; readonly url: string; readonly message: string; readonly attempts: number }
  | { readonly reason: 'aborted'; readonly url: string };

export type HttpResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: HttpFailure };

export function describeFailure(f: HttpFailure): string {
  switch (f.reason) {
    case 'status': {
      const phrase = http.STATUS_CODES[f.status];
      return `HTTP ${f.status}${phrase === undefined ? '' : ` ${phrase}`} from ${f.url}`;
    }
    case 'network':
      return `cannot download ${f.url}: ${f.message} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'})`;
    case 'aborted':
      return `download of ${f.url} was cancelled`;
  }
}

/** Defaults, overridable from the environment so that tests and slow mirrors can tune them. */
function settings(o: HttpOptions): { attempts: number; backoffMs: number; timeoutMs: number } {
  const env = (name: string, fallback: number): number => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v >= 0 && process.env[name] !== '' ? v : fallback;
  };
  return {
    attempts: Math.max(1, o.attempts ?? env('SHARK_HTTP_ATTEMPTS', 5)),
    backoffMs: o.backoffMs ?? env('SHARK_HTTP_BACKOFF_MS', 500),
    timeoutMs: o.timeoutMs ?? env('SHARK_HTTP_TIMEOUT_MS', 30_000),
  };
}

const MAX_REDIRECTS = 10;
const MAX_BACKOFF_MS = 30_000;

type Sent = { response: http.IncomingMessage; url: string } | { error: Error; url: string };

/** One request, following redirects. Credentials are not carried to another host. */
async function send(url: string, method: string, headers: Record<string, string>, o: HttpOptions, timeoutMs: number): Promise<Sent> {
  let current = url;
  let hdrs = { 'user-agent': `shark/${VERSION}`, ...headers };
  for (let hop = 0; ; hop++) {
    const sent = await once(current, method, hdrs, o.signal, timeoutMs);
    if ('error' in sent) return { error: sent.error, url: current };
    const res = sent.response;
    const location = res.headers.location;
    if (res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode) && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) return { error: new Error(`more than ${MAX_REDIRECTS} redirects`), url: current };
      const next = new URL(location, current);
      if (next.host !== new URL(current).host) {
        const { authorization: _dropped, ...rest } = hdrs as Record<string, string>;
        hdrs = rest as typeof hdrs;
      }
      current = next.toString();
      continue;
    }
    return { response: res, url: current };
  }
}

function once(url: string, method: string, headers: Record<string, string>, signal: AbortSignal, timeoutMs: number):
  Promise<{ response: http.IncomingMessage } | { error: Error }> {
  return new Promise((done) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      done({ error: new Error(`invalid URL ${url}`) });
      return;
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (lib === undefined) {
      done({ error: new Error(`unsupported protocol ${u.protocol}`) });
      return;
    }
    const req = lib.request(u, { method, headers, signal });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs / 1000}s`)));
    req.on('response', (response) => done({ response }));
    req.on('error', (error) => done({ error }));
    req.end();
  });
}

function transientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

function backoff(failures: number, base: number): number {
  const ms = Math.min(MAX_BACKOFF_MS, base * 2 ** (failures - 1));
  return ms * (0.8 + Math.random() * 0.4);
}

async function readBody(res: http.IncomingMessage, limit = 1 << 24): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`response larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A failed connection is worth retrying, except when the host name does not
 * resolve at all: offline, or a typo, retrying only makes `plan` slow.
 */
function unreachable(url: string, error: Error): { retry: string } | { ok: false; failure: HttpFailure } {
  if ((error as NodeJS.ErrnoException).code === 'ENOTFOUND') {
    return { ok: false, failure: { reason: 'network', url, message: error.message, attempts: 1 } };
  }
  return { retry: error.message };
}

/**
 * Calls `attempt` until it succeeds, fails for good, or the attempts run out;
 * `attempt` returns 'retry' with a message for transient failures.
 */
async function withRetries<T>(url: string, o: HttpOptions, attempt: () => Promise<HttpResult<T> | { retry: string }>): Promise<HttpResult<T>> {
  const s = settings(o);
  for (let failures = 1; ; failures++) {
    if (o.signal.aborted) return { ok: false, failure: { reason: 'aborted', url } };
    const r = await attempt();
    if (!('retry' in r)) return r;
    if (o.signal.aborted) return { ok: false, failure: { reason: 'aborted', url } };
    if (failures >= s.attempts) return { ok: false, failure: { reason: 'network', url, message: r.retry, attempts: failures } };
    await sleep(backoff(failures, s.backoffMs), o.signal);
  }
}

/** GET a JSON document. Non-2xx statuses other than transient ones are returned as failures with their body. */
export async function getJson(url: string, o: HttpOptions): Promise<HttpResult<unknown>> {
  const { timeoutMs } = settings(o);
  return withRetries(url, o, async () => {
    const sent = await send(url, 'GET', { accept: 'application/json', ...o.headers }, o, timeoutMs);
    if ('error' in sent) return unreachable(url, sent.error);
    const res = sent.response;
    let body: string;
    try {
      body = await readBody(res);
    } catch (e) {
      return { retry: (e as Error).message };
    }
    const status = res.statusCode ?? 0;
    if (transientStatus(status)) return { retry: `HTTP ${status} from ${sent.url}` };
    if (status < 200 || status >= 300) return { ok: false, failure: { reason: 'status', url: sent.url, status, body: body.slice(0, 2000) } };
    try {
      return { ok: true, value: JSON.parse(body) as unknown };
    } catch {
      return { ok: false, failure: { reason: 'status', url: sent.url, status, body: `not JSON: ${body.slice(0, 200)}` } };
    }
  });
}

export interface HeadInfo {
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  readonly size: number | undefined;
}

/** HEAD: what a server says about a resource without sending it. */
export async function head(url: string, o: HttpOptions): Promise<HttpResult<HeadInfo>> {
  const { timeoutMs } = settings(o);
  return withRetries(url, o, async () => {
    const sent = await send(url, 'HEAD', { ...o.headers }, o, timeoutMs);
    if ('error' in sent) return unreachable(url, sent.error);
    const res = sent.response;
    res.resume();
    const status = res.statusCode ?? 0;
    if (transientStatus(status)) return { retry: `HTTP ${status} from ${sent.url}` };
    if (status < 200 || status >= 300) return { ok: false, failure: { reason: 'status', url: sent.url, status, body: '' } };
    return { ok: true, value: headInfo(res) };
  });
}

function headInfo(res: http.IncomingMessage): HeadInfo {
  const length = res.headers['content-length'];
  return {
    etag: res.headers.etag,
    lastModified: res.headers['last-modified'],
    size: length === undefined ? undefined : Number(length),
  };
}

export interface Downloaded {
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** From Content-Disposition, when the server names the file. */
  readonly filename: string | undefined;
}

export interface DownloadOptions extends HttpOptions {
  /** Called with bytes done and the total when known. */
  readonly progress?: (done: number, total: number | undefined) => void;
}

/**
 * Downloads `url` into `file` (created or truncated). A connection dropped
 * mid-body is retried: from where it stopped with `Range` when the server
 * accepts ranges for the same entity (`If-Range`), otherwise from the start.
 */
export async function download(url: string, file: string, o: DownloadOptions): Promise<HttpResult<Downloaded>> {
  const { timeoutMs } = settings(o);
  writeFileSync(file, '');
  let ranges = false;
  let validator: string | undefined;
  let total: number | undefined;
  const report = throttle(o.progress);

  return withRetries(url, o, async () => {
    const have = existsSync(file) ? statSync(file).size : 0;
    const headers: Record<string, string> = { ...o.headers };
    const resuming = have > 0 && ranges;
    if (resuming) {
      headers.range = `bytes=${have}-`;
      if (validator !== undefined) headers['if-range'] = validator;
    } else if (have > 0) {
      truncateSync(file, 0);
    }
    const sent = await send(url, 'GET', headers, o, timeoutMs);
    if ('error' in sent) return unreachable(url, sent.error);
    const res = sent.response;
    const status = res.statusCode ?? 0;

    let start = 0;
    if (status === 206 && resuming) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
      if (range === null || Number(range[1]) !== have) {
        res.resume();
        ranges = false;
        return { retry: `server answered a range request with the wrong range (${res.headers['content-range'] ?? 'none'})` };
      }
      start = have;
      if (range[2] !== '*') total = Number(range[2]);
    } else if (status === 416 && resuming) {
      res.resume();
      if (total !== undefined && have === total) return { ok: true, value: { size: have, etag: validator, lastModified: undefined, filename: undefined } };
      ranges = false;
      return { retry: 'server refused to resume the download' };
    } else if (status >= 200 && status < 300) {
      if (have > 0) truncateSync(file, 0);
      const length = res.headers['content-length'];
      total = length === undefined ? undefined : Number(length);
      ranges = res.headers['accept-ranges'] === 'bytes';
      // If-Range needs a strong validator: a weak ETag could splice two versions together.
      const etag = res.headers.etag;
      validator = etag !== undefined && !etag.startsWith('W/') ? etag : res.headers['last-modified'];
    } else {
      let body = '';
      try {
        body = await readBody(res, 1 << 16);
      } catch {
        // The body only decorates the message.
      }
      if (transientStatus(status)) return { retry: `HTTP ${status} from ${sent.url}` };
      return { ok: false, failure: { reason: 'status', url: sent.url, status, body } };
    }

    let done = start;
    const lost = await saveBody(res, file, start, (n) => {
      done += n;
      report(done, total);
    });
    if (lost !== undefined) {
      if (o.signal.aborted) return { ok: false, failure: { reason: 'aborted', url } };
      return { retry: `connection lost after ${done} bytes: ${lost.message}` };
    }
    const size = statSync(file).size;
    if (total !== undefined && size !== total) return { retry: `connection closed after ${size} of ${total} bytes` };
    report(size, total ?? size, true);
    return {
      ok: true,
      value: { size, etag: res.headers.etag, lastModified: res.headers['last-modified'], filename: dispositionName(res.headers['content-disposition']) },
    };
  });
}

/**
 * Writes a response body to `file` from `start`. When the connection breaks,
 * what was received is still flushed to disk (a pipeline would discard
 * buffered writes), so the retry can resume from the file's size.
 */
function saveBody(res: http.IncomingMessage, file: string, start: number, onChunk: (bytes: number) => void): Promise<Error | undefined> {
  return new Promise((done) => {
    const out = createWriteStream(file, { flags: start > 0 ? 'r+' : 'w', start });
    let failure: Error | undefined;
    const broken = (e: Error): void => {
      if (failure !== undefined) return;
      failure = e;
      res.unpipe(out);
      out.end();
    };
    res.on('data', (chunk: Buffer) => onChunk(chunk.length));
    res.on('error', broken);
    res.on('close', () => {
      if (!res.complete) broken(new Error('connection closed before the end of the body'));
    });
    out.on('error', (e) => {
      failure ??= e;
      res.destroy();
      done(failure);
    });
    out.on('close', () => done(failure));
    res.pipe(out);
  });
}

function dispositionName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star !== null) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // Fall back to the plain parameter.
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim();
}

/** Progress reports at most every 100 ms, and always the last one. */
function throttle(progress: ((done: number, total: number | undefined) => void) | undefined):
  (done: number, total: number | undefined, last?: boolean) => void {
  let at = 0;
  return (done, total, last = false) => {
    if (progress === undefined) return;
    const now = Date.now();
    if (!last && now - at < 100) return;
    at = now;
    progress(done, total);
  };
}
