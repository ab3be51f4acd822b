import { existsSync } from 'node:fs';
import { printable } from '../printable.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/**
 * Before any action: a current directory that was removed under the shell
 * (`rm -rf` of it from elsewhere) is said in one line, exit 2, as `git`
 * refuses to work there; every relative path is read against it, and each
 * command stopped on `ENOENT: no such file or directory, uv_cwd` as an
 * internal error. `--help` and `--version` need none, and still answer.
 */
export function refuseMissingCwd(stderr: (s: string) => void): void {
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it was removed' : (e as Error).message;
    stderr(`shark: error: cannot read the current directory: ${why} (cd to a directory that exists)\n`);
    throw new ExitError(EXIT_INVALID);
  }
  // A name that is not UTF-8 (`caf\xe9`) reads as another (U+FFFD), which is not there: Shark made that one beside it,
  // and ran in it (the store, the publish directory, each step's working directory).
  if (cwd.includes('\ufffd') && !existsSync(cwd)) {
    stderr(`shark: error: the current directory's path is not UTF-8 (${printable(cwd)}): Shark keeps paths as text; rename it, or run from a directory whose path is\n`);
    throw new ExitError(EXIT_INVALID);
  }
}
