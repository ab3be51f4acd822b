import { lstatSync, readdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ImportClause } from '../pipeline/import-clause.js';
import { extractArchive } from './extract.js';
import { download } from './download.js';
import { describeFailure, getJson, type HttpFailure, type HttpTuning } from './http.js';
import type { FetchOutcome, ImportContext, Importer, Pin, ResolveOutcome } from './importer.js';
import { pinOrigin } from './pin.js';
import { pickFromRepository } from './repo-tree.js';
import { Staging } from './staging.js';
import { treeId } from './tree-hash.js';

const FULL_SHA = /^[0-9a-f]{40}$/i;

type Source = { readonly owner: string; readonly repo: string; readonly ref: string; readonly path: string | undefined };

/**
 * `github:OWNER/REPO@REF[/PATH]`: REF is resolved to a commit through
 * `GET {api}/repos/O/R/commits/REF` on every plan (that is how a moved branch
 * shows), the commit's tarball is fetched through `GET {api}/repos/O/R/tarball/SHA`
 * (a redirect to codeload) and identified by the hash of the extracted tree.
 */
export class GitHubImporter implements Importer {
  constructor(
    private readonly api: string,
    private readonly token: string | undefined,
    private readonly tuning: HttpTuning = {},
  ) {}

  async resolve(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome> {
    const src = sourceOf(clause);
    const locked = ctx.locked;
    const usable = locked !== undefined && fits(locked, src) && typeof locked.tree === 'string' ? locked : undefined;
    // A full SHA names one commit forever: no need to ask.
    if (usable !== undefined && FULL_SHA.test(src.ref) && usable.commit === src.ref.toLowerCase()) return { ok: true, pin: usable };
    const sha = await this.commit(src, ctx);
    if (!sha.ok) return sha;
    if (usable !== undefined && usable.commit === sha.sha) return { ok: true, pin: usable };
    return { ok: true, pin: basePin(src, sha.sha) };
  }

  async fetch(clause: ImportClause, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    const src = sourceOf(clause);
    let sha = typeof pin.commit === 'string' ? pin.commit : undefined;
    if (sha === undefined) {
      const r = await this.commit(src, ctx);
      if (!r.ok) return r;
      sha = r.sha;
    }
    const name = `${src.owner}/${src.repo}@${sha.slice(0, 12)}`;
    const staging = new Staging(dest);
    try {
      const archive = staging.path('tar.gz');
      const got = await download(`${this.repoUrl(src)}/tarball/${sha}`, archive, {
        ...this.tuning,
        signal: ctx.signal,
        headers: this.headers(),
        progress: ctx.progress,
      });
      if (!got.ok) return { ok: false, message: this.failure(got.failure, src, sha) };
      const unpacked = staging.dir('x');
      const x = await extractArchive(archive, `the archive of ${name}`, unpacked, ctx.signal);
      if (!x.ok) return x;
      // GitHub wraps the tree in one folder, OWNER-REPO-SHORTSHA/.
      const tops = readdirSync(unpacked);
      if (tops.length !== 1 || !lstatSync(join(unpacked, tops[0]!)).isDirectory()) {
        return { ok: false, message: `the archive of ${name} does not hold exactly one top folder (it has ${tops.length} entries)` };
      }
      const picked = pickFromRepository(join(unpacked, tops[0]!), name, src.path);
      if (!picked.ok) return picked;
      let root = picked.path;
      if (!picked.isDir && clause.destIsDir) {
        // A single file into DEST/: under the name PATH gives it (a link's own name, as `cp` takes it).
        const holder = staging.dir('file');
        renameSync(root, join(holder, basename(src.path!)));
        root = holder;
      }
      const tree = treeId(root);
      if (typeof pin.tree === 'string' && pin.commit === sha && pin.tree !== tree) {
        return { ok: false, message: `${name} unpacked to ${tree}, but ${pinOrigin(pin, ctx.locked)} says ${pin.tree}` };
      }
      staging.commit(root);
      return { ok: true, pin: { ...basePin(src, sha), tree } };
    } finally {
      staging.cleanup();
    }
  }

  private repoUrl(src: Source): string {
    return `${this.api.replace(/\/+$/, '')}/repos/${encodeURIComponent(src.owner)}/${encodeURIComponent(src.repo)}`;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (this.token !== undefined && this.token !== '') h.authorization = `Bearer ${this.token}`;
    return h;
  }

  private async commit(src: Source, ctx: ImportContext): Promise<{ ok: true; sha: string } | { ok: false; message: string }> {
    const r = await getJson(`${this.repoUrl(src)}/commits/${encodeURIComponent(src.ref)}`, { ...this.tuning, signal: ctx.signal, headers: this.headers() });
    if (!r.ok) return { ok: false, message: this.failure(r.failure, src, src.ref) };
    const sha = (r.value as { sha?: unknown }).sha;
    if (typeof sha !== 'string' || !FULL_SHA.test(sha)) return { ok: false, message: `GitHub answered for ${src.owner}/${src.repo}@${src.ref} without a commit SHA` };
    return { ok: true, sha: sha.toLowerCase() };
  }

  private failure(f: HttpFailure, src: Source, ref: string): string {
    if (f.reason === 'status') {
      if (/rate limit/i.test(f.body)) return `GitHub API rate limit exceeded (${f.url}): set GITHUB_TOKEN to raise it`;
      // GitHub answers 422 for a ref it does not know, 404 for an unknown (or private) repository.
      if (f.status === 422) return `unknown ref \`${ref}\` in GitHub repository ${src.owner}/${src.repo}${slashHint(src)}`;
      if (f.status === 404) return `GitHub repository ${src.owner}/${src.repo} or its ref \`${ref}\` does not exist (HTTP 404 from ${f.url})${slashHint(src)}`;
    }
    return describeFailure(f);
  }
}

/**
 * A branch or tag named with a `/` (`release/2.1`) cannot be written before a PATH: the clause
 * split it at its first `/`, so an unknown ref followed by a PATH says so, and what to write instead.
 */
function slashHint(src: Source): string {
  if (src.path === undefined) return '';
  return ` (a ref ends at the first \`/\`, where PATH begins: for a branch or tag whose name holds a \`/\`, write its commit's full SHA, or import the whole repository as \`https://github.com/${src.owner}/${src.repo}.git@BRANCH\`)`;
}

function sourceOf(clause: ImportClause): Source {
  const s = clause.source;
  if (s.scheme !== 'github') throw new Error(`GitHubImporter given a ${s.scheme} source`);
  return { owner: s.owner, repo: s.repo, ref: s.ref, path: s.path };
}

function basePin(src: Source, commit: string): Record<string, string | number> {
  const pin: Record<string, string | number> = { source: 'github', owner: src.owner, repo: src.repo, ref: src.ref, commit };
  if (src.path !== undefined) pin.path = src.path;
  return pin;
}

function fits(locked: Pin, src: Source): boolean {
  return locked.source === 'github' && locked.owner === src.owner && locked.repo === src.repo && locked.ref === src.ref && locked.path === src.path;
}
