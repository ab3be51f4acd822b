/**
 * The path a read of host data was refused at for lack of permission
 * (`EACCES`, `EPERM`: a file of mode 000, a directory that cannot be listed),
 * or undefined for any other failure. Such a file is bad input, reported
 * where the document names it, as one that does not exist is; any other
 * failure stays the bug it is.
 */
export function deniedPath(e: unknown): string | undefined {
  const { code, path } = (e ?? {}) as NodeJS.ErrnoException;
  return (code === 'EACCES' || code === 'EPERM') && typeof path === 'string' ? path : undefined;
}

/** What a worker thread reports of a failed read, so that the error it stands for keeps its code and path. */
export interface FailedRead {
  readonly error: string;
  readonly code?: string;
  readonly path?: string;
}

export function failedRead(e: unknown): FailedRead {
  const { message, code, path } = e as NodeJS.ErrnoException;
  return { error: message, ...(code !== undefined ? { code } : {}), ...(path !== undefined ? { path } : {}) };
}

/** The error a worker's `FailedRead` stands for, on this thread. */
export function readError(failed: FailedRead, context: string): Error {
  return Object.assign(new Error(`${context}: ${failed.error}`), failed.code !== undefined ? { code: failed.code } : {}, failed.path !== undefined ? { path: failed.path } : {});
}
