import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A URL ending in `/` into `DEST/` takes the name its server sends: the lock
 * file pins that name with the bytes, so the store lost (another machine with
 * the committed lock file) imports the same tree, not the same bytes under
 * the server's new name; `--refresh` takes the new one.
 */
let rig: Rig;
let server: http.Server;
let name = 'first.csv';
let url = '';

beforeEach(async () => {
  rig = new Rig('shark-served-name-');
  name = 'first.csv';
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-disposition': `attachment; filename="${name}"`, 'content-length': '11' });
    res.end('same bytes\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  rig.cleanup();
});

it('the name a server sends is pinned in the lock file, and kept when the store is gone and the server renames it', async () => {
  rig.write('p.md', `# n\n\n\`\`\`shark-import\n${url} /data/cd/\n\`\`\`\n\n\`\`\`shark-run\ncat /data/cd/first.csv > /data/o.txt\n\`\`\`\n`);
  const first = await rig.shark(['run', 'p.md']);
  expect(first.code, first.stdout + first.stderr).toBe(0);
  expect(JSON.parse(rig.read('p.lock.json')).imports[`${url} /data/cd`]).toMatchObject({ name: 'first.csv' });
  name = 'second.csv';
  rmSync(rig.path('.shark'), { recursive: true });
  const again = await rig.shark(['run', 'p.md']);
  expect(again.code, again.stdout + again.stderr).toBe(0);
  const refreshed = await rig.shark(['run', 'p.md', '--refresh']);
  expect(refreshed.code).toBe(1);
  expect(refreshed.stdout).toContain('/data/cd/first.csv does not exist');
  expect(JSON.parse(rig.read('p.lock.json')).imports[`${url} /data/cd`]).toMatchObject({ name: 'second.csv' });
});

it('pins the name the file was placed under, not a served one that climbs (`../../x` is placed as `x`)', async () => {
  name = '../../PWNED_cd';
  rig.write('p.md', `# n\n\n\`\`\`shark-import\n${url} /data/cd/\n\`\`\`\n\n\`\`\`shark-run\ncat /data/cd/PWNED_cd > /data/o.txt\n\`\`\`\n`);
  const ran = await rig.shark(['run', 'p.md']);
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  expect(JSON.parse(rig.read('p.lock.json')).imports[`${url} /data/cd`]).toMatchObject({ name: 'PWNED_cd' });
  expect((await rig.shark(['lineage', 'p.md', '/data/o.txt'])).stdout).toContain('name=PWNED_cd');
});
