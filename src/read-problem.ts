/**
 * Why a file could not be read, in the words the CLI uses everywhere (`no
 * such file`, `is a directory`, `permission denied`) rather than Node's
 * `EISDIR: illegal operation on a directory, read`; another error keeps
 * its own message.
 */
export function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}
