import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseImportLine, type ImportClause } from '../../src/pipeline/import-clause.js';
import type { ImportContext, Pin } from '../../src/imports/importer.js';
import { hashFileSync } from '../../src/store/hash.js';

export function clause(line: string): ImportClause {
  const r = parseImportLine(line);
  if (!r.ok) throw new Error(`bad clause in test: ${r.message}`);
  return r.clause;
}

/**
 * A git clause built directly: the parser takes `file://` URLs as local
 * paths, but the git importer must work with any URL git understands.
 */
export function gitClause(url: string, ref: string | undefined, dest = '/data/repo'): ImportClause {
  return { source: { scheme: 'git', url, ref }, raw: ref === undefined ? url : `${url}@${ref}`, dest, destIsDir: true, checksum: undefined, extract: false };
}

export interface TestContext extends ImportContext {
  readonly reports: [number, number | undefined][];
}

export function context(o: { locked?: Pin; refresh?: boolean; dir?: string } = {}): TestContext {
  const reports: [number, number | undefined][] = [];
  return {
    pipelineDir: o.dir ?? tmpdir(),
    locked: o.locked,
    refresh: o.refresh ?? false,
    signal: new AbortController().signal,
    progress: (done, total) => reports.push([done, total]),
    hashFile: hashFileSync,
    reports,
  };
}

export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'shark-imports-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` as `relative path → content`, for whole-tree comparisons. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}${name}/`);
      else out[`${rel}${name}`] = readFileSync(full, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** A body for `writeTree` (and the fake GitHub's trees) that makes the entry a symbolic link to `target`. */
export const link = (target: string): string => `${LINK}${target}`;
const LINK = '\0symlink:';

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (typeof body === 'string' && body.startsWith(LINK)) symlinkSync(body.slice(LINK.length), join(dir, path));
    else writeFileSync(join(dir, path), body);
  }
}

/** A bare repository at `DIR/NAME.git` with one commit per entry of `commits` on `branch`; returns the SHAs. */
export function bareRepo(dir: string, name: string, branch: string, commits: Record<string, string>[]): { url: string; shas: string[]; push: (files: Record<string, string>) => string } {
  const bare = join(dir, `${name}.git`);
  const work = join(dir, `${name}-work`);
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '-q', '--bare', `--initial-branch=${branch}`);
  mkdirSync(work);
  git(work, 'init', '-q', `--initial-branch=${branch}`);
  const push = (files: Record<string, string>): string => {
    for (const f of readdirSync(work)) if (f !== '.git') rmSync(join(work, f), { recursive: true, force: true });
    writeTree(work, files);
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'commit');
    git(work, 'push', '-q', bare, `HEAD:refs/heads/${branch}`);
    // For git's "dumb" HTTP protocol (a static file server).
    git(bare, 'update-server-info');
    return git(work, 'rev-parse', 'HEAD');
  };
  const shas = commits.map(push);
  return { url: `file://${bare}`, shas, push };
}
