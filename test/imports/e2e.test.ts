import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';
import { FakeServer } from './fake-server.js';
import { bareRepo } from './helpers.js';

/**
 * Every source type through the real `shark` binary, against the fake
 * Zenodo/GitHub/file server (base URLs from the environment).
 */

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const CSV = 'id,value\n' + Array.from({ length: 3000 }, (_, i) => `${i},${i % 7}`).join('\n') + '\n';

let server: FakeServer;
let rig: Rig;
let env: Record<string, string>;

beforeEach(async () => {
  server = await FakeServer.start();
  rig = new Rig('shark-imports-e2e-');
  env = { SHARK_ZENODO_URL: server.zenodoUrl, SHARK_GITHUB_API_URL: server.githubApiUrl, SHARK_HTTP_BACKOFF_MS: '10', GITHUB_TOKEN: '' };
});
afterEach(async () => {
  await server.close();
  rig.cleanup();
});

const shark = (...args: string[]) => rig.shark(args, { env });
/** Runs and expects success, showing the output when it fails. */
const runOk = async (...args: string[]) => {
  const ran = await shark('run', 'p.md', ...args);
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  return ran;
};
const plan = async (...args: string[]) => {
  const ran = await shark('plan', 'p.md', '--json', ...args);
  if (ran.code !== 0) throw new Error(`plan failed (${ran.code}): ${ran.stdout}${ran.stderr}`);
  return JSON.parse(ran.stdout) as Awaited<ReturnType<Rig['plan']>>;
};
const fence = (tag: string, body: string) => `\`\`\`${tag}\n${body}\n\`\`\`\n`;

/** An archive of a small tree, made with the system tar. */
function tarball(): Buffer {
  const src = rig.path('archive-src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub/inside.txt'), 'inside\n');
  execFileSync('tar', ['-czf', rig.path('bundle.tar.gz'), '-C', src, '.']);
  return readFileSync(rig.path('bundle.tar.gz'));
}

describe('imports through shark run', () => {
  it('imports every source type, and a second run downloads nothing', async () => {
    server.record('1001', { 'data.csv': CSV, 'notes.txt': 'notes\n' });
    const commit = server.repo('acme', 'survey', 'main', { 'README.md': 'hi\n', 'data/a.csv': 'x\n1\n' });
    const repo = bareRepo(rig.path('git'), 'models', 'main', [{ 'model.txt': 'model v1\n' }]);
    const gitUrl = server.directory('/git/models.git', rig.path('git/models.git'));
    const tgz = tarball();
    server.file('/files/bundle.tar.gz', tgz, 'application/gzip');
    server.file('/files/plain.txt', 'plain\n', 'text/plain');
    rig.write('p.md', [
      '# All sources\n',
      fence('shark-import', [
        'zenodo:1001/data.csv /data/raw.csv',
        'doi:10.5281/zenodo.1001 /data/record/',
        `github:acme/survey@${commit} /data/survey`,
        `${gitUrl}@main /data/models`,
        `${server.url}/files/bundle.tar.gz /data/bundle/ sha256:${sha256(tgz)} extract`,
        `${server.url}/files/plain.txt /data/plain.txt md5:${md5('plain\n')}`,
      ].join('\n')),
      '\n## Combine\n',
      fence('shark-run', 'echo combine >> counter; cat /data/raw.csv /data/record/notes.txt /data/survey/data/a.csv /data/models/model.txt /data/bundle/sub/inside.txt /data/plain.txt > /data/all.txt'),
      fence('shark-publish', '/data/all.txt'),
    ].join('\n'));

    await runOk();
    expect(rig.read('_shark/all.txt')).toBe(`${CSV}notes\nx\n1\nmodel v1\ninside\nplain\n`);
    expect(rig.count()).toBe(1);
    const lock = JSON.parse(rig.read('p.lock.json')) as { imports: Record<string, Record<string, unknown>> };
    expect(lock.imports['zenodo:1001/data.csv /data/raw.csv']).toEqual({
      source: 'zenodo', doi: '10.5281/zenodo.1001', record: '1001', file: 'data.csv', size: CSV.length, md5: md5(CSV), sha256: sha256(CSV),
    });
    expect(lock.imports[`${gitUrl}@main /data/models`]).toMatchObject({ source: 'git', ref: 'main', commit: repo.shas[0] });

    server.reset();
    const second = await runOk();
    expect(second.stdout).toMatch(/0 run, 7 cached, 0 failed/);
    expect(rig.count()).toBe(1);
    // Immutable sources ask nothing; the git branch is re-resolved (its refs only, no content).
    const refsOnly = (): string[] => [...new Set(server.requests.map((r) => r.path))].sort();
    expect(refsOnly()).toEqual(['/git/models.git/HEAD', '/git/models.git/info/refs']);
    server.reset();
    expect((await plan()).summary).toEqual({ cached: 7, run: 0, blocked: 0 });
    expect(refsOnly()).toEqual(['/git/models.git/HEAD', '/git/models.git/info/refs']);
  });

  it('fails a tampered file with both checksums and commits nothing', async () => {
    server.record('1002', { 'data.csv': CSV });
    const tampered = CSV.replace('2999,3', '2999,4');
    server.tamper('/zenodo/api/records/1002/files/data.csv/content', tampered);
    rig.write('p.md', [
      '# Tampered\n',
      fence('shark-import', 'zenodo:1002/data.csv /data/raw.csv'),
      fence('shark-run', 'echo used >> counter; wc -l < /data/raw.csv > /data/lines.txt'),
    ].join('\n'));
    const ran = await shark('run', 'p.md');
    expect(ran.code).not.toBe(0);
    const out = ran.stdout + ran.stderr;
    expect(out).toContain(`p.md:4:1: error: checksum mismatch for data.csv in Zenodo record 1002: expected md5:${md5(CSV)} (Zenodo), got md5:${md5(tampered)}`);
    expect(rig.count()).toBe(0);
    expect(rig.exists('p.lock.json') ? Object.keys(JSON.parse(rig.read('p.lock.json')).imports as object) : []).toEqual([]);
    const after = await plan();
    expect(after.jobs.map((j) => j.status)).toEqual(['run', 'blocked']);
  });

  it('retries a dropped connection (resuming) and reports a 404 at the clause', async () => {
    server.record('1003', { 'data.csv': CSV });
    server.dropOnce('/zenodo/api/records/1003/files/data.csv/content', 5000);
    rig.write('p.md', [
      '# Flaky\n',
      fence('shark-import', `zenodo:1003/data.csv /data/raw.csv\n${server.url}/files/nowhere.csv /data/nowhere.csv`),
    ].join('\n'));
    const ran = await shark('run', 'p.md', '--keep-going');
    expect(ran.code).not.toBe(0);
    const out = ran.stdout + ran.stderr;
    expect(out).toContain(`p.md:5:1: error: HTTP 404 Not Found from ${server.url}/files/nowhere.csv`);
    const gets = server.requests.filter((r) => r.path.endsWith('/data.csv/content'));
    expect(gets.map((r) => r.headers.range)).toEqual([undefined, 'bytes=5000-']);
    const lock = JSON.parse(rig.read('p.lock.json')) as { imports: Record<string, Record<string, unknown>> };
    expect(lock.imports['zenodo:1003/data.csv /data/raw.csv']?.sha256).toBe(sha256(CSV));
  });

  it('reports a moved branch in plan (old → new commit) and re-imports it in run', async () => {
    const first = server.repo('acme', 'moving', 'main', { 'value.txt': 'one\n' });
    rig.write('p.md', [
      '# Moving\n',
      fence('shark-import', 'github:acme/moving@main /data/repo'),
      fence('shark-run', 'echo used >> counter; cp /data/repo/value.txt /data/value.txt'),
      fence('shark-publish', '/data/value.txt'),
    ].join('\n'));
    await runOk();
    expect(rig.read('_shark/value.txt')).toBe('one\n');
    expect(toRun(await plan())).toEqual([]);

    const second = server.push('acme', 'moving', 'main', { 'value.txt': 'two\n' });
    const moved = await plan();
    expect(moved.jobs.map((j) => j.status), JSON.stringify(moved)).toEqual(['run', 'blocked']);
    expect(moved.jobs[0]!.reasons.join('; ')).toContain(`commit changed (${first.slice(0, 8)}… → ${second.slice(0, 8)}…)`);

    await runOk();
    expect(rig.read('_shark/value.txt')).toBe('two\n');
    expect(rig.count()).toBe(2);
    const lock = JSON.parse(rig.read('p.lock.json')) as { imports: Record<string, Record<string, unknown>> };
    expect(lock.imports['github:acme/moving@main /data/repo']?.commit).toBe(second);
  });

  it('runs a dozen git imports at once without Node warning of a listener leak', async () => {
    bareRepo(rig.path('git'), 'many', 'main', [{ 'a.txt': 'a\n' }]);
    const url = `file://${rig.path('git/many.git')}`;
    const lines = Array.from({ length: 12 }, (_, i) => `${url}@main /data/g${i}`);
    rig.write('p.md', `# Many\n\n${fence('shark-import', lines.join('\n'))}`);
    const ran = await runOk('-j', '12');
    expect(ran.stderr).not.toContain('MaxListenersExceededWarning');
    expect((await shark('plan', 'p.md', '--refresh')).stderr).not.toContain('MaxListenersExceededWarning');
  });

  it('pins an unpinned URL in the lock file and re-checks it only with --refresh', async () => {
    server.file('/files/live.csv', 'v1\n');
    rig.write('p.md', ['# Live\n', fence('shark-import', `${server.url}/files/live.csv /data/live.csv`),
      fence('shark-run', 'echo used >> counter; cp /data/live.csv /data/copy.csv'), fence('shark-publish', '/data/copy.csv')].join('\n'));
    await runOk();
    server.file('/files/live.csv', 'v2\n');
    server.reset();
    expect(toRun(await plan())).toEqual([]);
    expect(server.count()).toBe(0);
    const refreshed = await plan('--refresh');
    expect(refreshed.jobs[0]!.status).toBe('run');
    expect(refreshed.jobs[0]!.reasons).toEqual([expect.stringMatching(/^source changed on the server \(ETag "\w+" → "\w+"\)$/)]);
    rmSync(rig.path('p.lock.json'));
    expect((await plan()).jobs[0]!.reasons).toEqual(['source not pinned in the lock file']);
    await runOk('--refresh');
    expect(rig.read('_shark/copy.csv')).toBe('v2\n');
  });

  it('names the Zenodo record, file and checksum in the lineage of a downstream result', async () => {
    server.record('1004', { 'data.csv': CSV });
    rig.write('p.md', [
      '# Lineage\n',
      fence('shark-import', 'zenodo:1004/data.csv /data/raw.csv'),
      fence('shark-run', 'wc -l < /data/raw.csv > /data/lines.txt'),
      fence('shark-run', 'cat /data/lines.txt > /data/report.txt'),
    ].join('\n'));
    await runOk();
    const ran = await shark('lineage', 'p.md', '/data/report.txt', '--json');
    expect(ran.code).toBe(0);
    const sources: unknown[] = [];
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.kind === 'import') sources.push(n.source);
      for (const v of Object.values(n)) walk(v);
    };
    walk(JSON.parse(ran.stdout));
    expect(sources).toEqual([{ source: 'zenodo', doi: '10.5281/zenodo.1004', record: '1004', file: 'data.csv', size: CSV.length, md5: md5(CSV), sha256: sha256(CSV) }]);
    const text = await shark('lineage', 'p.md', '/data/report.txt');
    expect(text.stdout).toContain('1004');
    expect(text.stdout).toContain(md5(CSV));
  });
});

describe('a Zenodo concept id', () => {
  it('names a new version as what changed: the whole record said "source not pinned in the lock file", a file "source md5 changed"', async () => {
    server.record('2001', { 'data.csv': 'v1\n' }, { concept: '2000' });
    rig.write('p.md', ['# Concept\n', fence('shark-import', 'zenodo:2000 /data/rec/\nzenodo:2000/data.csv /data/d.csv')].join('\n'));
    await runOk();
    server.record('2002', { 'data.csv': 'v2\n' }, { concept: '2000' });
    const after = await plan();
    expect(after.jobs.map((j) => j.reasons)).toEqual([['source version changed (2001 → 2002)'], ['source version changed (2001 → 2002)']]);
  });
});
