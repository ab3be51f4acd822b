import { shownUrls } from './shown-url.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportClause } from '../pipeline/import-clause.js';
import type { FetchOutcome, ImportContext, Importer, Pin, ResolveOutcome } from './importer.js';
import { pinOrigin } from './pin.js';
import { pickFromRepository } from './repo-tree.js';
import { Staging } from './staging.js';
import { runTool } from './tools.js';
import { treeId } from './tree-hash.js';

const FULL_SHA = /^[0-9a-f]{40}$/i;

type Source = { readonly url: string; readonly ref: string };

/**
 * Other `.git` URLs (https, ssh, git, file): the ref is resolved with
 * `git ls-remote` (no content), the commit is fetched with the system `git`
 * into a temporary directory beside DEST, `.git` is removed, and the tree is
 * identified like any directory. Submodules are not fetched.
 */
export class GitImporter implements Importer {
  /** A failure names the repository as its URL is shown (credentials as `***`): it reaches the console, plan and --json. */
  async resolve(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome> {
    return masked(await this.resolveAt(clause, ctx));
  }

  async fetch(clause: ImportClause, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    return masked(await this.fetchAt(clause, pin, dest, ctx));
  }

  private async resolveAt(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome> {
    const src = sourceOf(clause);
    const locked = ctx.locked;
    const usable = locked !== undefined && fits(locked, src) && typeof locked.tree === 'string' ? locked : undefined;
    if (FULL_SHA.test(src.ref)) {
      const commit = src.ref.toLowerCase();
      if (usable !== undefined && usable.commit === commit) return { ok: true, pin: usable };
      return { ok: true, pin: basePin(src, commit) };
    }
    const sha = await lsRemote(src, ctx.signal);
    if (!sha.ok) return sha;
    if (usable !== undefined && usable.commit === sha.sha) return { ok: true, pin: usable };
    return { ok: true, pin: basePin(src, sha.sha) };
  }

  private async fetchAt(clause: ImportClause, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    const src = sourceOf(clause);
    let commit = typeof pin.commit === 'string' ? pin.commit : undefined;
    if (commit === undefined) {
      const r = await lsRemote(src, ctx.signal);
      if (!r.ok) return r;
      commit = r.sha;
    }
    const staging = new Staging(dest);
    try {
      const work = staging.dir('git');
      const git = (...args: string[]) => runTool('git', ['-C', work, '-c', 'advice.detachedHead=false', ...args], { signal: ctx.signal });
      const init = await git('init', '-q');
      if (!init.ok) return init;
      // A shallow fetch of just the commit where the server allows it; otherwise everything.
      // `--`: a URL beginning with `-` (`-o@h:x.git`) is a repository, never an option.
      const shallow = await git('fetch', '-q', '--depth', '1', '--no-tags', '--', src.url, commit);
      if (!shallow.ok) {
        const full = await git('fetch', '-q', '--tags', '--', src.url, '+refs/heads/*:refs/remotes/origin/*');
        if (!full.ok) return { ok: false, message: `cannot fetch ${src.url}: ${full.message}` };
      }
      const checkout = await git('checkout', '-q', '--detach', commit);
      if (!checkout.ok) return { ok: false, message: `commit ${commit} is not in ${src.url}` };
      const head = await git('rev-parse', 'HEAD');
      if (!head.ok || head.stdout.trim() !== commit) return { ok: false, message: `git checked out ${head.ok ? head.stdout.trim() : 'nothing'} instead of ${commit}` };
      rmSync(join(work, '.git'), { recursive: true, force: true });
      // The archive rule: no link out of DEST (absolute, or climbing out with `..`).
      const picked = pickFromRepository(work, `${src.url}@${commit.slice(0, 12)}`, undefined);
      if (!picked.ok) return picked;
      const tree = treeId(work);
      if (typeof pin.tree === 'string' && pin.commit === commit && pin.tree !== tree) {
        const origin = pinOrigin(pin, ctx.locked);
        // The same commit, other files: the lock edited by hand, or a repository rewritten under the same id.
        const how = origin === 'the lock file' ? ': if the lock file was edited, remove its entry for this import to pin it anew' : '';
        return { ok: false, message: `${src.url}@${commit.slice(0, 12)} checked out to ${tree}, but ${origin} says ${pin.tree}${how}` };
      }
      staging.commit(work);
      return { ok: true, pin: { ...basePin(src, commit), tree } };
    } finally {
      staging.cleanup();
    }
  }
}

/** REF as a branch, a tag (peeled to its commit), HEAD or a full ref name. */
async function lsRemote(src: Source, signal: AbortSignal): Promise<{ ok: true; sha: string } | { ok: false; message: string }> {
  // `--`: a URL beginning with `-` is a repository (which git refuses), never an option naming the current directory's.
  const r = await runTool('git', ['ls-remote', '--', src.url], { signal });
  if (!r.ok) return { ok: false, message: `cannot list the refs of ${src.url}: ${r.message}` };
  const refs = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha !== undefined && name !== undefined) refs.set(name, sha);
  }
  const names = src.ref === 'HEAD' ? ['HEAD'] : [`refs/tags/${src.ref}^{}`, `refs/tags/${src.ref}`, `refs/heads/${src.ref}`, `${src.ref}^{}`, src.ref];
  for (const n of names) {
    const sha = refs.get(n);
    if (sha !== undefined) return { ok: true, sha: sha.toLowerCase() };
  }
  const hint = /^[0-9a-f]{4,39}$/i.test(src.ref) ? ' (an abbreviated commit cannot be resolved remotely: write all 40 hex digits)' : '';
  return { ok: false, message: `unknown ref \`${src.ref}\` in git repository ${src.url}${hint}` };
}

function sourceOf(clause: ImportClause): Source {
  const s = clause.source;
  if (s.scheme !== 'git') throw new Error(`GitImporter given a ${s.scheme} source`);
  return { url: s.url, ref: s.ref ?? 'HEAD' };
}

function basePin(src: Source, commit: string): Record<string, string | number> {
  return { source: 'git', url: src.url, ref: src.ref, commit };
}

function fits(locked: Pin, src: Source): boolean {
  return locked.source === 'git' && locked.url === src.url && locked.ref === src.ref;
}

/** An outcome whose failure's message shows URLs without their credentials (`shownUrls`). */
function masked<T extends { readonly ok: boolean }>(outcome: T): T {
  return outcome.ok === false && 'message' in outcome ? { ...outcome, message: shownUrls(String(outcome.message)) } : outcome;
}
