import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProblem } from './read-problem.js';

/** Where scratch files go when TMPDIR takes none. */
const FALLBACK = '/tmp';

/**
 * Where Shark puts files of its own for a moment (a workspace's alias, a
 * long script, a job's output FIFO, a merged copy of the database), in the
 * order to try: `os.tmpdir()`, which is TMPDIR as set, then /tmp, as
 * Python's `tempfile` and gcc fall back when TMPDIR names no directory
 * they can write in (a stale setting, a typo, /proc). These files are
 * Shark's business: a run failed on `mkdtemp '/nonexistent/shark-XXXXXX'`.
 * A job still sees TMPDIR as set.
 */
export function scratchRoots(): readonly string[] {
  const asked = tmpdir();
  return asked === FALLBACK ? [asked] : [asked, FALLBACK];
}

/** A new private directory named `PREFIX` and six characters (`scratchRoots`); an error in words, of TMPDIR, when none takes it. */
export function makeScratchDir(prefix: string): string {
  let first: unknown;
  for (const root of scratchRoots()) {
    try {
      return mkdtempSync(join(root, prefix));
    } catch (e) {
      first ??= e;
    }
  }
  throw new Error(`cannot make a temporary directory in ${tmpdir()} (TMPDIR): ${readProblem(first)}`);
}
