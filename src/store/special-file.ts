/** What an `lstat` tells of a path's type. */
interface Typed {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}

/**
 * A host path that is neither a file, a directory nor a symbolic link: a
 * FIFO, a socket, a device. Shark refuses one by its `lstat` and never
 * opens it: opening a FIFO to read it waits for a writer, forever, on a
 * thread that signals cannot interrupt. Each caller says what it refuses
 * it as (`path` and `kind`); the message is what a store says.
 */
export class SpecialFileError extends Error {
  constructor(readonly path: string, readonly kind: string) {
    super(`${path} is ${kind}: only files, directories and symbolic links can be stored`);
  }
}

/** What a special file is (`a named pipe (FIFO)`, `a socket`, `a device`) by its `lstat`; undefined for a file, a directory or a link. */
export function specialKind(st: Typed): string | undefined {
  if (st.isFile() || st.isDirectory() || st.isSymbolicLink()) return undefined;
  return st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : 'a device';
}

/** Throws `SpecialFileError` for a path whose `lstat` is `st` unless it is a file, a directory or a link. */
export function refuseSpecial(path: string, st: Typed): void {
  const kind = specialKind(st);
  if (kind !== undefined) throw new SpecialFileError(path, kind);
}
