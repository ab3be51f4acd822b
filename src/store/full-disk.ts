/**
 * Whether `e` is a write refused for want of space: the file system's
 * `ENOSPC` or `EDQUOT`, or SQLite's `SQLITE_FULL` ("database or disk is
 * full"). Not a bug of Shark but a failure of the store (reason `store`):
 * reported in one line, never as an internal error.
 */
export function diskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
