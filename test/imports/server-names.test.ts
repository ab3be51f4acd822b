import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { FakeServer } from './fake-server.js';

/**
 * Names a server sends (Zenodo file keys) are data: `run`, `plan` and
 * `lineage` show them escaped, so a key can neither drive the terminal nor
 * forge a line of output; `--json` keeps them exact.
 */

/** What a terminal obeys rather than shows: C0 (but the line break) and C1 controls, and bidirectional marks. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const KEYS = ['\x1b[2J\x1b[31mRED\x1b]0;TITLE\x07.csv', 'n\nfake line.csv', 'c1\u009b31m.csv', 'bidi\u202ecsv.exe'];

let server: FakeServer;
let rig: Rig;
let env: Record<string, string>;

beforeEach(async () => {
  server = await FakeServer.start();
  server.record('1101', Object.fromEntries(KEYS.map((k, i) => [k, `${i}\n`])));
  rig = new Rig('shark-server-names-');
  env = { SHARK_ZENODO_URL: server.zenodoUrl, SHARK_HTTP_BACKOFF_MS: '10' };
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

const shark = (...args: string[]) => rig.shark(args, { env });
const shownSafely = (out: string): void => {
  expect(out).not.toMatch(UNSAFE);
  expect(out.split('\n').some((l) => l.startsWith('fake line'))).toBe(false);
};

it('run and plan escape the keys a Zenodo record lists in an error', async () => {
  rig.write('p.md', '# z\n\n```shark-import\nzenodo:1101/nope.csv /data/one.csv\n```\n');
  const run = await shark('run', 'p.md');
  expect(run.code).toBe(1);
  shownSafely(run.stdout + run.stderr);
  expect(run.stdout).toContain('"n\\nfake line.csv"');
  expect(run.stdout).toContain('"\\u001b[2J\\u001b[31mRED\\u001b]0;TITLE\\u0007.csv"');
  const plan = await shark('plan', 'p.md');
  shownSafely(plan.stdout + plan.stderr);
  expect(plan.stdout).toContain('"c1\\u009b31m.csv"');
});

it('a checksum mismatch names the key escaped', async () => {
  server.tamper('/zenodo/api/records/1101/files/n%0Afake%20line.csv/content', '9\n');
  rig.write('p.md', '# z\n\n```shark-import\nzenodo:1101 /data/rec/\n```\n');
  const run = await shark('run', 'p.md');
  expect(run.code).toBe(1);
  shownSafely(run.stdout + run.stderr);
  expect(run.stdout).toContain('checksum mismatch for "n\\nfake line.csv" in Zenodo record 1101');
});

it('lineage shows the pin of a whole record escaped, and --json keeps it exact', async () => {
  rig.write('p.md', '# z\n\n```shark-import\nzenodo:1101 /data/rec/\n```\n');
  const run = await shark('run', 'p.md');
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const text = await shark('lineage', 'p.md', '/data/rec');
  expect(text.code).toBe(0);
  shownSafely(text.stdout);
  expect(text.stdout).toContain('"md5/bidi\\u202ecsv.exe"=');
  const json = JSON.parse((await shark('lineage', 'p.md', '/data/rec', '--json')).stdout) as { source: Record<string, string> };
  expect(Object.keys(json.source).filter((k) => k.startsWith('md5/')).sort()).toEqual(KEYS.map((k) => `md5/${k}`).sort());
});
