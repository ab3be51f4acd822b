import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

/** The status line the server answers a request written byte for byte with (`''` if it closed without one in 5 s). */
function statusLine(url: string, request: string): Promise<string> {
  const u = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(u.port), u.hostname);
    let got = '';
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      done(got.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(finish, 5_000);
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(request);
  });
}

describe('shark serve and odd requests', () => {
  const rig = new Rig('shark-serve-targets-');
  let served: Served;

  beforeAll(async () => {
    // A job may name a file with a backslash: it is a name like any other, never a separator.
    rig.write('p.md', "# P\n\n```shark-run\necho x > /data/x.txt && mkdir -p /data/odd/ && echo y > '/data/odd/back\\slash.txt'\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    served = await serve(rig, 'p.md');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('answers a request target that is no path (`*`, an authority) with 400, not an internal error', async () => {
    expect(await statusLine(served.url, 'GET * HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await statusLine(served.url, 'GET localhost:1 HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
  });

  it('refuses two Host headers (400) and a whole-URL target naming another host (421), as a foreign Host header is', async () => {
    expect(await statusLine(served.url, 'GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await statusLine(served.url, 'GET http://evil.example/ HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('HTTP/1.1 421 Misdirected Request');
    expect(await statusLine(served.url, `GET http://localhost:${new URL(served.url).port}/ HTTP/1.1\r\nHost: localhost\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
  });

  it('answers CONNECT with 405, as every other method but GET and HEAD (it closed the connection)', async () => {
    expect(await statusLine(served.url, 'CONNECT localhost:1 HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('HTTP/1.1 405 Method Not Allowed');
  });

  it('shows the page of a result whose name holds a backslash, as the document links it (it was a 404)', async () => {
    const html = await (await fetch(served.url + '/data/odd/')).text();
    expect(html).toContain('href="/data/odd/back%5Cslash.txt"');
    expect((await fetch(served.url + '/data/odd/back%5Cslash.txt')).status).toBe(200);
    expect((await fetch(served.url + '/data/odd/..%5Cback%5Cslash.txt')).status).toBe(404);
  });

  it('refuses a request target holding a `.` or `..` segment, however spelled, before the URL parser resolves it (it was a 200)', async () => {
    for (const target of ['/data/odd/../x.txt', '/data/odd/%2e%2e/x.txt', '/data/odd/.%2E/x.txt', '/data/./x.txt', '/data/%2e/x.txt',
      '/data/odd/..\\x.txt', 'http://localhost/data/odd/../x.txt', '/./', '/data/x.txt/..']) {
      expect(await statusLine(served.url, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`), target).toBe('HTTP/1.1 404 Not Found');
    }
    // Dots inside a name, or in the query, are no segment of the path.
    for (const target of ['/data/x.txt', '/data/x.txt?q=../a', '/data/odd/']) {
      expect(await statusLine(served.url, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`), target).toBe('HTTP/1.1 200 OK');
    }
  });

  it('answers HEAD /events with its headers at once (it never answered)', async () => {
    expect(await statusLine(served.url, 'HEAD /events HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('HTTP/1.1 200 OK');
  });
});

describe('shark serve listening beyond this machine', () => {
  const rig = new Rig('shark-serve-host-');
  afterAll(() => rig.cleanup());

  it('warns that whoever reaches the address reads the results; not on loopback', async () => {
    rig.write('p.md', '# P\n\n```shark-run\necho x > /data/x.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const open = await serve(rig, 'p.md', '--host', '0.0.0.0');
    await new Promise((r) => setTimeout(r, 200));
    expect(open.output()).toMatch(/shark: warning: listening on 0\.0\.0\.0, not this machine alone: whoever can reach it on port \d+ reads the results, logs and lineage of p\.md/);
    await open.stop();
    const local = await serve(rig, 'p.md', '--host', '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    expect(local.output()).not.toContain('warning');
    await local.stop();
  });
});
