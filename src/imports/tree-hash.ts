import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hashFileSync, sha256 } from '../store/hash.js';

/**
 * The identity of an extracted tree, computed the way the content-addressed
 * store names it (`tree:…` over sorted `name\0id` lines, `sha256:`/`sha256x:`
 * files, `link:` symbolic links), so a GitHub import's `tree` pin is the
 * snapshot id the store gives the same directory. Archive bytes are not stable
 * (GitHub regenerates tarballs), the extracted tree is.
 */
export function treeId(path: string): string {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return `link:${readlinkSync(path)}`;
  if (st.isDirectory()) {
    const entries = readdirSync(path)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => `${name}\0${treeId(join(path, name))}\n`);
    return `tree:${sha256(entries.join(''))}`;
  }
  return `${(st.mode & 0o111) !== 0 ? 'sha256x' : 'sha256'}:${hashFileSync(path)}`;
}
