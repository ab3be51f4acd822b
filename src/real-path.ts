import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The path `to` names once the links among its parents are followed; `to`
 * itself is not followed (a document linked under another name is still
 * that name; a publish target is renamed over, not written through). Parents
 * that do not exist yet are kept as spelled below the deepest one that does.
 */
export function realParents(to: string): string {
  const parent = dirname(to);
  if (parent === to) return to;
  try {
    return join(realpathSync(parent), basename(to));
  } catch {
    return join(realParents(parent), basename(to));
  }
}

/**
 * A path's real path, links followed to the end (below the deepest parent
 * that exists, as spelled). A shared store linked into each project (`store ->
 * /scratch/lab-store`) is one store, so its identity (gc's grouping) and the
 * directory holding it (where run places are counted from) must not depend on
 * the link it was reached through; nor may whether a local file is inside the
 * store or the project.
 */
export function realPath(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    return realParents(abs);
  }
}
