import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeServer } from './fake-server.js';
import { GitImporter } from '../../src/imports/git.js';
import { treeId } from '../../src/imports/tree-hash.js';
import { bareRepo, clause, context, gitClause, readTree, scratch } from './helpers.js';

const git = new GitImporter();
let tmp: ReturnType<typeof scratch>;
let repo: ReturnType<typeof bareRepo>;

beforeAll(() => {
  tmp = scratch();
  repo = bareRepo(tmp.dir, 'models', 'main', [{ 'model.py': 'print(1)\n' }, { 'model.py': 'print(2)\n', 'conf/x.yml': 'a: 1\n' }]);
});
afterAll(() => tmp.cleanup());

describe('.git URLs', () => {
  it('resolves a branch with ls-remote and checks the commit out without .git', async () => {
    const c = gitClause(repo.url, 'main');
    const resolved = await git.resolve(c, context());
    expect(resolved).toEqual({ ok: true, pin: { source: 'git', url: repo.url, ref: 'main', commit: repo.shas[1] } });
    const dest = join(tmp.dir, 'out-main');
    const fetched = await git.fetch(c, resolved.ok ? resolved.pin : {}, dest, context());
    expect(fetched).toEqual({ ok: true, pin: { source: 'git', url: repo.url, ref: 'main', commit: repo.shas[1], tree: treeId(dest) } });
    expect(readTree(dest)).toEqual({ 'conf/x.yml': 'a: 1\n', 'model.py': 'print(2)\n' });
    expect(existsSync(join(dest, '.git'))).toBe(false);
  });

  it('defaults to HEAD and fetches an older commit by its SHA', async () => {
    const head = await git.resolve(gitClause(repo.url, undefined), context());
    expect(head.ok && head.pin).toMatchObject({ ref: 'HEAD', commit: repo.shas[1] });
    const old = repo.shas[0]!;
    const dest = join(tmp.dir, 'out-old');
    const r = await git.fetch(gitClause(repo.url, old), { source: 'git', url: repo.url, ref: old, commit: old }, dest, context());
    expect(r.ok).toBe(true);
    expect(readTree(dest)).toEqual({ 'model.py': 'print(1)\n' });
  });

  it('refuses a locked tree the commit does not check out to, saying how to pin it anew', async () => {
    const c = gitClause(repo.url, 'main');
    const locked = { source: 'git', url: repo.url, ref: 'main', commit: repo.shas[1]!, tree: `tree:${'0'.repeat(64)}` };
    const r = await git.fetch(c, locked, join(tmp.dir, 'out-edited'), context({ locked }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/ checked out to tree:[0-9a-f]{64}, but the lock file says tree:0{64}: if the lock file was edited, remove its entry for this import to pin it anew$/);
  });

  it('resolves a tag', async () => {
    execFileSync('git', ['--git-dir', join(tmp.dir, 'models.git'), 'tag', '-a', '-m', 'release', 'v1', repo.shas[0]!],
      { env: { ...process.env, GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' } });
    const r = await git.resolve(gitClause(repo.url, 'v1'), context());
    expect(r.ok && r.pin.commit).toBe(repo.shas[0]);
  });

  it('trusts a locked full SHA without touching the remote', async () => {
    const sha = 'a'.repeat(40);
    const url = `file://${tmp.dir}/does-not-exist.git`;
    const locked = { source: 'git', url, ref: sha, commit: sha, tree: 'tree:abc' };
    expect(await git.resolve(gitClause(url, sha), context({ locked }))).toEqual({ ok: true, pin: locked });
  });

  it('reports a moved branch as a new commit', async () => {
    const moving = bareRepo(tmp.dir, 'moving', 'main', [{ 'a.txt': '1' }]);
    const c = gitClause(moving.url, 'main');
    const r1 = await git.fetch(c, {}, join(tmp.dir, 'mv1'), context());
    if (!r1.ok) throw new Error(r1.message);
    expect(await git.resolve(c, context({ locked: r1.pin }))).toEqual({ ok: true, pin: r1.pin });
    const next = moving.push({ 'a.txt': '2' });
    expect(await git.resolve(c, context({ locked: r1.pin }))).toEqual({ ok: true, pin: { source: 'git', url: moving.url, ref: 'main', commit: next } });
  });

  it('names an unknown ref and an unreachable repository', async () => {
    expect(await git.resolve(gitClause(repo.url, 'nope'), context()))
      .toEqual({ ok: false, message: `unknown ref \`nope\` in git repository ${repo.url}` });
    const missing = await git.resolve(gitClause(`file://${tmp.dir}/nothing.git`, 'main'), context());
    expect(!missing.ok && missing.message).toMatch(/^cannot list the refs of file:\/\/.*nothing\.git: git ls-remote failed \(exit 128\): fatal: /);
    const dest = join(tmp.dir, 'never');
    const bad = await git.fetch(gitClause(repo.url, 'main'), { commit: 'b'.repeat(40) }, dest, context());
    expect(bad.ok).toBe(false);
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('.never'))).toEqual([]);
  });

  it('gives git a URL beginning with `-` as a repository, never as an option: `-o@h:x.git` listed the refs of the current directory\'s repository', async () => {
    const r = await git.resolve(gitClause('-o@h:x.git', 'main'), context());
    expect(!r.ok && r.message).toMatch(/^cannot list the refs of -o@h:x\.git: git ls-remote failed \(exit 128\): fatal: strange hostname '-o@h' blocked/);
    const dest = join(tmp.dir, 'dash');
    const f = await git.fetch(gitClause('-o@h:x.git', repo.shas[0]), { commit: repo.shas[0]! }, dest, context());
    expect(!f.ok && f.message).toMatch(/^cannot fetch -o@h:x\.git: .*strange hostname '-o@h' blocked/);
    expect(existsSync(dest)).toBe(false);
  });

  it('clones over HTTP (a plain file server: git falls back from a shallow fetch)', async () => {
    const server = await FakeServer.start();
    try {
      const url = server.directory('/git/models.git', join(tmp.dir, 'models.git'));
      const c = clause(`${url}@main /data/models`);
      expect(c.source.scheme).toBe('git');
      const resolved = await git.resolve(c, context());
      expect(resolved.ok && resolved.pin.commit).toBe(repo.shas[1]);
      const dest = join(tmp.dir, 'over-http');
      const r = await git.fetch(c, resolved.ok ? resolved.pin : {}, dest, context());
      if (!r.ok) throw new Error(r.message);
      expect(readTree(dest)).toEqual({ 'conf/x.yml': 'a: 1\n', 'model.py': 'print(2)\n' });
    } finally {
      await server.close();
    }
  });
});

describe('a git server that accepts and never answers', () => {
  // `shark plan` waited forever on `git ls-remote`: the idle timeout of downloads was not given to git.
  it('is given up after the idle timeout, as a download is', async () => {
    const held: Socket[] = [];
    const server = createServer((c) => void held.push(c));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const before = process.env.SHARK_HTTP_TIMEOUT_MS;
    process.env.SHARK_HTTP_TIMEOUT_MS = '1000';
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r.git`;
      const r = await git.resolve(gitClause(url, 'main'), context());
      expect(!r.ok && r.message).toMatch(/^cannot list the refs of http:.*Operation too slow/);
    } finally {
      if (before === undefined) delete process.env.SHARK_HTTP_TIMEOUT_MS;
      else process.env.SHARK_HTTP_TIMEOUT_MS = before;
      for (const c of held) c.destroy();
      await new Promise((done) => server.close(done));
    }
  }, 20_000);
});

describe('a repository holding a file name that is not UTF-8', () => {
  it('is refused, naming the file with its bytes, and leaves nothing', async () => {
    const latin1 = bareRepo(tmp.dir, 'latin1', 'main', [{ 'ok.txt': 'ok\n' }]);
    const work = join(tmp.dir, 'latin1-work');
    writeFileSync(Buffer.concat([Buffer.from(`${work}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
    for (const args of [['add', '-A'], ['commit', '-qm', 'latin1'], ['push', '-q', latin1.url.slice('file://'.length), 'HEAD:refs/heads/main']]) execFileSync('git', args, { cwd: work, env });
    const dest = join(tmp.dir, 'out-latin1');
    const r = await git.fetch(gitClause(latin1.url, 'main'), {}, dest, context());
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(/^refusing to import .*latin1\.git@[0-9a-f]{12}: `caf\\xe9\.txt` has a name that is not UTF-8: Shark keeps file names and link targets as text \(UTF-8\); nothing was imported$/);
    expect(existsSync(dest)).toBe(false);
  });
});
