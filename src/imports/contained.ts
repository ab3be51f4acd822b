import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Why an archive member or an unpacked entry of another type is refused. */
export const SPECIAL = 'is not a file, a directory or a link (a device, pipe or socket)';

/**
 * Checks an unpacked tree after the fact, on the disk as it is: every
 * symbolic link must resolve (following the tree's own links, as the kernel
 * would) to a place inside `root`, no file may share its inode with a file
 * outside (a hard link out), and there are only files, directories and
 * links. Returns the first offending path relative to root and why.
 */
export function escapingEntry(root: string): { readonly path: string; readonly why: string } | undefined {
  const inodes = new Map<string, { nlink: number; seen: number; path: string }>();
  const pending = [''];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    for (const name of readdirSync(join(root, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(root, path));
      if (st.isDirectory()) pending.push(path);
      else if (st.isSymbolicLink()) {
        const target = readlinkSync(join(root, path));
        if (resolveInside(root, path) === undefined) return { path, why: `is a symbolic link to \`${target}\`, outside the destination` };
      } else if (st.isFile()) {
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          const known = inodes.get(key) ?? { nlink: st.nlink, seen: 0, path };
          known.seen++;
          inodes.set(key, known);
        }
      } else {
        return { path, why: SPECIAL };
      }
    }
  }
  for (const { nlink, seen, path } of inodes.values()) {
    if (seen < nlink) return { path, why: 'is a hard link to a file outside the destination' };
  }
  return undefined;
}

const MAX_LINKS = 40;

/**
 * Where `rel` leads inside root, following links component by component
 * (so `x/..` through a link goes where the kernel would), or undefined when
 * it leaves root. A missing component cannot be a link: the rest is lexical.
 */
export function resolveInside(root: string, rel: string): string[] | undefined {
  const at: string[] = [];
  const todo = rel.split('/').reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.length === 0) return undefined;
      at.pop();
      continue;
    }
    at.push(part);
    let st;
    try {
      st = lstatSync(join(root, ...at));
    } catch {
      continue;
    }
    if (!st.isSymbolicLink()) continue;
    if (++hops > MAX_LINKS) return undefined;
    const target = readlinkSync(join(root, ...at));
    if (posix.isAbsolute(target)) return undefined;
    at.pop();
    todo.push(...target.split('/').reverse());
  }
  return at;
}
