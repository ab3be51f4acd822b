import { createWriteStream, existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { IdleTimeout, readBody, send, settings, transientStatus, unreachable, withRetries, type HttpOptions, type HttpResult, type SizeFailure } from './http.js';

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
  /** The size the source declares (a Zenodo record's): a body of any other size fails, a longer one as soon as it passes it. */
  readonly size?: number;
}

/**
 * Downloads `url` into `file` (created or truncated). A connection dropped
 * mid-body is retried: from where it stopped with `Range` when the server
 * accepts ranges for the same entity (`If-Range`), otherwise from the start.
 */
export async function download(url: string, file: string, o: DownloadOptions): Promise<HttpResult<Downloaded>> {
  const got = await downloadAny(url, file, o);
  if (!got.ok || o.size === undefined || got.value.size === o.size) return got;
  return sized(url, o.size, got.value.size, got.value.size < o.size ? 'short' : 'stopped');
}

function sized(url: string, expected: number, received: number, how: SizeFailure['how']): { ok: false; failure: SizeFailure } {
  return { ok: false, failure: { reason: 'size', url, expected, received, how } };
}

async function downloadAny(url: string, file: string, o: DownloadOptions): Promise<HttpResult<Downloaded>> {
  const { timeoutMs } = settings(o);
  writeFileSync(file, '');
  let ranges = false;
  let validator: string | undefined;
  let total: number | undefined;
  const report = throttle(o.progress);

  return withRetries(url, o, async () => {
    const have = existsSync(file) ? statSync(file).size : 0;
    const headers: Record<string, string> = { ...o.headers };
    // Only the same entity may be resumed: without a strong validator for If-Range, two versions could be spliced.
    const resuming = have > 0 && ranges && validator !== undefined;
    if (resuming) {
      headers.range = `bytes=${have}-`;
      headers['if-range'] = validator!;
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
      // A server that ignores If-Range answers with the version it has now: spliced onto the bytes of the
      // first, they made a file it never served, stored and pinned. Its validator or total says so.
      const other = otherVersion(validator!, res.headers, range[2] === '*' ? undefined : Number(range[2]), total);
      if (other !== undefined) {
        res.resume();
        ranges = false;
        return { retry: `server answered the resumed download with another version of the file (${other}): downloading it again from the start` };
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

    if (o.size !== undefined && total !== undefined && total > o.size) {
      res.destroy();
      return sized(url, o.size, total, 'announced');
    }
    let done = start;
    const lost = await saveBody(res, file, start, (n) => {
      done += n;
      // More than declared is never what was asked for: a server that sends on and on is cut off here, not read to its end.
      if (o.size !== undefined && done > o.size) res.destroy(new TooLong());
      report(done, total);
    });
    if (lost !== undefined) {
      if (o.signal.aborted) return { ok: false, failure: { reason: 'aborted', url } };
      if (lost instanceof TooLong) return sized(url, o.size!, done, 'stopped');
      return { retry: lostMessage(lost, done, total) };
    }
    const size = statSync(file).size;
    if (total !== undefined && size !== total) return { retry: `the server closed the connection after ${size} of ${total} bytes` };
    report(size, total ?? size, true);
    return {
      ok: true,
      value: { size, etag: res.headers.etag, lastModified: res.headers['last-modified'], filename: dispositionName(res.headers['content-disposition']) },
    };
  });
}

/**
 * How a 206 answer to a resumed download shows another version than the one
 * begun (`validator`, the first answer's strong ETag or Last-Modified, and
 * its length `total`): its ETag or Last-Modified, or its total, differs.
 */
function otherVersion(validator: string, headers: http.IncomingHttpHeaders, rangeTotal: number | undefined, total: number | undefined): string | undefined {
  const byEtag = validator.startsWith('"');
  const now = byEtag ? headers.etag : headers['last-modified'];
  if (now !== undefined && now !== validator) return `${byEtag ? 'ETag' : 'Last-Modified'} ${now}, not ${validator}`;
  if (rangeTotal !== undefined && total !== undefined && rangeTotal !== total) return `${rangeTotal} bytes, not ${total}`;
  return undefined;
}

/**
 * Why a body stopped short, with what came of it: a server gone quiet (the
 * idle timeout), one that closed the connection (Node's `aborted`, or a
 * close before the end), or anything else (the disk) by its own message.
 */
function lostMessage(lost: Error, done: number, total: number | undefined): string {
  const got = total === undefined ? `${done} bytes` : `${done} of ${total} bytes`;
  if (lost instanceof IdleTimeout) return `${lost.message}, ${got} received`;
  if (lost instanceof ClosedEarly || (lost as NodeJS.ErrnoException).code === 'ECONNRESET') return `the server closed the connection after ${got}`;
  return `connection lost after ${got}: ${lost.message}`;
}

/** The response closed before its end without an error of its own. */
class ClosedEarly extends Error {}

/** The body passed the size its source declared. */
class TooLong extends Error {}

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
      if (!res.complete) broken(new ClosedEarly('connection closed before the end of the body'));
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
