import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { keepsCredentials } from '../../src/imports/http.js';
import { UrlImporter } from '../../src/imports/url.js';
import { FakeServer } from './fake-server.js';
import { clause, context, readTree, scratch } from './helpers.js';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const BODY = 'a,b\n' + '1,2\n'.repeat(20_000);

let server: FakeServer;
let tmp: ReturnType<typeof scratch>;
const urls = new UrlImporter({ backoffMs: 5, timeoutMs: 2000 });

beforeAll(async () => {
  server = await FakeServer.start();
});
afterAll(() => server.close());
beforeEach(() => {
  tmp = scratch();
  server.reset();
  server.ranges = true;
});
afterEach(() => tmp.cleanup());

describe('unpinned https:// URLs', () => {
  it('pin the content on first fetch and trust the lock until --refresh', async () => {
    const url = server.file('/files/table.csv', BODY, 'text/csv');
    const c = clause(`${url} /data/table.csv`);
    expect(await urls.resolve(c, context())).toEqual({ ok: true, pin: { source: 'url', url } });
    expect(server.count()).toBe(0);
    const ctx = context();
    const dest = join(tmp.dir, 'table.csv');
    const fetched = await urls.fetch(c, { source: 'url', url }, dest, ctx);
    const etag = `"${md5(BODY)}"`;
    const final = { source: 'url', url, sha256: sha256(BODY), md5: md5(BODY), size: BODY.length, etag, modified: 'Mon, 01 Jan 2024 00:00:00 GMT' };
    expect(fetched).toEqual({ ok: true, pin: final });
    expect(readFileSync(dest, 'utf8')).toBe(BODY);
    expect(ctx.reports.at(-1)).toEqual([BODY.length, BODY.length]);

    server.reset();
    expect(await urls.resolve(c, context({ locked: final }))).toEqual({ ok: true, pin: final });
    expect(server.count()).toBe(0);
    // --refresh asks with a HEAD; the same ETag keeps the lock.
    expect(await urls.resolve(c, context({ locked: final, refresh: true }))).toEqual({ ok: true, pin: final });
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD']);
    // New content: a new pin, which the plan shows as a change.
    server.file('/files/table.csv', BODY + '3,4\n', 'text/csv');
    const changed = await urls.resolve(c, context({ locked: final, refresh: true }));
    expect(changed).toEqual({ ok: true, pin: { source: 'url', url, size: BODY.length + 4, etag: `"${md5(BODY + '3,4\n')}"`, modified: 'Mon, 01 Jan 2024 00:00:00 GMT' } });
  });

  it('--refresh takes a size the HEAD gives that differs from the pin as a change, though the ETag stayed', async () => {
    const url = server.file('/files/fixed.csv', BODY, 'text/csv');
    const c = clause(`${url} /data/fixed.csv`);
    const fetched = await urls.fetch(c, { source: 'url', url }, join(tmp.dir, 'fixed.csv'), context());
    expect(fetched.ok).toBe(true);
    const pin = (fetched as { pin: Record<string, string | number> }).pin;
    // The server keeps naming the old version while it serves longer bytes.
    const changed = await urls.resolve(c, context({ locked: { ...pin, size: BODY.length - 1 }, refresh: true }));
    expect(changed.ok && changed.pin).toEqual({ source: 'url', url, size: BODY.length, etag: pin.etag, modified: pin.modified });
  });

  it('refuse content that changed since it was locked (without --refresh)', async () => {
    const url = server.file('/files/drift.csv', 'one');
    const c = clause(`${url} /data/d.csv`);
    const first = await urls.fetch(c, {}, join(tmp.dir, 'd1'), context());
    if (!first.ok) throw new Error(first.message);
    server.file('/files/drift.csv', 'two');
    const r = await urls.fetch(c, first.pin, join(tmp.dir, 'd2'), context({ locked: { ...first.pin } }));
    expect(r).toEqual({
      ok: false,
      message: `checksum mismatch for ${url}: expected sha256:${sha256('one')} (the lock file), got sha256:${sha256('two')}; the content changed since it was locked: run with --refresh to accept the new content`,
    });
    expect(existsSync(join(tmp.dir, 'd2'))).toBe(false);
  });
});

describe('URLs with a checksum column', () => {
  it('are immutable: pinned by the column, locked pins need no request', async () => {
    const url = server.file('/files/pinned.csv', BODY);
    const c = clause(`${url} /data/p.csv sha256:${sha256(BODY)}`);
    expect(await urls.resolve(c, context())).toEqual({ ok: true, pin: { source: 'url', url, sha256: sha256(BODY) } });
    const r = await urls.fetch(c, { source: 'url', url, sha256: sha256(BODY) }, join(tmp.dir, 'p'), context());
    if (!r.ok) throw new Error(r.message);
    server.reset();
    expect(await urls.resolve(c, context({ locked: r.pin, refresh: true }))).toEqual({ ok: true, pin: r.pin });
    expect(server.count()).toBe(0);
    // Editing the column invalidates the lock.
    const other = clause(`${url} /data/p.csv md5:${'0'.repeat(32)}`);
    expect(await urls.resolve(other, context({ locked: r.pin }))).toEqual({ ok: true, pin: { source: 'url', url, md5: '0'.repeat(32) } });
  });

  it('fail a tampered download with both checksums and leave nothing at DEST', async () => {
    const url = server.file('/files/tampered.csv', BODY);
    server.tamper('/files/tampered.csv', BODY.replace('1,2', '9,9'));
    const c = clause(`${url} /data/t.csv md5:${md5(BODY)}`);
    const dest = join(tmp.dir, 'sub/t.csv');
    const r = await urls.fetch(c, { source: 'url', url, md5: md5(BODY) }, dest, context());
    expect(r).toEqual({ ok: false, message: `checksum mismatch for ${url}: expected md5:${md5(BODY)} (the import clause), got md5:${md5(BODY.replace('1,2', '9,9'))}` });
    expect(readdirSync(join(tmp.dir, 'sub'))).toEqual([]);
  });
});

describe('the download', () => {
  it('follows redirects', async () => {
    server.file('/files/real.csv', 'real');
    const url = server.redirect('/files/moved.csv', '/files/real.csv');
    const r = await urls.fetch(clause(`${url} /data/x.csv`), {}, join(tmp.dir, 'x'), context());
    expect(r.ok && r.pin.sha256).toBe(sha256('real'));
    expect(server.requests.map((q) => q.path)).toEqual(['/files/moved.csv', '/files/real.csv']);
  });

  it('resumes a dropped connection with Range', async () => {
    const url = server.file('/files/big.csv', BODY);
    server.dropOnce('/files/big.csv', 30_000);
    const dest = join(tmp.dir, 'big.csv');
    const r = await urls.fetch(clause(`${url} /data/big.csv sha256:${sha256(BODY)}`), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe(BODY);
    expect(server.requests.map((q) => q.headers.range)).toEqual([undefined, 'bytes=30000-']);
  });

  it('restarts, never resumes, a download whose server gives no validator: a resume spliced two versions and pinned them', async () => {
    // Cut after 500 bytes of version A; from then on the file is version B. No ETag, no Last-Modified.
    let gets = 0;
    const ranges: (string | undefined)[] = [];
    const flaky = http.createServer((req, res) => {
      ranges.push(req.headers.range);
      const body = Buffer.alloc(1000, gets++ === 0 ? 'A' : 'B');
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range !== null) {
        res.writeHead(206, { 'accept-ranges': 'bytes', 'content-range': `bytes ${range[1]}-999/1000`, 'content-length': 1000 - Number(range[1]) });
        res.end(body.subarray(Number(range[1])));
      } else if (gets === 1) {
        res.writeHead(200, { 'accept-ranges': 'bytes', 'content-length': 1000 });
        res.write(body.subarray(0, 500), () => res.destroy());
      } else {
        res.writeHead(200, { 'accept-ranges': 'bytes', 'content-length': 1000 }).end(body);
      }
    });
    await new Promise<void>((done) => flaky.listen(0, '127.0.0.1', done));
    try {
      const dest = join(tmp.dir, 'v.bin');
      const r = await urls.fetch(clause(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}/v.bin /data/v.bin`), {}, dest, context());
      expect(r.ok).toBe(true);
      expect(readFileSync(dest, 'utf8')).toBe('B'.repeat(1000));
      expect(ranges).toEqual([undefined, undefined]);
    } finally {
      flaky.closeAllConnections();
      await new Promise((done) => flaky.close(done));
    }
  });

  it('starts again, never splices, when a resumed download is answered with another version (ETag or size): a server ignoring If-Range', async () => {
    for (const other of [{ etag: '"v2"', total: 1000 }, { etag: '"v1"', total: 1005 }]) {
      let gets = 0;
      const ranges: (string | undefined)[] = [];
      // Version v1 cut after 500 bytes; the retry's range is answered from version `other`, whatever If-Range said.
      const flaky = http.createServer((req, res) => {
        ranges.push(req.headers.range);
        const first = gets++ === 0;
        const body = Buffer.alloc(first ? 1000 : other.total, first ? 'A' : 'B');
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        const etag = first ? '"v1"' : other.etag;
        if (range !== null) {
          res.writeHead(206, { etag, 'accept-ranges': 'bytes', 'content-range': `bytes ${range[1]}-${body.length - 1}/${body.length}`, 'content-length': body.length - Number(range[1]) });
          res.end(body.subarray(Number(range[1])));
        } else if (first) {
          res.writeHead(200, { etag, 'accept-ranges': 'bytes', 'content-length': 1000 });
          res.write(body.subarray(0, 500), () => res.destroy());
        } else {
          res.writeHead(200, { etag, 'accept-ranges': 'bytes', 'content-length': body.length }).end(body);
        }
      });
      await new Promise<void>((done) => flaky.listen(0, '127.0.0.1', done));
      try {
        const dest = join(tmp.dir, 'v.bin');
        const r = await urls.fetch(clause(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}/v.bin /data/v.bin`), {}, dest, context());
        expect(r.ok).toBe(true);
        // All of the version served now, none of the first: never a file the server did not serve.
        expect(readFileSync(dest, 'utf8')).toBe('B'.repeat(other.total));
        expect(ranges).toEqual([undefined, 'bytes=500-', undefined]);
      } finally {
        flaky.closeAllConnections();
        await new Promise((done) => flaky.close(done));
      }
    }
  });

  it('does not retry a redirect loop: one attempt, then the loop is the failure', async () => {
    const url = server.redirect('/files/loop-a', '/files/loop-b');
    server.redirect('/files/loop-b', '/files/loop-a');
    const r = await urls.fetch(clause(`${url} /data/loop.csv`), {}, join(tmp.dir, 'loop'), context());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('more than 10 redirects (1 attempt)');
    expect(server.count('/files/loop-')).toBe(11);
  });

  it('carries credentials only to the same origin: not to another host, port or scheme (https to http sent a token in clear)', () => {
    expect(keepsCredentials('https://api.github.com/repos/a', new URL('https://api.github.com/x'))).toBe(true);
    expect(keepsCredentials('https://api.github.com/repos/a', new URL('http://api.github.com/repos/a'))).toBe(false);
    expect(keepsCredentials('https://api.github.com/repos/a', new URL('https://codeload.github.com/a'))).toBe(false);
    expect(keepsCredentials('http://127.0.0.1:80/a', new URL('http://127.0.0.1:8080/a'))).toBe(false);
  });

  it('treats a stalled connection as transient', async () => {
    const url = server.file('/files/slow.csv', BODY);
    server.stallOnce('/files/slow.csv');
    const quick = new UrlImporter({ backoffMs: 5, timeoutMs: 200 });
    const dest = join(tmp.dir, 'slow.csv');
    const r = await quick.fetch(clause(`${url} /data/slow.csv`), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe(BODY);
    expect(server.count('/files/slow.csv')).toBe(2);
  });

  it('says a connection that went idle timed out, and one the server closed was closed, each with the bytes received', async () => {
    const url = server.file('/files/cut.csv', BODY);
    const once = new UrlImporter({ backoffMs: 5, timeoutMs: 200, attempts: 1 });
    server.stallOnce('/files/cut.csv');
    const idle = await once.fetch(clause(`${url} /data/cut.csv`), {}, join(tmp.dir, 'idle.csv'), context());
    expect(idle).toEqual({ ok: false, message: `cannot download ${url}: timed out after 0.2 s with no data, 1 of ${BODY.length} bytes received (1 attempt)` });
    server.dropOnce('/files/cut.csv', 100);
    const closed = await once.fetch(clause(`${url} /data/cut.csv`), {}, join(tmp.dir, 'closed.csv'), context());
    expect(closed).toEqual({ ok: false, message: `cannot download ${url}: the server closed the connection after 100 of ${BODY.length} bytes (1 attempt)` });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('says a server that sends no answer at all timed out', async () => {
    const url = server.file('/files/mute.csv', BODY);
    server.muteOnce('/files/mute.csv');
    const once = new UrlImporter({ backoffMs: 5, timeoutMs: 200, attempts: 1 });
    const r = await once.fetch(clause(`${url} /data/mute.csv`), {}, join(tmp.dir, 'mute.csv'), context());
    expect(r).toEqual({ ok: false, message: `cannot download ${url}: timed out after 0.2 s with no data (1 attempt)` });
  });

  it('says a server whose answer is not HTTP did not answer in HTTP, once, not in Node\'s parser\'s words', async () => {
    // Bytes with no status line at all (an `http://` URL of a port some other protocol serves).
    const raw = net.createServer((c) => c.on('error', () => {}).once('data', () => c.end('abcdefghij')));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/x.csv`;
    try {
      const r = await urls.fetch(clause(`${url} /data/x.csv`), {}, join(tmp.dir, 'x'), context());
      expect(r).toEqual({ ok: false, message: `cannot download ${url}: the server's answer is not HTTP (Parse Error: Expected HTTP/, RTSP/ or ICE/) (1 attempt)` });
      expect(readdirSync(tmp.dir)).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('reports a 404 clearly and does not retry it', async () => {
    const url = `${server.url}/files/missing.csv`;
    const r = await urls.fetch(clause(`${url} /data/m.csv`), {}, join(tmp.dir, 'm'), context());
    expect(r).toEqual({ ok: false, message: `HTTP 404 Not Found from ${url}` });
    expect(server.count()).toBe(1);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('cannot reach a closed port, after its attempts', async () => {
    const r = await new UrlImporter({ backoffMs: 1, attempts: 2 }).fetch(clause('http://127.0.0.1:1/x.csv /data/x.csv'), {}, join(tmp.dir, 'x'), context());
    expect(r).toEqual({ ok: false, message: 'cannot download http://127.0.0.1:1/x.csv: connect ECONNREFUSED 127.0.0.1:1 (2 attempts)' });
  });

  it('puts the file inside DEST/ under its URL name', async () => {
    const url = server.file('/files/some%20name.txt', 'n');
    const dest = join(tmp.dir, 'dir');
    const r = await urls.fetch(clause(`${url} /data/dir/`), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readTree(dest)).toEqual({ 'some name.txt': 'n' });
  });

  it('refuses a URL name holding a NUL byte as the import\'s failure, saying how to name the file', async () => {
    const url = server.file('/files/a%00b', 'n');
    const dest = join(tmp.dir, 'dir');
    const r = await urls.fetch(clause(`${url} /data/dir/`), {}, dest, context());
    expect(r).toEqual({ ok: false, message: `cannot import ${url}: the name it gives the file, "a\\u0000b", holds a NUL byte, which no file name can; name it in DEST: \`${url} /data/dir/NAME\`` });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('refuses a name longer than a file name can be as the import\'s failure, saying how to name the file: it failed as the store\'s ENAMETOOLONG', async () => {
    const long = 'a'.repeat(256);
    const url = server.file(`/files/${long}`, 'n');
    const dest = join(tmp.dir, 'dir');
    const r = await urls.fetch(clause(`${url} /data/dir/`), {}, dest, context());
    expect(r).toEqual({ ok: false, message: `cannot import ${url}: the name it gives the file, ${long}, is longer than a file name can be (256 bytes, at most 255); name it in DEST: \`${url} /data/dir/NAME\`` });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});

describe('a destination name near the longest a file name can be', () => {
  it('is imported: the temporary name beside it stays a file name (it failed as the store\'s ENAMETOOLONG)', async () => {
    const url = server.file('/files/long.csv', 'n');
    const dest = join(tmp.dir, 'é'.repeat(120));
    const r = await urls.fetch(clause(`${url} /data/long.csv`), {}, dest, context());
    if (!r.ok) throw new Error(r.message);
    expect(readdirSync(tmp.dir)).toEqual(['é'.repeat(120)]);
  });
});

describe('extract', () => {
  const tree = { 'a.txt': 'A', 'nested/b.txt': 'B' };
  const pack = (kind: 'zip' | 'tar.gz' | 'tar'): Buffer => {
    const src = join(tmp.dir, `src-${kind}`);
    mkdirSync(join(src, 'nested'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'A');
    writeFileSync(join(src, 'nested/b.txt'), 'B');
    const out = join(tmp.dir, `archive.${kind}`);
    if (kind === 'zip') execFileSync('zip', ['-qr', out, '.'], { cwd: src });
    else execFileSync('tar', [kind === 'tar' ? '-cf' : '-czf', out, '-C', src, '.']);
    return readFileSync(out);
  };

  for (const kind of ['zip', 'tar.gz', 'tar'] as const) {
    it(`unpacks a .${kind} into DEST/`, async () => {
      // The name says nothing: the kind comes from the bytes.
      const url = server.file(`/files/archive-${kind.replace('.', '-')}`, pack(kind));
      const dest = join(tmp.dir, `out-${kind}`);
      const r = await urls.fetch(clause(`${url} /data/out/ extract`), {}, dest, context());
      if (!r.ok) throw new Error(r.message);
      expect(readTree(dest)).toEqual(tree);
      expect(r.pin.sha256).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('refuses to extract what is not an archive', async () => {
    const url = server.file('/files/plain.txt', 'just text');
    const dest = join(tmp.dir, 'plain');
    const r = await urls.fetch(clause(`${url} /data/plain/ extract`), {}, dest, context());
    expect(r).toEqual({ ok: false, message: 'cannot extract plain.txt: it is not a .zip, .tar.gz, .tgz or .tar archive' });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});
