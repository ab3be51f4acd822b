import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { canonicalJson } from './canonical-json.js';
import { error, formatDiagnostic, type Diagnostic } from './diagnostics.js';
import { writeAtomically } from './lockfile/atomic-write.js';
import { withExclusiveLock } from './file-mutex.js';
import { parseLock } from './lockfile/parse.js';
import { emptyLock, type LockFile } from './lockfile/types.js';
import { writeError } from './writable-path.js';

export { emptyLock, type LockFile } from './lockfile/types.js';

/**
 * The only module that reads or writes `PIPELINE.lock.json`. Reads are
 * strict; every write is a read-modify-write under an exclusive lock
 * (`PIPELINE.lock.json.lock`), so concurrent runs (and an environment built
 * while imports are pinned) merge their entries instead of losing them.
 */

export type LockRead =
  | { readonly ok: true; readonly lock: LockFile }
  /** `source` is the file's text, for showing the offending line (undefined when it could not be read). */
  | { readonly ok: false; readonly diagnostic: Diagnostic; readonly source: string | undefined };

export type LockUpdate = { readonly ok: true; readonly lock: LockFile } | { readonly ok: false; readonly message: string };

export function lockPathFor(pipelinePath: string): string {
  return pipelinePath.replace(/\.md$/i, '') + '.lock.json';
}

export function importLockKey(raw: string, dest: string): string {
  return `${raw} ${dest}`;
}

/** A missing file is an empty lock; a malformed one is an error at its line and column. */
export function readLock(path: string): LockRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, lock: emptyLock() };
    return { ok: false, diagnostic: error(path, { line: 1, col: 1 }, `cannot read the lock file: ${(e as Error).message}`), source: undefined };
  }
  const parsed = parseLock(path, text);
  return parsed.ok ? parsed : { ok: false, diagnostic: parsed.diagnostic, source: text };
}

/**
 * Applies `mutate` to the lock file as it is on disk now, under the lock,
 * and writes the result atomically (temporary file, fsync, rename, fsync of
 * the directory). Nothing is written when the text is unchanged. Returns the
 * merged lock, which callers keep as their in-memory copy.
 */
export function updateLock(path: string, mutate: (lock: LockFile) => void): LockUpdate {
  try {
    // A lock file linked from elsewhere (shared by documents) is written where it lies, and locked there: a rename onto the link would replace it.
    const file = linkedFile(path);
    // What changes nothing as the file is now needs no lock: a pinned import fetched again runs where the lock's directory is read-only.
    const now = readIfPresent(file);
    const parsed = now === undefined ? undefined : parseLock(path, now);
    if (parsed?.ok === true) {
      mutate(parsed.lock);
      if (serialise(parsed.lock) === now) return parsed;
    }
    const done = withExclusiveLock(`${file}.lock`, (): LockUpdate => {
      const before = readIfPresent(file);
      const parsed = before === undefined ? { ok: true as const, lock: emptyLock() } : parseLock(path, before);
      if (!parsed.ok) return { ok: false, message: formatDiagnostic(parsed.diagnostic, before) };
      const lock = parsed.lock;
      mutate(lock);
      const after = serialise(lock);
      if (after !== before) writeAtomically(file, after);
      return { ok: true, lock };
    });
    return done.ok ? done.value : done;
  } catch (e) {
    return { ok: false, message: `cannot update ${path}: ${writeError(path, e)}` };
  }
}

/** The file a symbolic link at `path` leads to; `path` itself when it is none, or leads nowhere yet. */
function linkedFile(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

/** Sorted keys at every level, two-space indented: the file diffs well. */
export function serialise(lock: LockFile): string {
  return canonicalJson({ version: 1, environments: lock.environments, imports: lock.imports }, 2) + '\n';
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
