import { lstatSync, realpathSync } from 'node:fs';

/**
 * The data at a path a user names (an import's source, `-i NAME=PATH`): a
 * symbolic link there stands for its target, as `cp -r SRC`, `rsync SRC/`
 * and Snakemake take the argument itself (a project's `data.csv` linked to a
 * big disk is that file's bytes, not the link). Only the named path is
 * followed here: links inside a directory stay links (a local import
 * follows those that lead out of it, `local-links.ts`). A
 * path that is no link is returned as it is, so its stat-cache rows and its
 * keys stay; a dangling link too, for the caller to find it missing.
 */
export function followNamed(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}
