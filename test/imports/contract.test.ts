import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { GitImporter } from '../../src/imports/git.js';
import { GitHubImporter } from '../../src/imports/github.js';
import type { Importer } from '../../src/imports/importer.js';
import { importerFor } from '../../src/imports/registry.js';
import { UrlImporter } from '../../src/imports/url.js';
import { ZenodoImporter } from '../../src/imports/zenodo.js';
import type { ImportClause } from '../../src/pipeline/import-clause.js';
import { FakeServer } from './fake-server.js';
import { bareRepo, clause, context, gitClause, scratch } from './helpers.js';

/**
 * What the engine relies on, checked for every importer: fetch creates DEST
 * (a file, or a directory when the clause says so) and nothing beside it; the
 * final pin is flat; and for immutable sources, resolve with that pin locked
 * returns it unchanged without touching the network.
 */

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

interface Case {
  readonly name: string;
  readonly importer: () => Importer;
  readonly clause: () => ImportClause;
}

let server: FakeServer;
let tmp: ReturnType<typeof scratch>;
let commit: string;
let gitUrl: string;
let gitSha: string;

beforeAll(async () => {
  server = await FakeServer.start();
  tmp = scratch();
  server.record('42', { 'x.csv': 'x\n', 'y.csv': 'y\n' });
  commit = server.repo('o', 'r', 'main', { 'f.txt': 'f' });
  server.file('/files/u.csv', 'u\n');
  writeFileSync(join(tmp.dir, 'local.csv'), 'local\n');
  const repo = bareRepo(tmp.dir, 'g', 'main', [{ 'g.txt': 'g' }]);
  gitUrl = repo.url;
  gitSha = repo.shas[0]!;
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

const FAST = { backoffMs: 5 };
const cases: Case[] = [
  { name: 'zenodo file', importer: () => new ZenodoImporter(server.zenodoUrl, FAST), clause: () => clause('zenodo:42/x.csv /data/x.csv') },
  { name: 'zenodo record', importer: () => new ZenodoImporter(server.zenodoUrl, FAST), clause: () => clause('doi:10.5281/zenodo.42 /data/rec/') },
  { name: 'github commit', importer: () => new GitHubImporter(server.githubApiUrl, undefined, FAST), clause: () => clause(`github:o/r@${commit} /data/repo`) },
  { name: 'git commit', importer: () => new GitImporter(), clause: () => gitClause(gitUrl, gitSha) },
  { name: 'url with checksum', importer: () => new UrlImporter(FAST), clause: () => clause(`${server.url}/files/u.csv /data/u.csv md5:${md5('u\n')}`) },
  { name: 'unpinned url', importer: () => new UrlImporter(FAST), clause: () => clause(`${server.url}/files/u.csv /data/u.csv`) },
  { name: 'local file', importer: () => new FileImporter(), clause: () => clause('local.csv /data/l.csv') },
];

describe.each(cases)('importer contract: $name', (c) => {
  it('fetches into DEST only, returns a flat pin that a locked resolve repeats offline', async () => {
    const importer = c.importer();
    const cl = c.clause();
    const ctx = context({ dir: tmp.dir });
    const resolved = await importer.resolve(cl, ctx);
    if (!resolved.ok) throw new Error(resolved.message);
    const parent = join(tmp.dir, `dest-${c.name.replace(/\W/g, '-')}`);
    const dest = join(parent, 'out');
    const fetched = await importer.fetch(cl, resolved.pin, dest, ctx);
    if (!fetched.ok) throw new Error(fetched.message);
    expect(statSync(dest).isDirectory()).toBe(cl.destIsDir);
    expect(readdirSync(parent)).toEqual(['out']);
    for (const v of Object.values(fetched.pin)) expect(['string', 'number']).toContain(typeof v);

    server.reset();
    const again = await importer.resolve(cl, context({ dir: tmp.dir, locked: fetched.pin }));
    expect(again).toEqual({ ok: true, pin: fetched.pin });
    if (c.name !== 'local file') expect(server.requests).toEqual([]);
  });

  it('leaves nothing when the fetch fails', async () => {
    const parent = join(tmp.dir, `fail-${c.name.replace(/\W/g, '-')}`);
    const dest = join(parent, 'out');
    const ac = new AbortController();
    ac.abort();
    const r = await c.importer().fetch(c.clause(), {}, dest, { ...context({ dir: tmp.dir }), signal: ac.signal });
    if (c.name === 'local file') return; // a local copy has nothing to cancel
    expect(r.ok).toBe(false);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
  });
});

describe('registry', () => {
  it('has an importer for every scheme and takes base URLs from the environment', async () => {
    const env = { SHARK_ZENODO_URL: server.zenodoUrl, SHARK_GITHUB_API_URL: server.githubApiUrl };
    for (const line of ['zenodo:42/x.csv /data/x', `github:o/r@main /data/r`, `${server.url}/files/u.csv /data/u`, 'local.csv /data/l']) {
      const cl = clause(line);
      const r = await importerFor(cl.source, env).resolve(cl, context({ dir: tmp.dir }));
      expect(r.ok).toBe(true);
    }
    expect(importerFor(gitClause(gitUrl, 'main').source)).toBeInstanceOf(GitImporter);
  });
});
