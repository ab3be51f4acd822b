import { afterEach, beforeEach, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { Rig } from '../support/rig.js';

let rig: Rig;
let body = 'aaaa\n';
let server: http.Server;
let url = '';
beforeEach(async () => {
  rig = new Rig('shark-refresh-same-validators-');
  body = 'aaaa\n';
  // Last-Modified at one-second resolution: a file rewritten within that second, or copied with its time kept, keeps it.
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'last-modified': 'Sun, 06 Dec 2026 07:00:00 GMT', 'content-length': String(body.length) });
    res.end(_req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r.txt`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  rig.cleanup();
});

it('run --refresh accepts new bytes under unchanged validators, as the mismatch tells the user to do: it failed with the same advice again', async () => {
  rig.write('p.md', `# R\n\n\`\`\`shark-import\n${url} /data/r.txt\n\`\`\`\n`);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  body = 'bbbb\n';
  rmSync(rig.path('.shark'), { recursive: true, force: true });
  const pinned = await rig.shark(['run', 'p.md']);
  expect(pinned.code).toBe(1);
  expect(pinned.stdout + pinned.stderr).toContain('run with --refresh to accept the new content');
  const refreshed = await rig.shark(['run', 'p.md', '--refresh']);
  expect(refreshed.code, refreshed.stdout + refreshed.stderr).toBe(0);
  const lock = JSON.parse(readFileSync(rig.path('p.lock.json'), 'utf8')) as { imports: Record<string, { sha256: string }> };
  expect(lock.imports[`${url} /data/r.txt`]?.sha256).toBe('4551db5fd4d56e27be71a8a943070cfaa4342b8e960a326e2d6427b3aa0a5a48');
  expect((await rig.shark(['plan', 'p.md'])).stdout).toContain('1 cached');
});
