import type http from 'node:http';
import { createRequire } from 'node:module';
import { VERSION } from '../version.js';
import { shownUrl as shownOne } from './shown-url.js';

/**
 * The one place imports talk HTTP: redirects, retries with exponential
 * backoff on transient failures; downloads that resume with `Range` are in
 * `download.ts`, built on these.
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
  | { readonly reason: 'aborted'; readonly url: string }
  | SizeFailure;

/**
 * A body not of the size its source declared (`DownloadOptions.size`): more
 * is stopped as it arrives (`stopped`) or refused from its Content-Length
 * (`announced`, `received` being what the server announced), less fails once
 * the body is complete (`short`). Never retried: the server means it.
 */
export interface SizeFailure {
  readonly reason: 'size';
  readonly url: string;
  readonly expected: number;
  readonly received: number;
  readonly how: 'short' | 'stopped' | 'announced';
}

/**
 * Node's HTTP clients, loaded when a request is first made: every command
 * paid ~2 ms to load them (TLS included) at start-up, and most make none.
 */
function clients(): { readonly http: typeof import('node:http'); readonly https: typeof import('node:https') } {
  if (loaded === undefined) {
    const load = createRequire(import.meta.url);
    loaded = { http: load('node:http'), https: load('node:https') };
  }
  return loaded;
}

let loaded: ReturnType<typeof clients> | undefined;

export type HttpResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: HttpFailure };

export function describeFailure(f: HttpFailure, hide: (text: string) => string = (t) => t): string {
  // The secrets a URL was given are taken out before its credentials are masked, which would cut a value at its `&`.
  const shownUrl = (url: string): string => shownOne(hide(url));
  switch (f.reason) {
    case 'status': {
      const phrase = clients().http.STATUS_CODES[f.status];
      return `HTTP ${f.status}${phrase === undefined ? '' : ` ${phrase}`} from ${shownUrl(f.url)}`;
    }
    case 'network':
      return `cannot download ${shownUrl(f.url)}: ${f.message} (${f.attempts} attempt${f.attempts === 1 ? '' : 's'})`;
    case 'aborted':
      return `download of ${shownUrl(f.url)} was cancelled`;
    case 'size':
      return sizeMismatch(shownUrl(f.url), f, 'the server');
  }
}

/** `size mismatch for WHAT: expected N bytes (FROM), got M`, as `checksum.ts` words a checksum's. */
export function sizeMismatch(what: string, f: SizeFailure, from: string): string {
  const got = f.how === 'short' ? `got ${f.received}`
    : f.how === 'announced' ? `the server announced ${f.received}`
    : `got more than that (stopped after ${f.received} bytes)`;
  return `size mismatch for ${what}: expected ${f.expected} bytes (${from}), ${got}`;
}

/** Defaults, overridable from the environment so that tests and slow mirrors can tune them. */
export function settings(o: HttpOptions): { attempts: number; backoffMs: number; timeoutMs: number } {
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

/**
 * A connection that sent nothing for the idle timeout, before the headers or
 * mid-body: told apart from one the server closed, which Node reports on a
 * response as a bare `aborted`.
 */
export class IdleTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000} s with no data`);
  }
}

const MAX_REDIRECTS = 10;
const MAX_BACKOFF_MS = 30_000;

type Sent = { response: http.IncomingMessage; url: string } | { error: Error; url: string };

/** A failure no retry mends: a redirect loop, a URL or protocol Shark cannot ask. */
export class NotRetried extends Error {}

/**
 * Whether a redirect may carry the request's credentials: only to the same
 * origin. A change of host, port or scheme (https to http would send the
 * token in clear) drops them.
 */
export function keepsCredentials(from: string, to: URL): boolean {
  return new URL(from).origin === to.origin;
}

/** One request, following redirects. Credentials are not carried to another origin. */
export async function send(url: string, method: string, headers: Record<string, string>, o: HttpOptions, timeoutMs: number): Promise<Sent> {
  let current = url;
  let hdrs = { 'user-agent': `shark/${VERSION}`, ...headers };
  for (let hop = 0; ; hop++) {
    const sent = await once(current, method, hdrs, o.signal, timeoutMs);
    if ('error' in sent) return { error: sent.error, url: current };
    const res = sent.response;
    const location = res.headers.location;
    if (res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode) && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) return { error: new NotRetried(`more than ${MAX_REDIRECTS} redirects`), url: current };
      const next = new URL(location, current);
      if (!keepsCredentials(current, next)) {
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
      done({ error: new NotRetried(`invalid URL ${url}`) });
      return;
    }
    const lib: { request: typeof http.request } | undefined =
      u.protocol === 'https:' ? clients().https : u.protocol === 'http:' ? clients().http : undefined;
    if (lib === undefined) {
      done({ error: new NotRetried(`redirected to the protocol ${u.protocol.replace(/:$/, '')}: only http and https are downloaded`) });
      return;
    }
    const req = lib.request(u, { method, headers, signal });
    let answer: http.IncomingMessage | undefined;
    // Once the headers are in, the body is what waits: destroyed with this error, its reader sees why (not `aborted`).
    req.setTimeout(timeoutMs, () => (answer ?? req).destroy(new IdleTimeout(timeoutMs)));
    req.on('response', (response) => {
      answer = response;
      done({ response });
    });
    req.on('error', (error) => done({ error }));
    req.end();
  });
}

export function transientStatus(status: number): boolean {
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

export async function readBody(res: http.IncomingMessage, limit = 1 << 24): Promise<string> {
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
 * resolve at all: offline, or a typo, retrying only makes `plan` slow. Nor
 * is an answer that is no HTTP (Node's parser's `HPE_` codes: a port that
 * serves another protocol), said as such, Node's words after.
 */
export function unreachable(url: string, error: Error): { retry: string } | { ok: false; failure: HttpFailure } {
  const code = (error as NodeJS.ErrnoException).code;
  if (code?.startsWith('HPE_') === true) {
    return { ok: false, failure: { reason: 'network', url, message: `the server's answer is not HTTP (${error.message})`, attempts: 1 } };
  }
  if (code === 'ENOTFOUND' || error instanceof NotRetried) {
    return { ok: false, failure: { reason: 'network', url, message: error.message, attempts: 1 } };
  }
  return { retry: error.message };
}

/**
 * Calls `attempt` until it succeeds, fails for good, or the attempts run out;
 * `attempt` returns 'retry' with a message for transient failures.
 */
export async function withRetries<T>(url: string, o: HttpOptions, attempt: () => Promise<HttpResult<T> | { retry: string }>): Promise<HttpResult<T>> {
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
