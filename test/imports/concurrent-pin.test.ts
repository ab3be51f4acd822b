import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { heldServer } from './held-server.js';

let rig: Rig;
let server: Awaited<ReturnType<typeof heldServer>>;
beforeEach(async () => {
  rig = new Rig('shark-concurrent-pin-');
  server = await heldServer();
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

it('an unpinned fetch that another run pinned meanwhile to other bytes fails, naming both, and leaves that pin: it re-pinned the lock file silently', async () => {
  // A token in the URL is never shown, in this message as in any other.
  const doc = () => `# Pin\n\n\`\`\`shark-import\n${server.url()}?token=TOPSECRET /data/d.bin\n\`\`\`\n\n\`\`\`shark-run\nwc -c < /data/d.bin > /data/n.txt\n\`\`\`\n`;
  rig.write('p.md', doc());
  // Another run's pin: what a run that fetched first wrote while this one was fetching.
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const theirs = rig.read('p.lock.json');
  rig.write('p.lock.json', '{"version": 1, "environments": {}, "imports": {}}\n');
  server.bytes.now = 'second, longer\n';
  server.hold();
  const run = rig.start(['run', 'p.md']);
  const before = server.gets();
  for (let i = 0; i < 400 && server.gets() === before; i++) await new Promise((r) => setTimeout(r, 25));
  rig.write('p.lock.json', theirs);
  server.release();
  const ran = await run.ended;
  expect(ran.code, ran.stdout + ran.stderr).toBe(1);
  expect(ran.stdout + ran.stderr).toMatch(/another run pinned .*\?token=\*\*\* to sha256:[0-9a-f]{12}.* while this one fetched sha256:[0-9a-f]{12}/);
  expect(ran.stdout + ran.stderr).not.toContain('TOPSECRET');
  expect(rig.read('p.lock.json')).toBe(theirs);
  // The next run uses that pin: the server's bytes no longer match it, which it says as a changed server is said.
  const next = await rig.shark(['run', 'p.md']);
  expect(next.code).toBe(0);
  expect(next.stdout).toContain('0 run, 2 cached');
});

it('a run that waited for another fetching an unpinned source reuses what it fetched: it fetched again and re-pinned the lock file to what the source had changed to', async () => {
  rig.write('p.md', `# Conc\n\n\`\`\`shark-import\n${server.url()} /data/b.bin\n\`\`\`\n\n\`\`\`shark-run\nwc -c < /data/b.bin > /data/n.txt\n\`\`\`\n`);
  server.hold();
  const first = rig.start(['run', 'p.md']);
  for (let i = 0; i < 400 && server.gets() === 0; i++) await new Promise((r) => setTimeout(r, 25));
  const second = rig.start(['run', 'p.md']);
  let said = '';
  second.process.stdout!.on('data', (d: Buffer) => (said += d.toString()));
  for (let i = 0; i < 400 && !said.includes('waiting'); i++) await new Promise((r) => setTimeout(r, 25));
  server.release();
  // Changed upstream once the first run's fetch was answered: the second must not fetch it.
  await new Promise((r) => setTimeout(r, 50));
  server.bytes.now = 'second, longer\n';
  const [a, b] = [await first.ended, await second.ended];
  expect(a.code, a.stdout + a.stderr).toBe(0);
  expect(b.code, b.stdout + b.stderr).toBe(0);
  expect(b.stdout).toContain('waiting  conc: another run');
  // Each job runs once between the two: which run takes the step after the import is a race under load.
  const ran = (out: string) => Number(/ok: (\d+) run, \d+ cached, 0 failed/.exec(out)?.[1] ?? NaN);
  expect(ran(a.stdout) + ran(b.stdout), a.stdout + b.stdout).toBe(2);
  expect(server.gets()).toBe(1);
  expect(rig.read('p.lock.json')).toContain('"size": 6');
});
