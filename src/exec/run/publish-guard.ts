import { lstatSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { lockPathFor } from '../../lockfile.js';
import { realParents } from '../../real-path.js';
import { deniedOnTheWay, isDirectory } from '../../writable-path.js';
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
 * itself is the user's to choose, link or not (but see `linkInPublishDir`).
 */
export function linkOnTheWay(root: string, to: string): string | undefined {
  return linkBetween(root, dirname(to));
}

/**
 * Why the publish directory `root` is refused: a symbolic link on its way
 * that lies inside another publish directory (`dirs`: the document's and
 * `_shark`, absolute). Such a link may be a copy an earlier publish made of
 * a link a job made, to anywhere (`shark-publish:_shark/out/dirlink`), and
 * publishing would write through it onto the host. A link of the user's,
 * outside every publish directory (or one that is itself one), is theirs.
 */
export function linkInPublishDir(root: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const link = linkBetween(dir, root);
    if (link !== undefined) return `${link} is a symbolic link inside the publish directory ${dir}, maybe a copy of one a job made: publishing never writes through it`;
  }
  return undefined;
}

/** The first symbolic link among the directories below `root` down to `dir` itself, if `dir` is inside `root`; only one that `counts`, when given. */
export function linkBetween(root: string, dir: string, counts: (link: string) => boolean = () => true): string | undefined {
  const rel = relative(root, dir);
  if (rel === '' || rel.startsWith('..')) return undefined;
  let at = root;
  for (const name of rel.split(sep)) {
    at = join(at, name);
    const st = lstatSync(at, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (st.isSymbolicLink() && counts(at)) return at;
  }
  return undefined;
}

/**
 * A failed publish in words: the directory on the way to `to` that Shark may
 * not write in, as `cp` names it, rather than Node's `EACCES: permission
 * denied, copyfile '…/objects/…' -> '….shark-tmp-…'`, which names a store
 * object and a staging file the user never sees; likewise a disk that filled
 * (or a quota reached), or a directory removed, as the copy was made.
 * Another failure keeps its message.
 */
export function publishFailure(to: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const denied = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? deniedOnTheWay(to) : undefined;
  const full = code === undefined ? undefined : FULL[code];
  if (full !== undefined) return `cannot write in ${dirname(to)}: ${full}`;
  // The publish directory removed as the copy was made into it (`rm -rf _shark` during the run).
  if (code === 'ENOENT' && !isDirectory(dirname(to))) return `${dirname(to)} was removed while the copy was made`;
  return denied ?? (e as Error).message;
}

/** The codes of a write refused for want of room, in `cp`'s words. */
const FULL: Readonly<Record<string, string>> = { ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded' };
