import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { Rig } from '../support/rig.js';
import { copyExample, rawGet, serve, type Served } from './serve-rig.js';

const XSS = '<script>alert(1)<script>.csv';

/** The links of a block's `reads` line. */
function readsOf(html: string, block: string): string {
  return /<span class="k">reads<\/span> (.*?)<\/div>/.exec(html.slice(html.indexOf(`data-block="${block}"`)))![1]!;
}

/** Every link of a page (but its anchors) answers 200. */
async function expectLinksResolve(url: string, html: string): Promise<void> {
  const hrefs = [...new Set([...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&')))];
  expect(hrefs.length).toBeGreaterThan(3);
  for (const href of hrefs) expect((await fetch(url + href)).status, href).toBe(200);
}

describe('shark serve over HTTP', () => {
  const rig = new Rig('shark-serve-');
  let served: Served;

  beforeAll(async () => {
    const file = copyExample(rig);
    const ran = await rig.shark(['run', file]);
    expect(ran.code, ran.stderr).toBe(0);
    // A pipeline whose document and data try to script the page.
    rig.write('in/' + XSS, 'species,count\n<img src=x onerror=alert(2)>,1\n');
    rig.write('in/ok.csv', 'species,count\nowl,2\n');
    rig.write('xss.md', '# Escaping <script>alert(1)</script>\n\nA [link](javascript:alert(3)).\n\n```shark-import\nin /data/in/\n```\n\n```shark-run\ncat /data/in/*.csv > /data/out/+\n```\n');
    const xss = await rig.shark(['run', 'xss.md']);
    expect(xss.code, xss.stderr).toBe(0);
    rig.write('many.md', '# Many\n\n```shark-run\nmkdir -p /data/many/ && cd /data/many/ && seq 250 | xargs touch\n```\n');
    const many = await rig.shark(['run', 'many.md']);
    expect(many.code, many.stderr).toBe(0);
    served = await serve(rig, file);
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('prints its URL on loopback and serves the document with a restrictive Content-Security-Policy', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(served.url + '/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('Area of habitat, in miniature');
    expect(html).toMatch(/data-block="summary" data-status="ran"/);
    expect(html).toContain('<svg class="dag"');
    // No inline script or style: the policy would block them.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('shows a result page with its content id, a CSV preview and its lineage', async () => {
    const html = await (await fetch(served.url + '/data/summary.csv')).text();
    expect(html).toMatch(/content id <code class="id">sha256:[0-9a-f]{64}<\/code>/);
    expect(html).toContain('<td>ptarmigan</td>');
    // Its rows counted below the header, as a reader of the table counts them.
    expect(html).toMatch(/2 columns, a header and \d+ rows?</);
    expect(Number(/a header and (\d+) rows?/.exec(html)![1])).toBe((html.match(/<tr><td>/g) ?? []).length);
    expect(html).toContain('habitat-per-species[puffin.csv]');
    expect(html).toContain('href="/data/threshold.csv"');
  });

  it('links a map\'s wildcard input to the directory it maps over, and every link on the document resolves', async () => {
    const html = await (await fetch(served.url + '/')).text();
    expect(readsOf(html, 'habitat-per-species')).toContain('<a href="/data/species/">/data/species/*.csv</a>');
    await expectLinksResolve(served.url, html);
  });

  it('lists a host input directory a map read item by item, so that its link resolves too', async () => {
    rig.write('up-in/x.txt', 'abc\n');
    rig.write('up-in/y.txt', 'def\n');
    rig.write('up.md', '---\ninputs:\n  in: /data/in/\n---\n# Up\n\n```shark-run\ntr a-z A-Z < /data/in/* > /data/up/+\n```\n');
    const ran = await rig.shark(['run', 'up.md', '-i', 'in=up-in']);
    expect(ran.code, ran.stderr).toBe(0);
    const other = await serve(rig, 'up.md', '-i', 'in=up-in');
    try {
      const html = await (await fetch(other.url + '/')).text();
      expect(readsOf(html, 'up')).toContain('<a href="/data/in/">/data/in/*</a>');
      await expectLinksResolve(other.url, html);
      const listing = await (await fetch(other.url + '/data/in/')).text();
      expect(listing).toContain('href="/data/in/x.txt"');
      expect(listing).toContain('href="/data/in/y.txt"');
    } finally {
      await other.stop();
    }
  });

  it('answers 404 to paths outside the results, however they are spelled', async () => {
    for (const path of ['/data/../../etc/passwd', '/data/%2e%2e/%2e%2e/etc/passwd', '/data/aoh/..%2f..%2f..%2fetc%2fpasswd', '/..%2f..%2fetc/passwd',
      '/data/nothing.csv', '/data', '/object/..%2f..%2fetc%2fpasswd', '/object/sha256:' + '0'.repeat(64), '/log/99/summary', '/log/1/..%2f..%2fetc%2fpasswd', '/etc/passwd']) {
      const res = await rawGet(served.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('root:');
    }
  });

  it('says a path the document writes has no result yet (it said it was no result of the document), and a malformed address is a bad request', async () => {
    rig.write('fails.md', '# Fails\n\n```shark-run\necho x > /data/fail.txt && exit 3\n```\n');
    expect((await rig.shark(['run', 'fails.md'])).code).toBe(1);
    const failing = await serve(rig, 'fails.md');
    try {
      const res = await rawGet(failing.url, '/data/fail.txt');
      expect(res.status).toBe(404);
      expect(res.body).toContain('/data/fail.txt has no result yet: no run of this document made it (its step failed, or has not run as the document is now)');
      expect((await rawGet(failing.url, '/data/%E0%A4%A')).status).toBe(400);
    } finally {
      await failing.stop();
    }
  });

  it('serves a range of a stored result\'s bytes (a download resumed), 416 past its end, the whole when If-Range names other bytes', async () => {
    const page = await (await fetch(served.url + '/data/summary.csv')).text();
    const raw = /href="(\/object\/[^"]+)"/.exec(page)![1]!.replace(/&#38;/g, '&');
    const whole = await fetch(served.url + raw);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const etag = whole.headers.get('etag')!;
    expect(etag).toMatch(/^"sha256:[0-9a-f]{64}"$/);
    const part = await fetch(served.url + raw, { headers: { Range: 'bytes=3-' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 3-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(3));
    const tail = await fetch(served.url + raw, { headers: { Range: 'bytes=-4', 'If-Range': etag } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 4));
    const past = await fetch(served.url + raw, { headers: { Range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    const changed = await fetch(served.url + raw, { headers: { Range: 'bytes=3-', 'If-Range': '"sha256:other"' } });
    expect(changed.status).toBe(200);
    expect(Buffer.from(await changed.arrayBuffer())).toEqual(bytes);
  });

  it('serves the bytes of a stored result, and nothing for an id the document does not reach', async () => {
    const page = await (await fetch(served.url + '/data/summary.csv')).text();
    const raw = /href="(\/object\/[^"]+)"/.exec(page)![1]!.replace(/&#38;/g, '&');
    const res = await fetch(served.url + raw);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(await res.text()).toContain('ptarmigan,4');
    // The other document's data is in the same store, but not reachable from this one's results.
    const other = await serve(rig, 'xss.md');
    try {
      const ids = (await (await fetch(other.url + '/data/in/ok.csv')).text()).match(/sha256:[0-9a-f]{64}/g) ?? [];
      expect(ids.length).toBeGreaterThan(0);
      expect((await fetch(`${served.url}/object/${encodeURIComponent(ids[0]!)}`)).status).toBe(404);
      expect((await fetch(`${other.url}/object/${encodeURIComponent(ids[0]!)}?name=ok.csv`)).status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it('renders names and text from the document and its data as text, never as markup', async () => {
    const other = await serve(rig, 'xss.md');
    try {
      const doc = await (await fetch(other.url + '/')).text();
      expect(doc).toContain('Escaping <code class="raw-html">&#60;script&#62;</code>alert(1)');
      expect(doc).not.toContain('<script>alert');
      expect(doc).not.toContain('javascript:');
      expect(doc).toContain('&#60;script&#62;alert(1)&#60;script&#62;.csv');
      const listing = await (await fetch(other.url + '/data/in')).text();
      expect(listing).toContain('&#60;script&#62;alert(1)&#60;script&#62;.csv');
      const item = await (await fetch(other.url + '/data/out/' + encodeURIComponent(XSS))).text();
      expect(item).toContain('<td>&#60;img src=x onerror=alert(2)&#62;</td>');
      expect(item).not.toContain('<img src=x');
    } finally {
      await other.stop();
    }
  });

  it('changes nothing: other methods are refused, and a foreign Host header is turned away', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await rawGet(served.url, '/', method)).status).toBe(405);
    expect((await rawGet(served.url, '/', 'GET', { host: 'attacker.example' })).status).toBe(421);
  });

  it('says the stored bytes are missing when an object vanished, naming no host path', async () => {
    const html = await (await fetch(served.url + '/data/summary.csv')).text();
    const id = /sha256:([0-9a-f]{64})/.exec(html)![1]!;
    const object = rig.path(`.shark/objects/${id.slice(0, 2)}/${id.slice(2)}`);
    renameSync(object, object + '.away');
    try {
      for (const path of ['/data/summary.csv', `/object/sha256:${id}?name=summary.csv`]) {
        const res = await rawGet(served.url, path);
        expect(res.status, path).toBe(500);
        expect(res.body, path).toContain('missing from the store');
        expect(res.body, path).toContain('shark fsck');
        expect(res.body, path).not.toContain(rig.dir);
      }
    } finally {
      renameSync(object + '.away', object);
    }
  });

  it('says so when an object was damaged in place after the page showed it, and never serves the damaged bytes', async () => {
    const html = await (await fetch(served.url + '/data/summary.csv')).text();
    const id = /sha256:([0-9a-f]{64})/.exec(html)![1]!;
    const object = rig.path(`.shark/objects/${id.slice(0, 2)}/${id.slice(2)}`);
    const sound = readFileSync(object);
    chmodSync(object, 0o644);
    writeFileSync(object, 'DAMAGED'.padEnd(sound.length, '!'));
    try {
      for (const path of ['/data/summary.csv', `/object/sha256:${id}?name=summary.csv`]) {
        const res = await rawGet(served.url, path);
        expect(res.status, path).toBe(500);
        expect(res.body, path).toContain('shark fsck');
        expect(res.body, path).not.toContain('DAMAGED');
      }
    } finally {
      writeFileSync(object, sound);
      chmodSync(object, 0o444);
    }
  });

  it('lists at most 200 entries of a directory, and counts the rest', async () => {
    const other = await serve(rig, 'many.md');
    try {
      const html = await (await fetch(other.url + '/data/many')).text();
      expect(html).toContain('directory of 250 entries');
      expect(html.match(/<li><a href="\/data\/many\//g)?.length).toBe(200);
      expect(html).toContain('… and 50 more (the first 200 are listed; each entry has its page at its path)');
    } finally {
      await other.stop();
    }
  });

  it('turns a foreign Host header away on every loopback address, however it is spelled', async () => {
    for (const host of ['127.0.0.2', '127.1', '::ffff:127.0.0.1']) {
      const other = await serve(rig, 'example.md', '--host', host);
      try {
        expect((await rawGet(other.url, '/', 'GET', { host: 'attacker.example' })).status, host).toBe(421);
        // The name it was started on is its own.
        const own = host.includes(':') ? `[${host}]` : host;
        expect((await rawGet(other.url, '/', 'GET', { host: `${own}:80` })).status, host).toBe(200);
      } finally {
        await other.stop();
      }
    }
  });

  it('refuses bad usage with one line and exit status 2', async () => {
    const missing = await rig.shark(['serve', 'nope.md', '--port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const port = await rig.shark(['serve', 'example.md', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port expects a port number');
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', () => done()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const busy = await rig.shark(['serve', 'example.md', '--port', String(taken)]);
      expect(busy.code).toBe(2);
      expect(busy.stderr.trim()).toBe(`shark: error: port ${taken} is in use: pick another with --port`);
    } finally {
      blocker.close();
    }
  });

  it('says what would run now, and why, once an input changed after the run', async () => {
    rig.write('example-data/threshold.csv', 'min\n0\n');
    // The plan is remade when the page is asked for and the last one is more than two seconds old.
    await expect.poll(async () => (await (await fetch(served.url + '/')).text()).match(/data-block="inputs" data-status="([^"]+)"/)?.[1], { timeout: 15_000, interval: 500 }).toBe('would-run');
    const html = await (await fetch(served.url + '/')).text();
    expect(html).toMatch(/<span class="job-status" data-job="inputs.2" data-status="would-run">would run now: [^<]*changed/);
    expect(html).toMatch(/data-block="summary" data-status="would-run"/);
  });
});
