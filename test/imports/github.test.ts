import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubImporter } from '../../src/imports/github.js';
import { treeId } from '../../src/imports/tree-hash.js';
import { FakeServer } from './fake-server.js';
import { clause, context, readTree, scratch } from './helpers.js';

const FAST = { backoffMs: 5, timeoutMs: 2000 };
const V1 = { 'README.md': 'hello\n', 'data/a.csv': 'x\n1\n', 'data/b.csv': 'x\n2\n' };
const V2 = { ...V1, 'data/a.csv': 'x\n10\n' };

let server: FakeServer;
let tmp: ReturnType<typeof scratch>;
let github: GitHubImporter;
let first: string;

beforeAll(async () => {
  server = await FakeServer.start();
  first = server.repo('acme', 'survey', 'main', V1);
  server.tag('acme', 'survey', 'v1.0', first);
  github = new GitHubImporter(server.githubApiUrl, 'secret-token', FAST);
});
afterAll(() => server.close());
beforeEach(() => {
  tmp = scratch();
  server.reset();
});
afterEach(() => tmp.cleanup());

describe('github:OWNER/REPO@REF[/PATH]', () => {
  it('resolves the ref to a commit, fetches its tarball through codeload, strips the top folder', async () => {
    const c = clause('github:acme/survey@v1.0 /data/survey');
    const ctx = context();
    const resolved = await github.resolve(c, ctx);
    expect(resolved).toEqual({ ok: true, pin: { source: 'github', owner: 'acme', repo: 'survey', ref: 'v1.0', commit: first } });
    const dest = join(tmp.dir, 'survey');
    const fetched = await github.fetch(c, resolved.ok ? resolved.pin : {}, dest, ctx);
    expect(fetched).toEqual({ ok: true, pin: { source: 'github', owner: 'acme', repo: 'survey', ref: 'v1.0', commit: first, tree: treeId(dest) } });
    expect(readTree(dest)).toEqual(V1);
    expect(readdirSync(tmp.dir)).toEqual(['survey']);
    const tarball = server.requests.find((r) => r.path.includes('/tarball/'))!;
    expect(tarball.path).toBe(`/github-api/repos/acme/survey/tarball/${first}`);
    expect(tarball.headers.authorization).toBe('Bearer secret-token');
    const codeload = server.requests.filter((r) => r.server === 'codeload');
    expect(codeload).toHaveLength(1);
    expect(codeload[0]!.headers.authorization).toBeUndefined();
  });

  it('keeps only PATH when given', async () => {
    const c = clause('github:acme/survey@main/data /data/d');
    const dest = join(tmp.dir, 'd');
    const r = await github.fetch(c, {}, dest, context());
    expect(r.ok && r.pin.path).toBe('data');
    expect(readTree(dest)).toEqual({ 'a.csv': 'x\n1\n', 'b.csv': 'x\n2\n' });
    const missing = await github.fetch(clause('github:acme/survey@main/nope /data/d'), {}, join(tmp.dir, 'e'), context());
    expect(missing).toEqual({ ok: false, message: `acme/survey@${first.slice(0, 12)} has no path \`nope\`` });
    expect(existsSync(join(tmp.dir, 'e'))).toBe(false);
  });

  it('re-resolves a branch each time: unchanged keeps the lock, moved names the new commit', async () => {
    server.repo('acme', 'moving', 'main', V1);
    const c = clause('github:acme/moving@main /data/m');
    const r1 = await github.fetch(c, {}, join(tmp.dir, 'm1'), context());
    if (!r1.ok) throw new Error(r1.message);
    server.reset();
    expect(await github.resolve(c, context({ locked: r1.pin }))).toEqual({ ok: true, pin: r1.pin });
    expect(server.count()).toBe(1);
    const second = server.push('acme', 'moving', 'main', V2);
    const moved = await github.resolve(c, context({ locked: r1.pin }));
    expect(moved).toEqual({ ok: true, pin: { source: 'github', owner: 'acme', repo: 'moving', ref: 'main', commit: second } });
    const r2 = await github.fetch(c, moved.ok ? moved.pin : {}, join(tmp.dir, 'm2'), context({ locked: r1.pin }));
    expect(r2.ok && r2.pin.commit).toBe(second);
    expect(r2.ok && r2.pin.tree).not.toBe(r1.pin.tree);
    expect(readTree(join(tmp.dir, 'm2'))['data/a.csv']).toBe('x\n10\n');
  });

  it('trusts a locked full commit SHA without any request', async () => {
    const c = clause(`github:acme/survey@${first} /data/s`);
    const r = await github.fetch(c, {}, join(tmp.dir, 's'), context());
    if (!r.ok) throw new Error(r.message);
    server.reset();
    expect(await github.resolve(c, context({ locked: r.pin }))).toEqual({ ok: true, pin: r.pin });
    expect(server.requests).toEqual([]);
  });

  it('names an unknown ref and an unknown repository', async () => {
    expect(await github.resolve(clause('github:acme/survey@nope /data/s'), context()))
      .toEqual({ ok: false, message: 'unknown ref `nope` in GitHub repository acme/survey' });
    expect(await github.resolve(clause('github:acme/ghost@main /data/s'), context())).toEqual({
      ok: false,
      message: `GitHub repository acme/ghost or its ref \`main\` does not exist (HTTP 404 from ${server.githubApiUrl}/repos/acme/ghost/commits/main)`,
    });
  });

  // A branch named `release/2.1` reads as ref `release` and PATH `2.1`: the user was told only that `release` is unknown.
  it('says how to name a ref holding a slash when the ref before PATH is unknown', async () => {
    expect(await github.resolve(clause('github:acme/survey@release/2.1 /data/s'), context())).toEqual({
      ok: false,
      message: 'unknown ref `release` in GitHub repository acme/survey (a ref ends at the first `/`, where PATH begins: for a branch or tag whose name holds a `/`, write its commit\'s full SHA, or import the whole repository as `https://github.com/acme/survey.git@BRANCH`)',
    });
  });

  it('restarts a tarball download whose connection dropped', async () => {
    server.dropOnce(`/acme/survey/legacy.tar.gz/${first}`, 20);
    const dest = join(tmp.dir, 's');
    const r = await github.fetch(clause('github:acme/survey@main /data/s'), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(readTree(dest)).toEqual(V1);
    expect(server.requests.filter((q) => q.server === 'codeload')).toHaveLength(2);
  });

  it('rejects a tree that differs from the locked one', async () => {
    const c = clause(`github:acme/survey@${first} /data/s`);
    const locked = { source: 'github', owner: 'acme', repo: 'survey', ref: first, commit: first, tree: 'tree:0000' };
    const r = await github.fetch(c, locked, join(tmp.dir, 's'), context({ locked }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^acme\/survey@[0-9a-f]{12} unpacked to tree:[0-9a-f]{64}, but the lock file says tree:0000$/);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('accepts https://github.com/OWNER/REPO.git (the default branch)', async () => {
    const c = clause('https://github.com/acme/survey.git /data/s');
    const r = await github.resolve(c, context());
    expect(r).toEqual({ ok: true, pin: { source: 'github', owner: 'acme', repo: 'survey', ref: 'HEAD', commit: first } });
  });
});
