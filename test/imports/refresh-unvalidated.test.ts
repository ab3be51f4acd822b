import { afterEach, beforeEach, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rig } from '../support/rig.js';
import { heldServer } from './held-server.js';

let rig: Rig;
let server: Awaited<ReturnType<typeof heldServer>>;
beforeEach(async () => {
  rig = new Rig('shark-refresh-unvalidated-');
  server = await heldServer();
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

it('plan --refresh of a URL whose server sends no ETag or Last-Modified says it cannot be compared without downloading: it said "source md5 changed (… → none)"', async () => {
  rig.write('p.md', `# U\n\n\`\`\`shark-import\n${server.url()} /data/d.bin\n\`\`\`\n`);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const plan = await rig.shark(['plan', 'p.md', '--refresh']);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  expect(plan.stdout).toContain('source cannot be compared without downloading (the server sends no ETag or Last-Modified)');
  expect(plan.stdout).not.toContain('→ none');
  // Only a download can tell: run --refresh downloads it again, and finds the same bytes.
  const before = server.gets();
  const run = await rig.shark(['run', 'p.md', '--refresh']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(server.gets()).toBe(before + 1);
});

it('plan --refresh of a URL whose server refuses HEAD says it cannot be compared without downloading: it said "source not pinned in the lock file", which it is', async () => {
  await server.close();
  server = await heldServer(405);
  rig.write('p.md', `# U\n\n\`\`\`shark-import\n${server.url()} /data/d.bin\n\`\`\`\n`);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const plan = await rig.shark(['plan', 'p.md', '--refresh']);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  expect(plan.stdout).toContain('source cannot be compared without downloading (the server refused HEAD: HTTP 405)');
  expect(plan.stdout).not.toContain('not pinned');
  // Without --refresh the lock file's pin is used, as always; with it, the download tells.
  expect((await rig.shark(['plan', 'p.md'])).stdout).toContain('1 cached');
  const before = server.gets();
  const run = await rig.shark(['run', 'p.md', '--refresh']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(server.gets()).toBe(before + 1);
});

it('plan --refresh of a URL whose server answers HEAD with no ETag, Last-Modified or size (a chunked answer) says it cannot be compared without downloading: it said "source not pinned in the lock file", which it is', async () => {
  let gets = 0;
  const chunked = http.createServer((req, res) => {
    if (req.method === 'GET') gets++;
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    res.end(req.method === 'HEAD' ? undefined : 'streamed\n');
  });
  await new Promise<void>((done) => chunked.listen(0, '127.0.0.1', done));
  try {
    rig.write('p.md', `# U\n\n\`\`\`shark-import\nhttp://127.0.0.1:${(chunked.address() as AddressInfo).port}/d.bin /data/d.bin\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const plan = await rig.shark(['plan', 'p.md', '--refresh']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('source cannot be compared without downloading (the server sends no ETag or Last-Modified)');
    expect(plan.stdout).not.toContain('not pinned');
    const before = gets;
    const run = await rig.shark(['run', 'p.md', '--refresh']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(gets).toBe(before + 1);
  } finally {
    chunked.closeAllConnections();
    await new Promise((done) => chunked.close(done));
  }
});
