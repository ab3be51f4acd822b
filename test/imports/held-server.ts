import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A server of one file whose bytes can change, and whose answers can be held until released; it sends no ETag or
 * Last-Modified. `headStatus`: what it answers a HEAD with instead of the file's size (405: it does not answer HEAD).
 */
export async function heldServer(headStatus?: number): Promise<{ url: () => string; bytes: { now: string }; hold: () => void; release: () => void; gets: () => number; close: () => Promise<void> }> {
  const bytes = { now: 'first\n' };
  let held: Promise<void> | undefined;
  let open = (): void => undefined;
  let gets = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') gets++;
    if (req.method === 'HEAD' && headStatus !== undefined) return void res.writeHead(headStatus).end();
    const answer = (): void => void res.writeHead(200, { 'content-length': Buffer.byteLength(bytes.now) }).end(req.method === 'HEAD' ? undefined : bytes.now);
    if (held !== undefined && req.method === 'GET') void held.then(answer);
    else answer();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/d.bin`,
    bytes,
    hold: () => void (held = new Promise((done) => (open = done))),
    release: () => open(),
    gets: () => gets,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
