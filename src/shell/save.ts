import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lockPathFor, readLock, updateLock } from '../lockfile.js';
import { loadPipeline } from '../pipeline/load.js';
import { isDirectory, writeError } from '../writable-path.js';
import { contributing } from './history.js';
import type { ShellSession } from './session.js';
import { displayName } from '../cli/load-or-report.js';

/** What `:save` (or `--save` on exit) did: the lines to show, or why nothing was written. */
export type Saved = { readonly ok: true; readonly report: string } | { readonly ok: false; readonly why: string };

/**
 * Writes the document and says what is in it. A document `shark check` would
 * refuse (which would be a bug of the shell) is not written, nor is a path
 * that cannot be: a reason, not an exception, and the session, which exists
 * nowhere else, goes on.
 * As vim's `:w` and `:w!`: an existing file the session has not saved (FILE,
 * the pipeline it started from, above all) is overwritten only when `force`d.
 */
export function save(shell: ShellSession, path: string, force: boolean): Saved {
  // The name as typed may hold an escape sequence: every line naming it shows it escaped, as other commands do.
  const shown = displayName(path);
  if (nothingToSave(shell)) {
    return { ok: false, why: `nothing to save to ${shown}: no command of this session has changed /data yet (a document needs a step)` };
  }
  const taken = force ? undefined : notOurs(shell, path, shown);
  if (taken !== undefined) return { ok: false, why: taken };
  const text = shell.document();
  const problem = loadPipeline(path, text).diagnostics.find((d) => d.severity === 'error');
  if (problem !== undefined) {
    return { ok: false, why: `cannot save ${shown}: the document would not check (line ${problem.at.line}: ${problem.message}); nothing was written` };
  }
  try {
    writeFileSync(path, text);
  } catch (e) {
    return { ok: false, why: `cannot save ${shown}: ${writeError(path, e)}` };
  }
  shell.savedTo.set(resolve(path), text);
  const steps = contributing(shell.history);
  for (const s of steps) shell.savedSteps.add(s.n);
  const lines = [`saved ${shown}: ${stepCount(steps.length)}`];
  for (const p of shell.publishable().unlisted) lines.push(`shark: warning: ${p} is not in the shark-publish block: a publish block splits paths on spaces`);
  const locked = saveLock(shell, path);
  if (locked !== undefined) lines.push(`shark: warning: ${locked}`);
  const dir = dirname(resolve(path));
  if (dir !== shell.session.pipelineDir) {
    lines.push(`shark: warning: ${shown} is not in ${shell.session.pipelineDir}: local files and imports are relative to the document, so move it there before running it`);
  }
  return { ok: true, report: lines.join('\n') + '\n' };
}

/**
 * A session with no step: without FILE no valid document holds it (a
 * document needs a step), and with FILE it would be FILE again, under a new
 * name or, by `:save!`, over FILE itself.
 */
export function nothingToSave(shell: ShellSession): boolean {
  return contributing(shell.history).length === 0;
}

/** The steps a saved document would hold that no document this session wrote holds: lost on leaving without saving. */
export function unsavedSteps(shell: ShellSession): number[] {
  return contributing(shell.history).map((s) => s.n).filter((n) => !shell.savedSteps.has(n));
}

export const stepCount = (n: number): string => `${n} step${n === 1 ? '' : 's'}`;

/**
 * Why saving to `path` would overwrite a file that is not the session's, or
 * undefined. As vim's `:w` after the file changed on disk: one it saved, but
 * edited since (in an editor beside the shell), is no longer the session's.
 */
function notOurs(shell: ShellSession, path: string, shown: string): string | undefined {
  const full = resolve(path);
  if (!existsSync(full) || isDirectory(full)) return undefined;
  if (shell.savedTo.has(full)) {
    const written = shell.savedTo.get(full);
    if (written === undefined || textOf(full) === written) return undefined;
    return `${shown} changed since this session saved it (in another window?): \`:save! ${shown}\` overwrites those changes, or save under another name`;
  }
  if (shell.base !== '' && full === shell.session.pipelinePath) {
    // `:save!` writes FILE as the shell read it, then the steps: an edit made since would be lost.
    return textOf(full) === shell.base
      ? `${shown} exists (the pipeline this shell started from): \`:save! ${shown}\` overwrites it, or save under another name`
      : `${shown} exists (the pipeline this shell started from), and changed since the shell read it (in another window?): \`:save! ${shown}\` would write it as it was then, followed by the session's steps, losing those changes; save under another name`;
  }
  return `${shown} exists: \`:save! ${shown}\` overwrites it, or save under another name`;
}

/** A file's text now, undefined when it cannot be read (then it is not what the session read or wrote). */
function textOf(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The saved document's lock file gets the session's entries for its
 * environments (the images the steps ran in) and pinned imports: without
 * them `shark plan` would call the environments not built yet.
 */
function saveLock(shell: ShellSession, path: string): string | undefined {
  const session = readLock(shell.session.lockPath);
  if (!session.ok) return undefined;
  const { environments, imports } = session.lock;
  if (Object.keys(environments).length === 0 && Object.keys(imports).length === 0) return undefined;
  const updated = updateLock(lockPathFor(resolve(path)), (lock) => {
    Object.assign(lock.environments, environments);
    Object.assign(lock.imports, imports);
  });
  return updated.ok ? undefined : `the lock file of ${displayName(path)} could not be written: ${updated.message}`;
}
