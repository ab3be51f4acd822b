import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { filesHolding } from '../support/files-holding.js';
import { FakeServer } from './fake-server.js';

/**
 * A URL import may take a secret (`?token=%{TOKEN}`, `https://user:%{PASS}@host/…`): the value is put in only
 * to fetch, so the document, the lock file, the cache key and everything Shark writes keep `%{TOKEN}`.
 */

let server: FakeServer;
let rig: Rig;
beforeEach(async () => {
  server = await FakeServer.start();
  rig = new Rig('shark-url-secret-');
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

const VALUE = 'tok-5ecr3t-value';
const page = (source: string) =>
  `---\nsecrets: [TOKEN]\n---\n# s\n\n\`\`\`shark-import\n${source} /data/a.csv\n\`\`\`\n\n## use\n\n\`\`\`shark-run\ncat /data/a.csv > /data/b.csv\n\`\`\`\n`;
const shark = (token: string | undefined, ...args: string[]) =>
  rig.shark(args, { env: { SHARK_HTTP_BACKOFF_MS: '10', ...(token === undefined ? {} : { TOKEN: token }) } });

it('is fetched with the value and recorded with %{TOKEN}: no file Shark writes holds the value, and a new value re-runs nothing', async () => {
  server.file('/a.csv', 'x\n', 'text/csv');
  rig.write('p.md', page(`${server.url}/a.csv?token=%{TOKEN}`));
  const ran = await shark(VALUE, 'run', 'p.md');
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  expect(server.requests.filter((r) => r.path === '/a.csv').map((r) => r.query)).toContain(`token=${VALUE}`);
  expect(rig.read('p.lock.json')).toContain('a.csv?token=%{TOKEN}');
  expect(filesHolding(rig.dir, VALUE)).toEqual([]);
  const again = await shark('another-value', 'run', 'p.md');
  expect(again.code, again.stdout + again.stderr).toBe(0);
  expect(again.stdout).toContain('0 run, 2 cached');
});

it('a failed download names the URL with %{TOKEN} or ***, never the value', async () => {
  rig.write('p.md', page(`${server.url}/missing.csv?token=%{TOKEN}`));
  const ran = await shark(VALUE, 'run', 'p.md');
  expect(ran.code).toBe(1);
  expect(ran.stdout + ran.stderr).toContain('HTTP 404');
  expect(ran.stdout + ran.stderr).not.toContain(VALUE);
  expect(filesHolding(rig.dir, VALUE)).toEqual([]);
});

it('an ETag or an error quoting the value is recorded and shown without it, a value holding `&` or a space too', async () => {
  server.fileEchoingQuery('/e.csv', 'x\n');
  rig.write('p.md', page(`${server.url}/e.csv?token=%{TOKEN}`));
  const ran = await shark(VALUE, 'run', 'p.md');
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  // The server's ETag held the token: the lock file, the store and lineage had it.
  expect(filesHolding(rig.dir, VALUE)).toEqual([]);
  expect((await shark(VALUE, 'lineage', 'p.md', '/data/b.csv')).stdout).not.toContain(VALUE);
  const refreshed = await shark('another-value', 'plan', 'p.md', '--refresh');
  expect(refreshed.stdout + refreshed.stderr).not.toMatch(/another-value|tok-5ecr3t/);
  // Cut at its `&` by the masking of credentials, the rest of the value was shown.
  const odd = 'K3y&Value/x y';
  rig.write('q.md', page(`${server.url}/denied.csv?token=%{TOKEN}`));
  const failed = await shark(odd, 'run', 'q.md');
  expect(failed.code).toBe(1);
  expect(failed.stdout + failed.stderr).toContain('HTTP 404');
  expect(failed.stdout + failed.stderr).not.toMatch(/Value\/x|x%20y/);
  expect(filesHolding(rig.dir, 'Value/x')).toEqual([]);
});

it('run without the secret set stops before anything runs; plan says the value is missing', async () => {
  server.file('/a.csv', 'x\n', 'text/csv');
  rig.write('p.md', page(`${server.url}/a.csv?token=%{TOKEN}`));
  const ran = await shark(undefined, 'run', 'p.md');
  expect(ran.code).toBe(2);
  expect(server.requests).toEqual([]);
});

it('only a URL may hold a secret: a local path or another source with %{TOKEN} is an error at the %', async () => {
  rig.write('in/x/a.csv', 'x\n');
  rig.write('p.md', page('in/%{TOKEN}/a.csv'));
  const checked = await shark(VALUE, 'check', 'p.md');
  expect(checked.code).toBe(2);
  expect(checked.stderr).toMatch(/p\.md:7:4: error: .*%\{TOKEN\}.*secret.*only a URL/);
});

it('a git repository\'s URL may not hold a secret: an error at the % (git was given `%{TOKEN}` as written)', async () => {
  rig.write('p.md', page('http://alice:%{TOKEN}@127.0.0.1:1/r.git@main /data/r/'));
  const checked = await shark(VALUE, 'check', 'p.md');
  expect(checked.code).toBe(2);
  expect(checked.stderr).toMatch(/p\.md:7:\d+: error: .*%\{TOKEN\}.*secret.*only a URL import's source may hold one, not a git repository's/);
});

it('a password in the URL may be a secret: the request carries it, the lock file keeps %{TOKEN}', async () => {
  server.file('/a.csv', 'x\n', 'text/csv');
  rig.write('p.md', page(`${server.url.replace('http://', 'http://alice:%{TOKEN}@')}/a.csv`));
  const ran = await shark(VALUE, 'run', 'p.md');
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  const auth = server.requests.find((r) => r.path === '/a.csv')?.headers.authorization;
  expect(Buffer.from(auth?.replace(/^Basic /, '') ?? '', 'base64').toString()).toBe(`alice:${VALUE}`);
  expect(rig.read('p.lock.json')).toContain('alice:%{TOKEN}@');
  expect(filesHolding(rig.dir, VALUE)).toEqual([]);
});

it('plan --script reads the secret from the environment where the URL names it', async () => {
  rig.write('p.md', page(`${server.url}/a.csv?token=%{TOKEN}`));
  const script = await shark(VALUE, 'plan', 'p.md', '--script');
  expect(script.code, script.stderr).toBe(0);
  expect(script.stdout).toContain(`'${server.url}/a.csv?token='"\${TOKEN}"`);
  expect(script.stdout).not.toContain(VALUE);
});
