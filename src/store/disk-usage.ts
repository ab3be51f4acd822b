import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * The bytes of disk that removing `paths` (files or trees) gives back,
 * counted as `du` does (allocated blocks, folders included): a workspace of
 * many small files takes far more disk than its files' sizes add up to. A
 * file counts only when all its links are among them: a killed run's
 * workspace holds its inputs as hard links to stored objects, which stay.
 */
export function freedBytes(paths: readonly string[]): number {
  const seen = new Map<string, number>();
  let bytes = 0;
  const visit = (path: string): void => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      bytes += used(st);
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        // Unreadable: what it holds is not counted.
      }
      for (const name of names) visit(join(path, name));
      return;
    }
    const inode = `${st.dev}:${st.ino}`;
    const links = (seen.get(inode) ?? 0) + 1;
    seen.set(inode, links);
    if (links === st.nlink) bytes += used(st);
  };
  for (const p of paths) visit(p);
  return bytes;
}

/** Allocated bytes; the size where the file system gives no block count. */
export function used(st: Stats): number {
  return st.blocks === undefined ? st.size : st.blocks * 512;
}
