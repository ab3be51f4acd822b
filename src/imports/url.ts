import type { ImportClause } from '../pipeline/import-clause.js';
import { mismatch, sumFile, type Expected } from './checksum.js';
import { download } from './download.js';
import { describeFailure, head, type HttpTuning } from './http.js';
import type { FetchOutcome, ImportContext, Importer, Pin, ResolveOutcome } from './importer.js';
import { pinOrigin, samePin } from './pin.js';
import { placeFile, safeName } from './place.js';
import { secretUrl } from './secret-url.js';
import { shownUrl } from './shown-url.js';
import { Staging } from './staging.js';

/**
 * Plain `http(s)://` downloads. With a checksum column the URL is immutable
 * and a locked pin is trusted without asking; without one, the first fetch
 * pins its sha256 in the lock file, and only `--refresh` asks the server
 * again (a HEAD: ETag, Last-Modified, size).
 */
export class UrlImporter implements Importer {
  constructor(private readonly tuning: HttpTuning = {}) {}

  async resolve(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome> {
    const url = urlOf(clause);
    const locked = ctx.locked;
    const usable = locked !== undefined && locked.source === 'url' && locked.url === url && typeof locked.sha256 === 'string' ? locked : undefined;
    const sum = clause.checksum;
    if (sum !== undefined) {
      if (usable !== undefined && usable[sum.algorithm] === sum.hex) return { ok: true, pin: usable };
      return { ok: true, pin: { source: 'url', url, [sum.algorithm]: sum.hex } };
    }
    if (usable === undefined) return { ok: true, pin: { source: 'url', url } };
    if (!ctx.refresh) return { ok: true, pin: usable };
    const asked = secretUrl(url, ctx.secrets);
    // A secret the URL names has no value here: the server cannot be asked, and the lock's pin stands.
    if (asked.url === undefined) return { ok: true, pin: usable };
    const h = await head(asked.url, { ...this.tuning, signal: ctx.signal });
    if (!h.ok) {
      // Some servers do not answer HEAD: then only a download can tell (`refused` says why the plan cannot).
      if (h.failure.reason === 'status' && [403, 405, 501].includes(h.failure.status)) return { ok: true, pin: { source: 'url', url, refused: h.failure.status } };
      return { ok: false, message: asked.hide(describeFailure(h.failure, asked.hide)) };
    }
    // What the server sends back may quote the secret (an ETag made from the URL): pinned without it.
    const etag = h.value.etag === undefined ? undefined : asked.hide(h.value.etag);
    const lastModified = h.value.lastModified === undefined ? undefined : asked.hide(h.value.lastModified);
    const { size } = h.value;
    // An ETag kept while the size changed (a server naming the version by something else) is no same version.
    const same = etag !== undefined
      ? etag === usable.etag && (size === undefined || usable.size === undefined || size === usable.size)
      : lastModified !== undefined && lastModified === usable.modified && (size === undefined || size === usable.size);
    if (same) return { ok: true, pin: usable };
    const pin: Record<string, string | number> = { source: 'url', url };
    if (size !== undefined) pin.size = size;
    if (etag !== undefined) pin.etag = etag;
    if (lastModified !== undefined) pin.modified = lastModified;
    // A HEAD that says nothing (a chunked answer): a pin of its own, not the bare one of a source the lock file lacks.
    if (size === undefined && etag === undefined && lastModified === undefined) pin.silent = 'HEAD';
    return { ok: true, pin };
  }

  async fetch(clause: ImportClause, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    const url = urlOf(clause);
    const staging = new Staging(dest);
    try {
      const part = staging.path('part');
      const asked = secretUrl(url, ctx.secrets);
      if (asked.url === undefined) return { ok: false, message: `cannot download ${shownUrl(url)}: a secret it names is not set` };
      const got = await download(asked.url, part, { ...this.tuning, signal: ctx.signal, progress: ctx.progress });
      if (!got.ok) return { ok: false, message: asked.hide(describeFailure(got.failure, asked.hide)) };
      const sums = await sumFile(part);
      const expected: Expected[] = [];
      if (clause.checksum !== undefined) expected.push({ ...clause.checksum, from: 'the import clause' });
      const fromLock = samePin(pin, ctx.locked);
      // `--refresh` asks for the server's current bytes: validators that did not change (a file rewritten
      // within Last-Modified's second) cannot hold the lock's sums against it, or nothing could re-pin it.
      const lockSums = !(ctx.refresh && fromLock && clause.checksum === undefined);
      for (const algorithm of lockSums ? (['sha256', 'md5'] as const) : []) {
        const hex = pin[algorithm];
        if (typeof hex === 'string' && hex !== clause.checksum?.hex) expected.push({ algorithm, hex, from: pinOrigin(pin, ctx.locked) });
      }
      const bad = mismatch(shownUrl(url), sums, expected);
      if (bad !== undefined) {
        const hint = fromLock && clause.checksum === undefined ? '; the content changed since it was locked: run with --refresh to accept the new content' : '';
        return { ok: false, message: bad + hint };
      }
      // Named by the URL as written: a secret's value is never a file's name. A name the server
      // sends is pinned with the bytes (a renamed file was another tree from the same lock entry).
      const served = lockSums && typeof pin.name === 'string' ? pin.name : got.value.filename === undefined ? undefined : asked.hide(got.value.filename);
      const name = nameOf(url, served);
      const placed = await placeFile(part, name, clause, staging, ctx.signal);
      if (!placed.ok) return placed;
      const final: Record<string, string | number> = { source: 'url', url, sha256: sums.sha256, md5: sums.md5, size: sums.size };
      // The name the file has in DEST (a served `../../x` is placed as `x`), as lineage and the lock say it.
      if (clause.destIsDir && lastSegment(url) === '') final.name = safeName(name);
      if (got.value.etag !== undefined) final.etag = asked.hide(got.value.etag);
      if (got.value.lastModified !== undefined) final.modified = asked.hide(got.value.lastModified);
      return { ok: true, pin: final };
    } finally {
      staging.cleanup();
    }
  }
}

function urlOf(clause: ImportClause): string {
  if (clause.source.scheme !== 'url') throw new Error(`UrlImporter given a ${clause.source.scheme} source`);
  return clause.source.url;
}

/** The file's name inside DEST/: the URL's last segment, else what the server calls it (`download` when it says nothing). */
export function nameOf(url: string, served?: string): string {
  const last = lastSegment(url);
  try {
    if (last !== '') return decodeURIComponent(last);
  } catch {
    return last;
  }
  return served ?? 'download';
}

function lastSegment(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? '';
}
