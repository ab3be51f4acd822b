import { existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { ImportClause } from '../pipeline/import-clause.js';
import { contentIdOfTree } from '../store/content-id.js';
import { followNamed, linkLoop } from '../store/named-path.js';
import { refuseSpecial, SpecialFileError } from '../store/special-file.js';
import { NotTextError } from '../store/storable.js';
import { mismatch, sumFile } from './checksum.js';
import type { FetchOutcome, ImportContext, Importer, Pin, ResolveOutcome } from './importer.js';
import { copyFollowing, LocalLinkError, LocalLinks } from './local-links.js';
import { placeFile } from './place.js';
import { Staging } from './staging.js';

/** `file:` and plain local paths: content-hashed like any input. */
export class FileImporter implements Importer {
  async resolve(clause: ImportClause, ctx: ImportContext): Promise<ResolveOutcome> {
    const path = this.pathOf(clause, ctx);
    if (!existsSync(path)) return { ok: false, message: missingLocal(clause, path) };
    // The pin names the path as written, so moving the project elsewhere invalidates nothing.
    const written = writtenOf(clause);
    return refusingSpecial(written, () => this.pin(clause, written, path, ctx));
  }

  private async pin(clause: ImportClause, written: string, path: string, ctx: ImportContext): Promise<ResolveOutcome> {
    const st = statSync(path);
    refuseSpecial(path, st);
    if (st.isDirectory()) {
      const misused = directoryMisused(clause, written);
      if (misused !== undefined) return { ok: false, message: misused };
      const links = LocalLinks.of(path);
      const tree = ctx.hashTree !== undefined ? await ctx.hashTree(path, links) : await contentIdOfTree(path, async (files) => files.map((f) => ctx.hashFile(f.path)), undefined, undefined, links);
      return { ok: true, pin: { path: written, kind: 'directory', tree } };
    }
    const sha256 = ctx.hashFile(path);
    const bad = await clauseMismatch(clause, written, path, sha256);
    if (bad !== undefined) return { ok: false, message: bad };
    return { ok: true, pin: { path: written, sha256 } };
  }

  async fetch(clause: ImportClause, pin: Record<string, string | number>, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    const path = this.pathOf(clause, ctx);
    if (clause.extract) return refusingSpecial(writtenOf(clause), () => this.extract(clause, path, pin, dest, ctx));
    // Asked of every entry before it is copied: a directory of 50,000 files is not copied whole after a Ctrl-C.
    const check = (): void => ctx.signal.throwIfAborted();
    try {
      // Not cpSync: one synchronous call kept the signal handler and the status line waiting for the whole copy.
      // A file imported into a directory (`h.txt /data/d/`) goes inside it under its own name (a link's, not its target's), as `cp` puts it.
      const directory = statSync(path).isDirectory();
      // A directory taken into the store as it is: only what the store does not hold yet is read and copied.
      if (directory && ctx.ingest !== undefined) return { ok: true, pin, stored: await ctx.ingest(path, LocalLinks.of(path), ctx.signal) };
      if (clause.destIsDir && !directory) {
        mkdirSync(dest, { recursive: true });
        await cp(path, join(dest, basename(localPath(clause, ctx.pipelineDir))), { filter: (src) => (check(), plainOnly(src)) });
      } else {
        await copyFollowing(path, dest, LocalLinks.of(path), check);
      }
    } catch (e) {
      // What is copied by then is in the job's workspace, thrown away with it.
      if (ctx.signal.aborted) return { ok: false, message: 'interrupted' };
      if (e instanceof SpecialFileError) return refused(writtenOf(clause), e);
      if (e instanceof LocalLinkError) return { ok: false, message: `cannot import ${writtenOf(clause)}: ${e.message}` };
      return { ok: false, message: `cannot copy ${path}: ${(e as Error).message}` };
    }
    return { ok: true, pin };
  }

  /** Unpacks a local archive as a downloaded one is: checked member by member, committed whole or not at all. */
  private async extract(clause: ImportClause, path: string, pin: Pin, dest: string, ctx: ImportContext): Promise<FetchOutcome> {
    const written = writtenOf(clause);
    const st = statSync(path);
    refuseSpecial(path, st);
    if (st.isDirectory()) return { ok: false, message: directoryMisused(clause, written)! };
    const staging = new Staging(dest);
    try {
      const placed = await placeFile(path, written, clause, staging, ctx.signal);
      return placed.ok ? { ok: true, pin } : placed;
    } finally {
      staging.cleanup();
    }
  }

  /** The data the clause names: a link as the source is its target (`followNamed`). */
  private pathOf(clause: ImportClause, ctx: ImportContext): string {
    return followNamed(localPath(clause, ctx.pipelineDir));
  }
}

/** A local import's source as a host path; relative to the document's directory. */
export function localPath(clause: ImportClause, pipelineDir: string): string {
  const p = clause.source.scheme === 'file' ? clause.source.path : '';
  return isAbsolute(p) ? p : resolve(pipelineDir, p);
}

/** Why a local import fails whose source (`path`, a link followed) is not there; said before a run (`unreadable-host.ts`) or as it is pinned. */
export function missingLocal(clause: ImportClause, path: string): string {
  const loop = linkLoop(path);
  if (loop !== undefined) return `local import \`${clause.raw}\` ${loop}`;
  // `repo.git@main`: a git repository at a ref is a URL (`file:///…/repo.git@main`); as a path, `@main` is part of the name.
  const at = path.lastIndexOf('@');
  const before = path.slice(0, Math.max(at, 0));
  const repo = at <= 0 ? undefined : before.endsWith('.git') && existsSync(before) ? before : existsSync(`${before}/.git`) ? `${before}/.git` : undefined;
  const git = repo === undefined ? '' : `: to import that git repository at ${path.slice(at + 1)}, write it as a URL: file://${repo}@${path.slice(at + 1)}`;
  return `local import \`${clause.raw}\` does not exist (looked for ${path})${git}`;
}

/**
 * Why a local directory cannot be imported as the clause asks: a checksum or
 * `extract` takes one file. Said before a run (`unreadable-host.ts`) or as it is pinned.
 */
export function directoryMisused(clause: ImportClause, written: string): string | undefined {
  if (clause.extract) return `cannot extract ${written}: it is a directory, not an archive`;
  if (clause.checksum !== undefined) return `a checksum pins one file; ${written} is a directory`;
  return undefined;
}

/** The source as the clause writes it. */
function writtenOf(clause: ImportClause): string {
  return clause.source.scheme === 'file' ? clause.source.path : clause.raw;
}

/**
 * The import refused, not thrown, when it holds a FIFO, a socket or a device
 * (`special-file.ts`): the clause's failure, as a source that does not exist.
 */
async function refusingSpecial<T>(written: string, work: () => Promise<T>): Promise<T | { ok: false; message: string }> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof SpecialFileError) return refused(written, e);
    if (e instanceof NotTextError || e instanceof LocalLinkError) return { ok: false, message: `cannot import ${written}: ${e.message}` };
    throw e;
  }
}

function refused(written: string, e: SpecialFileError): { ok: false; message: string } {
  return { ok: false, message: specialImported(written, e) };
}

/** Why a local import holding (or being) a FIFO, a socket or a device is refused: said before a run (`unreadable-host.ts`) or as it is pinned. */
export function specialImported(written: string, e: SpecialFileError): string {
  return `cannot import ${written}: ${e.path} is ${e.kind}; only files, directories and symbolic links can be imported`;
}

/** `cp`'s filter: every entry copied is `lstat`ed first, so that a special one is refused, never opened (a device's `copyFile` reads forever). */
function plainOnly(src: string): boolean {
  refuseSpecial(src, lstatSync(src));
  return true;
}

/**
 * The clause's checksum against the local file, checked when the import is
 * pinned (plan and run alike) so that a wrong one fails even when the copy is
 * cached. SHA-256 is the hash the stat cache already knows; MD5 reads the file.
 */
async function clauseMismatch(clause: ImportClause, written: string, path: string, sha256: string): Promise<string | undefined> {
  const sum = clause.checksum;
  if (sum === undefined) return undefined;
  const sums = sum.algorithm === 'sha256' ? { size: 0, sha256, md5: '' } : await sumFile(path);
  return mismatch(written, sums, [{ ...sum, from: 'the import clause' }]);
}
