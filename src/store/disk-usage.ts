import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bytes that removing `paths` (files or trees) gives back: a file
 * counts only when all its links are among them. A killed run's workspace
 * holds its inputs as hard links to stored objects, which stay.
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
    if (links === st.nlink) bytes += st.size;
  };
  for (const p of paths) visit(p);
  return bytes;
}
