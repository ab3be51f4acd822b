import { lstatSync, mkdirSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { normalize } from 'node:path';
import { safeDirs } from '../safe-path.js';
import type { Commands } from './commands.js';
import { ownership } from './commands.js';
import { ZfsError } from './failure.js';
import type { Snapshots } from './snapshots.js';

/**
 * Read-only clones and bind mounts: how a job sees its inputs. `mount
 * --bind` follows symbolic links in both its paths, so every path is checked
 * first: it lies inside the workspace (or clone) it belongs to and no
 * component of it is a link. A stored link is placed as a link, never
 * mounted through (links are data, never doors).
 */

export interface Place {
  readonly cmd: Commands;
  readonly dataset: string;
  readonly mountpoint: string;
  readonly snapshots: Snapshots;
}

/**
 * `zfs create` of a dataset and the first write into its new mount
 * (`write`) in one turn, no other ZFS command of any process using the
 * store between them (commands.ts `exclusive`).
 */
export async function createMounted(cmd: Commands, dataset: string, write: () => void): Promise<void> {
  await cmd.exclusive(async () => {
    await cmd.runNow('zfs', ['create', ...ownership(), dataset], dataset);
    write();
  });
}

/** A first write into a new mount that leaves nothing in it (`createMounted`): a mark made and removed. */
export function firstWrite(mount: string): void {
  writeFileSync(`${mount}/.made`, '');
  unlinkSync(`${mount}/.made`);
}

/** Read-only clones of snapshots, one per snapshot, owned by one workspace, export or fsck. */
export class Clones {
  private readonly byGuid = new Map<string, { dataset: string; mnt: string }>();

  constructor(private readonly place: Place, private readonly owner: string) {}

  /** The mountpoint of a read-only clone of snapshot `guid`. */
  async get(guid: string): Promise<string> {
    const have = this.byGuid.get(guid);
    if (have !== undefined) return have.mnt;
    const snap = this.place.snapshots.nameOrThrow(guid);
    const name = `${this.owner}-${this.byGuid.size + 1}`;
    const dataset = `${this.place.dataset}/mnt/${name}`;
    await this.place.cmd.run('zfs', ['clone', '-o', 'readonly=on', ...ownership(), snap, dataset], dataset);
    const clone = { dataset, mnt: `${this.place.mountpoint}/mnt/${name}` };
    this.byGuid.set(guid, clone);
    return clone.mnt;
  }

  async destroyAll(): Promise<void> {
    let failure: unknown;
    for (const c of this.byGuid.values()) {
      await this.place.cmd.run('zfs', ['destroy', c.dataset], c.dataset).catch((e: unknown) => void (failure ??= e));
    }
    this.byGuid.clear();
    if (failure !== undefined) throw failure;
  }
}

function unsafe(path: string, detail: string): never {
  throw new ZfsError({ reason: 'unsafe-path', path, detail });
}

/** The components of `path` below `root`, or a failure when it is not plainly inside. */
function below(root: string, path: string): string[] {
  if (normalize(path) !== path || (path !== root && !path.startsWith(`${root}/`))) unsafe(path, `not inside ${root}`);
  return path.slice(root.length).split('/').filter((c) => c !== '');
}

/** Makes the directories from `root` down to `dir` one at a time; an existing link on the way is refused. */
export function makeDirs(root: string, dir: string): void {
  safeDirs(root, below(root, dir).join('/'), unsafe);
}

/** Checks that `path` exists inside `root` and that neither it nor any directory above it (below root) is a link. */
export function assertInside(root: string, path: string): void {
  let at = root;
  for (const c of below(root, path)) {
    at = `${at}/${c}`;
    if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink() !== false) unsafe(at, 'a symbolic link or nothing is there');
  }
  const real = realpathSync(path);
  const realRoot = realpathSync(root);
  if (real !== realRoot + path.slice(root.length)) unsafe(path, `resolves to ${real}`);
}

/** An empty directory or file for a bind mount to cover; whatever is there already is left to `assertInside`. */
export function placeholder(path: string, dir: boolean): void {
  if (lstatSync(path, { throwIfNoEntry: false }) !== undefined) return;
  if (dir) mkdirSync(path);
  else writeFileSync(path, '', { flag: 'wx' });
}

/**
 * A read-only bind mount of `source` (inside `sourceRoot`) at `target` (inside
 * `targetRoot`), nosuid and nodev: a bind mount does not keep the flags of the
 * mount it shows, and zfs-fuse mounts every dataset without them whatever
 * its `setuid` property says.
 */
export async function bind(cmd: Commands, from: { root: string; path: string }, to: { root: string; path: string }, about: string): Promise<void> {
  assertInside(from.root, from.path);
  assertInside(to.root, to.path);
  await cmd.run('mount', ['--bind', '-o', 'ro,nosuid,nodev', from.path, to.path], about);
}

export async function unmount(cmd: Commands, target: string): Promise<void> {
  try {
    await cmd.run('umount', [target], target);
  } catch {
    // Still in use by a straggling process: detach it now, the kernel frees it when that ends.
    await cmd.run('umount', ['-l', target], target).catch(() => undefined);
  }
}
