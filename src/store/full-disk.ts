import { constants } from 'node:os';

/** EDQUOT as libuv reports it: it has no name for it ("Unknown system error -122" on Linux). */
const EDQUOT = -(constants.errno.EDQUOT ?? 122);

/**
 * Whether `e` is a write refused for want of space: the file system's
 * `ENOSPC` or `EDQUOT` (a quota reached, on a ZFS dataset for one), or
 * SQLite's `SQLITE_FULL` ("database or disk is full"). Not a bug of Shark
 * but a failure of the store (reason `store`): reported in one line, never
 * as an internal error.
 */
export function diskFull(e: unknown): boolean {
  const { code, errno } = (e ?? {}) as { code?: unknown; errno?: unknown };
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || errno === EDQUOT;
}

/** A failed write's message, a quota reached said in words (libuv gives it as a number). */
export function writeFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if ((e as { errno?: unknown } | null)?.errno !== EDQUOT) return message;
  return message.replace(/^Unknown system error -?\d+: Unknown system error -?\d+/, 'disk quota exceeded (EDQUOT)');
}
