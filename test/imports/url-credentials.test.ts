import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shownUrl } from '../../src/imports/shown-url.js';
import { Rig } from '../support/rig.js';
import { FakeServer } from './fake-server.js';

/**
 * A URL's password and its query tokens are the user's to keep: whatever
 * Shark shows or exports of an import's URL says `***` in their place, as git
 * and curl do, while the document (and so the cache key) keeps them.
 */

let server: FakeServer;
let rig: Rig;

beforeEach(async () => {
  server = await FakeServer.start();
  rig = new Rig('shark-url-credentials-');
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

const env = { SHARK_HTTP_BACKOFF_MS: '10' };
const shark = (...args: string[]) => rig.shark(args, { env });
const page = (line: string) => `# l\n\n\`\`\`shark-import\n${line}\n\`\`\`\n\n## use\n\n\`\`\`shark-run\ncat /data/a.csv > /data/b.csv\n\`\`\`\n`;
const withPassword = () => server.url.replace('http://', 'http://alice:s3cret@');
const runLogs = (): string => {
  const dir = join(rig.dir, '.shark', 'logs', '1');
  return readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
};

describe('a URL with a password', () => {
  it('is shown with *** for its password in logs, lineage, plan and exports', async () => {
    server.file('/a.csv', 'x\n', 'text/csv');
    rig.write('p.md', page(`${withPassword()}/a.csv /data/a.csv`));
    const ran = await shark('run', 'p.md');
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout + ran.stderr).not.toContain('s3cret');
    const logs = runLogs();
    expect(logs).not.toContain('s3cret');
    expect(logs).toContain(`source=url url=${server.url.replace('http://', 'http://alice:***@')}/a.csv`);
    const lineage = await shark('lineage', 'p.md', '/data/a.csv');
    expect(lineage.code).toBe(0);
    expect(lineage.stdout).not.toContain('s3cret');
    expect(lineage.stdout).toContain('http://alice:***@');
    const json = await shark('lineage', 'p.md', '/data/b.csv', '--json');
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('s3cret');
    const why = await shark('why', 'p.md', '/data/b.csv');
    expect(why.stdout + why.stderr).not.toContain('s3cret');
    const prov = await shark('export', 'prov', 'p.md');
    expect(prov.code).toBe(0);
    expect(prov.stdout).not.toContain('s3cret');
    expect(prov.stdout).toContain('alice:***@');
    const crate = await shark('export', 'crate', 'p.md', '-o', 'crate');
    expect(crate.code, crate.stderr).toBe(0);
    expect(readFileSync(join(rig.dir, 'crate', 'ro-crate-metadata.json'), 'utf8')).not.toContain('s3cret');
    const plan = await shark('plan', 'p.md', '--refresh');
    expect(plan.stdout + plan.stderr).not.toContain('s3cret');
    // Run again with nothing changed: the lock still matches the URL as written, nothing is fetched.
    const asked = server.count();
    const again = await shark('run', 'p.md');
    expect(again.code).toBe(0);
    expect(server.count()).toBe(asked);
    expect(readFileSync(join(rig.dir, 'p.lock.json'), 'utf8')).toContain(`${withPassword()}/a.csv /data/a.csv`);
  });

  it('is shown with *** in the error of a failed download', async () => {
    rig.write('p.md', page(`${withPassword()}/nothere.csv /data/a.csv`));
    const ran = await shark('run', 'p.md');
    expect(ran.code).not.toBe(0);
    expect(ran.stdout + ran.stderr).not.toContain('s3cret');
    expect(runLogs()).not.toContain('s3cret');
    expect(runLogs()).toContain(`import ${server.url.replace('http://', 'http://alice:***@')}/nothere.csv → /data/a.csv`);
    expect(ran.stderr + ran.stdout).toContain(`error: HTTP 404 Not Found from ${server.url.replace('http://', 'http://alice:***@')}/nothere.csv`);
    const crate = await shark('export', 'crate', 'p.md', '-o', 'crate');
    expect(crate.code, crate.stderr).toBe(0);
    expect(readFileSync(join(rig.dir, 'crate', 'ro-crate-metadata.json'), 'utf8')).not.toContain('s3cret');
  });

  it('is shown with *** in the error of a git repository that cannot be reached, in plan, run and --json (git\'s URL was shown whole)', async () => {
    rig.write('p.md', '# G\n\n```shark-import\nhttp://alice:GITPW99@127.0.0.1:1/r.git@main /data/r/\n```\n');
    for (const args of [['plan', 'p.md'], ['plan', 'p.md', '--json'], ['run', 'p.md'], ['run', 'p.md', '--json']]) {
      const ran = await shark(...args);
      expect(ran.stdout + ran.stderr, args.join(' ')).not.toContain('GITPW99');
      expect(ran.stdout + ran.stderr, args.join(' ')).toContain('cannot list the refs of http://alice:***@127.0.0.1:1/r.git');
    }
  });

  it('is shown with *** in a checksum mismatch', async () => {
    server.file('/a.csv', 'x\n', 'text/csv');
    rig.write('p.md', page(`${withPassword()}/a.csv /data/a.csv sha256:${'0'.repeat(64)}`));
    const ran = await shark('run', 'p.md');
    expect(ran.code).not.toBe(0);
    expect(ran.stdout + ran.stderr).toContain(`checksum mismatch for ${server.url.replace('http://', 'http://alice:***@')}/a.csv`);
    expect(ran.stdout + ran.stderr + runLogs()).not.toContain('s3cret');
  });
});

describe('a URL with a token in its query', () => {
  it('is shown with *** for the token, other parameters as written', async () => {
    server.file('/a.csv', 'x\n', 'text/csv');
    rig.write('p.md', page(`${server.url}/a.csv?version=2&Token=TOPSECRET&sig=SIGSECRET /data/a.csv`));
    const ran = await shark('run', 'p.md');
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const logs = runLogs();
    expect(logs).not.toMatch(/TOPSECRET|SIGSECRET/);
    expect(logs).toContain(`url=${server.url}/a.csv?version=2&Token=***&sig=***`);
    const lineage = await shark('lineage', 'p.md', '/data/a.csv');
    expect(lineage.stdout).not.toMatch(/TOPSECRET|SIGSECRET/);
    const prov = await shark('export', 'prov', 'p.md');
    expect(prov.stdout).not.toMatch(/TOPSECRET|SIGSECRET/);
  });
});

describe('shownUrl', () => {
  it('hides a password and token values, and nothing else', () => {
    expect(shownUrl('https://alice:p@ss@host:8/a@b.csv?x=1#k=2')).toBe('https://alice:***@host:8/a@b.csv?x=1#k=2');
    expect(shownUrl('https://alice@host/a.csv')).toBe('https://alice@host/a.csv');
    expect(shownUrl('https://host/a.csv?access_token=T&X-Amz-Signature=S&sig=G&design=d&apiKey=K')).toBe('https://host/a.csv?access_token=***&X-Amz-Signature=***&sig=***&design=d&apiKey=***');
    expect(shownUrl('https://host/a.csv')).toBe('https://host/a.csv');
  });
});
