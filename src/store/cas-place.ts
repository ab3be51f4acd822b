import { chmodSync, copyFileSync, linkSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CasObjects } from './cas-objects.js';
import type { Placed } from './cas-workspaces.js';
import { publishedMode, storedMode } from './file-modes.js';
import { exportedLinkTarget, placedLinkTarget } from './safe-path.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

export interface Placing {
  readonly objects: CasObjects;
  readonly entries: (id: SnapshotId) => readonly TreeEntry[] | undefined;
  /** Data discarded after a job changed it in place: the job of this run that did (`''` when another process's). */
  readonly discardedBy: (id: SnapshotId) => string | undefined;
}

/**
 * Writes snapshot `id` at host path `target`: a job's input (`link`: hard
 * links to the read-only objects, `links` collects them) or a published
 * copy (`copy`: plain, writable files). `at` is the /data path being placed
 * (links into /data become relative: `safe-path.ts`).
 *
 * A job's inputs may nest (`cat /data/res/plain; ls /data/res/`), in either
 * order: what an earlier input of the same job placed is left as it is.
 * A job's inputs are one view of /data (the plan reads a file inside a
 * directory from that directory's tree), so it is the same data; and before
 * the job runs, its workspace holds nothing but its inputs and directories
 * (cas-workspaces.ts keeps a workspace only when that is all the last job
 * left). Only a real directory is entered, never a link.
 */
export function place(s: Placing, id: SnapshotId, target: string, at: string | undefined, how: 'link' | 'copy', links: Placed['links'] | undefined): void {
  if (id.startsWith('link:')) {
    const value = id.slice('link:'.length);
    try {
      symlinkSync(at === undefined ? value : how === 'copy' ? exportedLinkTarget(value, at) : placedLinkTarget(value, at), target);
    } catch (e) {
      if (!placedBefore(e, how, target, 'link')) throw e;
    }
    return;
  }
  const children = s.entries(id);
  if (children !== undefined) {
    try {
      mkdirSync(target);
    } catch (e) {
      if (!placedBefore(e, how, target, 'directory')) throw e;
    }
    for (const e of children) place(s, e.id, join(target, e.name), at === undefined ? undefined : `${at}/${e.name}`, how, links);
    return;
  }
  if (id.startsWith('tree:')) throw new Error(`the directory ${at ?? target} (${id}) is not in the store`);
  // A job's link is looked at afterwards against what its object showed here.
  const { verdict: state, st } = how === 'link' ? s.objects.checkNow(id) : { verdict: s.objects.check(id), st: undefined };
  if (state !== 'ok') throw new Error(unplaceable(s, id, at ?? target, state));
  const object = s.objects.pathOf(id);
  if (how === 'link') {
    try {
      linkSync(object, target);
      links?.push({ path: at ?? target, host: target, id, ino: st!.ino, size: st!.size, mtimeMs: st!.mtimeMs, mode: st!.mode });
      return;
    } catch (e) {
      if (placedBefore(e, how, target, 'file')) return;
      // Across file systems a hard link is impossible: copy instead.
    }
  }
  copyFileSync(object, target);
  const exec = id.startsWith('sha256x:');
  chmodSync(target, how === 'copy' ? publishedMode(exec) : storedMode(exec));
}

/**
 * Why stored file `id` cannot be placed at `path`: discarded on purpose
 * after a job changed it in place (not damage: fsck has nothing to find,
 * and the next run recomputes it), or missing or corrupt.
 */
function unplaceable(s: Placing, id: SnapshotId, path: string, state: 'missing' | 'changed'): string {
  const by = state === 'missing' ? s.discardedBy(id) : undefined;
  if (by === undefined) return `the stored data of ${path} is ${state === 'missing' ? 'missing' : 'corrupt'} (${id}): run \`shark fsck --repair\``;
  const who = by === '' ? 'a job changed it in place (modified-input)' : `job ${by} of this run changed it in place (modified-input)`;
  return `the stored data of ${path} was discarded: ${who}; the next run recomputes it (${id})`;
}

/**
 * Whether `e`, failing to make `target`, means an input placed earlier in
 * the job's workspace already put a `kind` there (an input covering this
 * one, or covered by it). Anything else in the way is an error.
 */
function placedBefore(e: unknown, how: 'link' | 'copy', target: string, kind: 'link' | 'directory' | 'file'): boolean {
  if (how !== 'link' || (e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  const st = lstatSync(target);
  const found = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'special file';
  if (found !== kind) throw new Error(`cannot place ${target}: a ${found} is in the way of a ${kind}`);
  return true;
}

/** How many files a published copy writes between two looks at the event loop (`placeCopy`). */
const COPY_SLICE = 256;

/**
 * A published copy of `id` at `target` (`place`, `copy`), a slice of files
 * at a time, between which the process hears a signal: a publish of 20,000
 * files held it for seconds, Ctrl-C heard only once the copy was done, and
 * the run's other jobs stalled meanwhile. Stopped by `signal`, it throws;
 * the staged copy is then removed (`exportStaged`).
 */
export async function placeCopy(s: Placing, id: SnapshotId, target: string, at: string | undefined, signal?: AbortSignal): Promise<void> {
  let placed = 0;
  const walk = async (id: SnapshotId, target: string, at: string | undefined): Promise<void> => {
    const children = id.startsWith('link:') ? undefined : s.entries(id);
    if (children === undefined) {
      place(s, id, target, at, 'copy', undefined);
      if (++placed % COPY_SLICE !== 0) return;
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted === true) throw Object.assign(new Error('the publish was stopped'), { code: 'ABORT_ERR' });
      return;
    }
    mkdirSync(target);
    for (const e of children) await walk(e.id, join(target, e.name), at === undefined ? undefined : `${at}/${e.name}`);
  };
  await walk(id, target, at);
}
