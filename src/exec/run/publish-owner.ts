import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { recordedEntries } from '../../lineage/directory-id.js';
import type { Session } from '../../plan/session.js';
import { contentId } from '../../store/content-id.js';
import { executable, publishedMode } from '../../store/file-modes.js';
import { readProblem } from '../../read-problem.js';
import { linkBetween } from './publish-guard.js';
import type { SnapshotId, TreeEntry } from '../../store/snapshot-store.js';

type Owner = Pick<Session, 'store' | 'meta'>;

const AWAY = '(move it away, or publish elsewhere)';

/**
 * Why publishing `id` at host path `target` (its parents' links followed:
 * `realParents`) is refused, or undefined: something is there that Shark did
 * not publish, which replacing the target would delete. What an earlier
 * publish put there, in itself or in a directory published whole, is Shark's
 * (edited since or not: a published file is the user's to edit, and the next
 * run publishes it again); so is a directory holding nothing else. Anything
 * else, a file the user added inside a published directory too, is theirs.
 * A target already holding exactly `id` loses nothing (a store made anew
 * after an earlier one published it).
 */
export function inTheWay(target: string, id: SnapshotId, s: Owner): string | undefined {
  if (lstatSync(target, { throwIfNoEntry: false }) === undefined) return undefined;
  const recorded = recordedAt(target, s);
  let foreign: string | undefined;
  try {
    foreign = notShark(target, recorded, s);
  } catch (e) {
    // A directory in it that cannot be listed (`chmod 000`): what it holds cannot be known, nor removed (it was an internal error).
    const at = (e as NodeJS.ErrnoException).path ?? target;
    return `${at} cannot be read (${readProblem(e)}): Shark cannot tell what it holds, nor replace it (give it back its mode, chmod u+rwx, or move it away)`;
  }
  if (foreign === undefined || holds(target, id, s)) return undefined;
  if (foreign === target) return `it exists and was not published by Shark ${AWAY}`;
  return recorded === undefined ? `it exists and was not published by Shark: it holds ${foreign} ${AWAY}`
    : `it holds ${foreign}, which Shark did not publish ${AWAY}`;
}

/**
 * Why the directories from the publish directory `root` down to `target`
 * (both as `realParents` spells them) cannot hold it, or undefined once they
 * can: a file (or dangling link) where a directory is to be. One an earlier
 * publish put there (`/data/version` published, then `/data/version/x`) is
 * Shark's, and removed (unless only looked at: `remove` false); any other is
 * the user's, and left as it is.
 */
export function fileOnTheWay(root: string, target: string, s: Owner, remove = true): string | undefined {
  const rel = relative(root, dirname(target));
  if (rel.startsWith('..')) return undefined;
  let at = root;
  for (const name of ['', ...(rel === '' ? [] : rel.split(sep))]) {
    at = join(at, name);
    const st = lstatSync(at, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (st.isDirectory()) continue;
    if (notShark(at, recordedAt(at, s), s) !== undefined) return `${at} is a file where a directory is to be, and was not published by Shark ${AWAY}`;
    if (remove) rmSync(at, { force: true });
    return undefined;
  }
  return undefined;
}

/**
 * A symbolic link an earlier publish put between the document's directory
 * `base` and the publish directory `root` (both as `realParents` spells
 * them), `root` itself included: a copy of a link a job made, to anywhere
 * (`ln -s /elsewhere /data/_shark` published with `shark-publish:.`), which
 * publishing would write through onto the host. A link Shark never
 * published is the user's (`_shark` on a bigger disk).
 */
export function publishedLinkOnTheWay(base: string, root: string, s: Owner): string | undefined {
  return linkBetween(base, root, (link) => recordedAt(link, s)?.startsWith('link:') === true);
}

/** Records that `id` is now published at `target`, as `inTheWay` asks. */
export function notePublished(target: string, id: SnapshotId, s: Owner): void {
  s.meta.published.put(target, id);
}

/** The first path at or below `path` (which exists) that Shark did not publish; `id` is what was published there, as far as known. */
function notShark(path: string, id: SnapshotId | undefined, s: Owner): string | undefined {
  const st = lstatSync(path);
  if (!st.isDirectory()) return id !== undefined && entriesOf(id, s) === undefined ? undefined : path;
  const entries = id === undefined ? undefined : entriesOf(id, s);
  const byName = new Map((entries ?? []).map((e) => [e.name, e.id]));
  // A directory published as one, or made on the way to a path published inside it: Shark's when all it holds is.
  for (const name of readdirSync(path).sort()) {
    const at = join(path, name);
    const foreign = notShark(at, byName.get(name) ?? s.meta.published.get(at), s);
    if (foreign !== undefined) return foreign;
  }
  return undefined;
}

/** What was last published at `path`: its own record, or its place in the nearest directory above it published whole. */
function recordedAt(path: string, s: Owner): SnapshotId | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    const id = s.meta.published.get(dir);
    if (id !== undefined) return descend(id, relative(dir, path), s);
    if (dirname(dir) === dir) return undefined;
  }
}

function descend(id: SnapshotId, rel: string, s: Owner): SnapshotId | undefined {
  let at: SnapshotId | undefined = id;
  for (const name of rel === '' ? [] : rel.split(sep)) at = at === undefined ? undefined : entriesOf(at, s)?.find((e) => e.name === name)?.id;
  return at;
}

/** A published directory's entries, also after gc freed it; undefined for a file or link. */
function entriesOf(id: SnapshotId, s: Owner): readonly TreeEntry[] | undefined {
  return s.store.entries(id) ?? recordedEntries(s.meta, id);
}

/**
 * Whether `target` holds what a publish of `id` would put there, as the last
 * publish there recorded it and as its bytes are now (through the stat
 * cache): a run whose results are all cached copied every published file
 * again (8,000 files: 10 s of a no-op run).
 */
export function alreadyPublished(target: string, id: SnapshotId, s: Owner): boolean {
  return s.meta.published.get(target) === id && holds(target, id, s) && modesAsPublished(target);
}

/** Whether each file under `path` has the mode a publish gives it now (under this umask: published under another, it is published again). */
function modesAsPublished(path: string): boolean {
  const st = lstatSync(path);
  if (st.isFile()) return (st.mode & 0o7777) === publishedMode(executable(st.mode));
  if (!st.isDirectory()) return true;
  return readdirSync(path).every((name) => modesAsPublished(join(path, name)));
}

/** Whether `path` holds exactly the data `id` (a special or unreadable file in it: no). */
function holds(path: string, id: SnapshotId, s: Owner): boolean {
  try {
    return contentId(path, (f, st) => s.meta.hashFile(f, st)).id === id;
  } catch {
    return false;
  }
}
