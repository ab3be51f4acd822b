import { EXIT_INVALID, ExitError } from './load-or-report.js';

/**
 * Before any action: a current directory that was removed under the shell
 * (`rm -rf` of it from elsewhere) is said in one line, exit 2, as `git`
 * refuses to work there; every relative path is read against it, and each
 * command stopped on `ENOENT: no such file or directory, uv_cwd` as an
 * internal error. `--help` and `--version` need none, and still answer.
 */
export function refuseMissingCwd(stderr: (s: string) => void): void {
  try {
    process.cwd();
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it was removed' : (e as Error).message;
    stderr(`shark: error: cannot read the current directory: ${why} (cd to a directory that exists)\n`);
    throw new ExitError(EXIT_INVALID);
  }
}
