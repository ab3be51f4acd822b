import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';

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

/**
 * Why a named path that `followNamed` found no data at leads nowhere when
 * it is a loop of symbolic links (`ln -s loop loop`, `a -> b`, `b -> a`),
 * said after its name; undefined when it is merely missing. Told apart, as
 * "does not exist" sent the user looking for a file that is there.
 */
export function linkLoop(path: string): string | undefined {
  try {
    statSync(path);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') return undefined;
  }
  try {
    return `is a symbolic link loop: ${path} is a link to \`${readlinkSync(path)}\`, which leads round a loop of links, never to a file or directory`;
  } catch {
    // The loop is a directory's on the way to it.
    return `leads through a symbolic link loop: ${path} cannot be reached (too many levels of symbolic links)`;
  }
}
