import { statSync, writeFileSync } from 'node:fs';
import { refusedTarget } from '../exec/run/publish-guard.js';
import type { Session } from '../plan/session.js';
import { writeAtomically } from '../lockfile/atomic-write.js';
import { pathProblem } from '../read-problem.js';
import { isDirectory, unwritable, writeError } from '../writable-path.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import { shownName } from '../printable.js';

/** What an output must spare: the pipeline document, its lock file, and the store. */
export type Keeping = Pick<Session, 'pipelinePath' | 'store'>;

/**
 * Why `-o FILE` cannot take a file: it is what the pipeline needs (the
 * document, its lock file, the store or anything in it: every run record),
 * refused as `shark-publish` refuses them; it is a directory; or the
 * directory it would go into is not there or not writable (the file is
 * written beside it and renamed over it). Asked before the work that fills
 * it (a whole run, for `run -o`), so a mistyped path costs nothing.
 */
export function outputFileProblem(path: string, session: Keeping): string | undefined {
  const unreachable = unreachableProblem(path);
  if (unreachable !== undefined) return unreachable;
  if (specialKind(path) === 'stream') return undefined;
  const refused = refusedTarget(path, session);
  if (refused !== undefined) return `will not write ${shownName(path)}: ${refused}`;
  return undefined;
}

/**
 * Why no file can be written at `path`, whatever the store: a directory, a
 * path no file can be at, a block device, a directory not there or not
 * writable. Asked before the store is made, so that a mistyped `-o` leaves
 * no `.shark/` behind either.
 */
export function unreachableProblem(path: string): string | undefined {
  // A directory is never a file to write, whatever it holds: that is the reason to give (`-o /tmp`).
  if (isDirectory(path)) return `cannot write ${shownName(path)}: it is a directory`;
  // `f/x` where f is a file, a loop of links, a name too long: no file can be there.
  const unreachable = pathProblem(path);
  if (unreachable !== undefined) return `cannot write ${shownName(path)}: ${unreachable}`;
  const kind = specialKind(path);
  if (kind === 'stream') {
    const problem = unwritable(path);
    return problem === undefined ? undefined : `cannot write ${shownName(path)}: ${problem}`;
  }
  if (kind !== undefined) return `will not write ${shownName(path)}: it is ${kind}`;
  const problem = unwritable(path, true);
  return problem === undefined ? undefined : `cannot write ${shownName(path)}: ${problem}`;
}

/** `outputFileProblem` as the one line users see, exit 2. */
export function checkOutputFile(path: string, session: Keeping, stderr: (s: string) => void): void {
  const problem = outputFileProblem(path, session);
  if (problem === undefined) return;
  stderr(`shark: error: ${problem}\n`);
  throw new ExitError(EXIT_INVALID);
}

/**
 * Writes `-o FILE` whole: a temporary sibling renamed over it, so a reader
 * never sees half a file and a link at FILE is replaced, never written
 * through. A failure (no permission, a full disk) is one line and exit 2.
 */
export function writeOutputFile(path: string, text: string, session: Keeping, stderr: (s: string) => void): void {
  checkOutputFile(path, session, stderr);
  try {
    // A pipe or a terminal (`-o /dev/stdout`, a FIFO, /dev/null) is written into, never replaced by a file.
    if (specialKind(path) === 'stream') writeFileSync(path, text);
    else writeAtomically(path, text);
  } catch (e) {
    stderr(`shark: error: cannot write ${shownName(path)}: ${writeError(path, e)}\n`);
    throw new ExitError(EXIT_INVALID);
  }
}

/**
 * What is at `path` when it is no regular file nor directory (links
 * followed): `stream` for a FIFO or a character device, written into;
 * a block device or a socket, never written. Undefined otherwise.
 */
function specialKind(path: string): 'stream' | 'a block device' | 'a socket' | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return undefined;
  if (st.isFIFO() || st.isCharacterDevice()) return 'stream';
  if (st.isBlockDevice()) return 'a block device';
  return st.isSocket() ? 'a socket' : undefined;
}
