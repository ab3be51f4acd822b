import { lstatSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { lockPathFor } from '../../lockfile.js';
import { realParents } from '../../real-path.js';
import type { Session } from '../../plan/session.js';
import { clashOf, keptStore, type Kept } from '../../pipeline/publish-targets.js';

/**
 * Why publishing to `to` is refused, or undefined. The document's check
 * compares paths as written; a linked directory on the way (`_shark` a link
 * to `.shark`, or to the document's own directory) shows only here, where
 * the target and the kept paths are compared as the file system resolves them.
 */
export function refusedTarget(to: string, session: Pick<Session, 'pipelinePath' | 'store'>): string | undefined {
  const target = realParents(to);
  const kept: Kept[] = [
    { path: realParents(session.pipelinePath), what: `the pipeline document ${session.pipelinePath}`, inside: false },
    { path: realParents(lockPathFor(session.pipelinePath)), what: `the lock file ${lockPathFor(session.pipelinePath)}`, inside: false },
    keptStore(realParents(resolve(session.store.metaDir)), session.store.location),
  ];
  const clash = clashOf(target, kept);
  if (clash === undefined) return undefined;
  if (target === clash.path) return `it is ${clash.what}`;
  return target.startsWith(clash.path + '/') ? `it is inside ${clash.what}` : `it holds ${clash.what}`;
}

/**
 * A symbolic link among the directories between the publish directory `root`
 * and `to` (a copy published earlier can be a link a job made, to anywhere):
 * publishing would write through it, onto the host. The publish directory
 * itself is the user's to choose, link or not.
 */
export function linkOnTheWay(root: string, to: string): string | undefined {
  const rel = relative(root, dirname(to));
  if (rel === '' || rel.startsWith('..')) return undefined;
  let at = root;
  for (const name of rel.split(sep)) {
    at = join(at, name);
    const st = lstatSync(at, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) return at;
  }
  return undefined;
}
