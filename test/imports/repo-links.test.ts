import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitImporter } from '../../src/imports/git.js';
import { GitHubImporter } from '../../src/imports/github.js';
import { FakeServer } from './fake-server.js';
import { bareRepo, clause, context, gitClause, link, readTree, scratch } from './helpers.js';

const FAST = { backoffMs: 5, timeoutMs: 2000 };
const TABLES = { 'a/b/c/tables/x.csv': 'x\n1\n', 'a/b/c/tables/same': link('x.csv') };

let server: FakeServer;
let github: GitHubImporter;
let tmp: ReturnType<typeof scratch>;
let climb: string;
let linked: string;

beforeAll(async () => {
  server = await FakeServer.start();
  // `up` stays inside the repository (it is its top) but climbs out of a/b/c/tables.
  climb = server.repo('acme', 'climb', 'main', { ...TABLES, 'a/b/c/tables/up': link('../../../..'), 'README.md': 'top\n' });
  linked = server.repo('acme', 'linked', 'main', {
    ...TABLES, tl: link('a/b/c/tables'), tf: link('a/b/c/tables/x.csv'), out: link('..'),
  });
  github = new GitHubImporter(server.githubApiUrl, undefined, FAST);
});
afterAll(() => server.close());
beforeEach(() => (tmp = scratch()));
afterEach(() => tmp.cleanup());

describe('symbolic links in a GitHub repository', () => {
  it('PATH whose link climbs out of PATH is refused whole, naming the link; the whole repository is not', async () => {
    const dest = join(tmp.dir, 't');
    const r = await github.fetch(clause('github:acme/climb@main/a/b/c/tables /data/t'), {}, dest, context());
    expect(r).toEqual({ ok: false, message: `refusing to import acme/climb@${climb.slice(0, 12)}/a/b/c/tables: \`up\` is a symbolic link to \`../../../..\`, outside the destination; nothing was imported` });
    expect(existsSync(dest)).toBe(false);
    const whole = join(tmp.dir, 'whole');
    expect((await github.fetch(clause('github:acme/climb@main /data/whole'), {}, whole, context())).ok).toBe(true);
    expect(readlinkSync(join(whole, 'a/b/c/tables/up'))).toBe('../../../..');
  });

  it('a link that leaves the repository refuses the whole repository too', async () => {
    const r = await github.fetch(clause('github:acme/linked@main /data/r'), {}, join(tmp.dir, 'r'), context());
    expect(r).toEqual({ ok: false, message: `refusing to import acme/linked@${linked.slice(0, 12)}: \`out\` is a symbolic link to \`..\`, outside the destination; nothing was imported` });
    expect(existsSync(join(tmp.dir, 'r'))).toBe(false);
  });

  it('PATH that is a link to a directory imports that directory, as a local import takes a link\'s target', async () => {
    const dest = join(tmp.dir, 'tl');
    const r = await github.fetch(clause('github:acme/linked@main/tl /data/tl'), {}, dest, context());
    expect(r.ok).toBe(true);
    expect(lstatSync(dest).isDirectory()).toBe(true);
    expect(readTree(dest)).toEqual({ 'x.csv': 'x\n1\n', same: 'x\n1\n' });
    expect(readlinkSync(join(dest, 'same'))).toBe('x.csv');
  });

  it('PATH that is a link to a file imports the file, under the name PATH gives it', async () => {
    const into = join(tmp.dir, 'd');
    expect((await github.fetch(clause('github:acme/linked@main/tf /data/d/'), {}, into, context())).ok).toBe(true);
    expect(lstatSync(join(into, 'tf')).isFile()).toBe(true);
    expect(readTree(into)).toEqual({ tf: 'x\n1\n' });
    const file = join(tmp.dir, 'f.csv');
    expect((await github.fetch(clause('github:acme/linked@main/tf /data/f.csv'), {}, file, context())).ok).toBe(true);
    expect(lstatSync(file).isFile()).toBe(true);
  });

  it('PATH that leads out of the repository through a link is refused', async () => {
    for (const path of ['out', 'out/etc']) {
      const dest = join(tmp.dir, 'o');
      const r = await github.fetch(clause(`github:acme/linked@main/${path} /data/o`), {}, dest, context());
      expect(r).toEqual({ ok: false, message: `refusing to import acme/linked@${linked.slice(0, 12)}/${path}: a symbolic link on the path leads outside the repository; nothing was imported` });
      expect(existsSync(dest)).toBe(false);
    }
  });
});

describe('symbolic links in a git repository', () => {
  const git = new GitImporter();
  const at = (url: string, sha: string) => ({ source: 'git', url, ref: sha, commit: sha });

  it('refuses a checkout holding an absolute link or one climbing out, naming it, and keeps links that stay inside', async () => {
    const repos = bareRepo(tmp.dir, 'links', 'main', [
      { 'x.csv': 'x\n', 'index.txt': link('/etc') },
      { 'x.csv': 'x\n', 'up': link('..') },
      { 'x.csv': 'x\n', 'sub/same': link('../x.csv'), 'here': link('sub') },
    ]);
    for (const [n, name, target] of [[0, 'index.txt', '/etc'], [1, 'up', '..']] as const) {
      const sha = repos.shas[n]!;
      const dest = join(tmp.dir, `bad-${n}`);
      const r = await git.fetch(gitClause(repos.url, sha), at(repos.url, sha), dest, context());
      expect(r).toEqual({ ok: false, message: `refusing to import ${repos.url}@${sha.slice(0, 12)}: \`${name}\` is a symbolic link to \`${target}\`, outside the destination; nothing was imported` });
      expect(existsSync(dest)).toBe(false);
    }
    const dest = join(tmp.dir, 'good');
    expect((await git.fetch(gitClause(repos.url, repos.shas[2]!), at(repos.url, repos.shas[2]!), dest, context())).ok).toBe(true);
    expect(readlinkSync(join(dest, 'sub/same'))).toBe('../x.csv');
    expect(readlinkSync(join(dest, 'here'))).toBe('sub');
  });
});
