import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeScratchDir } from '../../scratch-dir.js';
import { exportStaged } from '../export-staging.js';
import { DIR_MODE } from '../file-modes.js';
import { exportedLinkTarget, placedLinkTarget } from '../safe-path.js';
import type { SnapshotId } from '../snapshot-store.js';
import type { ZfsCore } from './core.js';
import { copyOutOfSnapshot } from './copy-out.js';
import { ZfsError } from './failure.js';
import { assertInside, bind, Clones, createMounted, makeDirs, placeholder, unmount } from './mounts.js';

/**
 * Job workspaces: one dataset per job (`DS/job/NAME`), its inputs bound in
 * read-only from clones, its results kept as snapshots when it is disposed.
 */

export interface WsState {
  readonly root: string;
  readonly dataset: string;
  readonly name: string;
  readonly clones: Clones;
  /** Bind mounts, in the order made. */
  readonly mounts: string[];
  /** Host directories holding the skeletons of composed trees. */
  readonly skeletons: string[];
  readonly snapshots: string[];
}

export function slug(text: string, max: number): string {
  const s = text.replace(/^\/data\//, '').replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '');
  return (s || 'x').slice(0, max);
}

export async function createWorkspace(core: ZfsCore, label: string): Promise<WsState> {
  const name = `${slug(label, 40)}-${randomBytes(4).toString('hex')}`;
  const dataset = `${core.dataset}/job/${name}`;
  const root = `${core.mountpoint}/job/${name}`;
  await createMounted(core.cmd, dataset, () => mkdirSync(join(root, 'data'), { recursive: true }));
  return { root, dataset, name, clones: new Clones(core, name), mounts: [], skeletons: [], snapshots: [] };
}

export async function disposeWorkspace(core: ZfsCore, st: WsState): Promise<void> {
  // Every step is tried; what is left (e.g. a clone a straggling process holds) is gc's to remove.
  let failure: unknown;
  const step = async (f: () => Promise<unknown>): Promise<void> => {
    await f().catch((e: unknown) => void (failure ??= e));
  };
  for (const m of [...st.mounts].reverse()) await step(() => unmount(core.cmd, m));
  for (const s of st.skeletons) rmSync(s, { recursive: true, force: true });
  await step(() => st.clones.destroyAll());
  const last = st.snapshots.at(-1);
  if (last === undefined) {
    await step(() => core.cmd.run('zfs', ['destroy', '-r', st.dataset], st.dataset));
  } else {
    // Keep the snapshots; drop whatever the job left beside its outputs, and the mount.
    await step(() => core.cmd.run('zfs', ['set', 'mountpoint=none', st.dataset], st.dataset));
    // Only drops scratch files of an unmounted dataset; zfs-fuse sometimes answers "I/O error"
    // under load, and the snapshots are whole either way: not a reason to fail the job.
    await core.cmd.run('zfs', ['rollback', last], st.dataset).catch(() => undefined);
  }
  if (failure !== undefined) throw failure;
}

export async function materialize(core: ZfsCore, st: WsState, id: SnapshotId, path: string): Promise<void> {
  const target = st.root + path;
  makeDirs(st.root, dirname(target));
  if (id.startsWith('link:')) {
    // Already there when a directory input of the job holds it (`cat /data/res/lnk; ls /data/res/`); a
    // file or directory covering another is bound over it, which shows the same data.
    if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink() !== true) symlinkSync(placedLinkTarget(id.slice('link:'.length), path), target);
    return;
  }
  if (builtUp(core, id)) {
    // A read-only skeleton of its directories and links, each stored item bound into place.
    const skeleton = makeScratchDir('shark-tree-');
    st.skeletons.push(skeleton);
    chmodSync(skeleton, DIR_MODE); // made 0700, it would hide the input from a job's other users
    const leaves: { id: SnapshotId; at: string }[] = [];
    buildSkeleton(core, id, skeleton, path, leaves);
    placeholder(target, true);
    await bind(core.cmd, { root: skeleton, path: skeleton }, { root: st.root, path: target }, st.dataset);
    st.mounts.push(target);
    for (const leaf of leaves) await bindItem(core, st, leaf.id, st.root + leaf.at);
    return;
  }
  placeholder(target, core.entries(id) !== undefined);
  await bindItem(core, st, id, target);
}

/**
 * Whether a directory is placed as a skeleton rather than bound whole: a
 * composed one (stored nowhere whole), or one holding a link into /data,
 * which the job gets relative to where it is placed (`placedLinkTarget`).
 */
function builtUp(core: ZfsCore, id: SnapshotId): boolean {
  return id.startsWith('tree:') && (core.locate(id) === undefined || core.dataLinks.within(id));
}

/** Fills `dir` with the directories and links of tree `id`, placed at /data path `at`; what is stored whole goes to `leaves`. */
function buildSkeleton(core: ZfsCore, id: SnapshotId, dir: string, at: string, leaves: { id: SnapshotId; at: string }[]): void {
  const entries = core.entries(id);
  if (entries === undefined) throw new ZfsError({ reason: 'unknown-id', id });
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.id.startsWith('link:')) symlinkSync(placedLinkTarget(e.id.slice('link:'.length), `${at}/${e.name}`), path);
    else if (builtUp(core, e.id)) {
      mkdirSync(path, DIR_MODE);
      buildSkeleton(core, e.id, path, `${at}/${e.name}`, leaves);
    } else {
      placeholder(path, core.entries(e.id) !== undefined);
      leaves.push({ id: e.id, at: `${at}/${e.name}` });
    }
  }
}

async function bindItem(core: ZfsCore, st: WsState, id: SnapshotId, target: string): Promise<void> {
  const ref = core.locate(id);
  if (ref === undefined) throw new ZfsError({ reason: 'unknown-id', id });
  const clone = await st.clones.get(ref.guid);
  await bind(core.cmd, { root: clone, path: clone + ref.path }, { root: st.root, path: target }, st.dataset);
  st.mounts.push(target);
}

export async function exportTo(core: ZfsCore, id: SnapshotId, hostPath: string, at?: string): Promise<void> {
  await exportStaged(hostPath, async (staged) => {
    const clones = new Clones(core, `export-${randomBytes(4).toString('hex')}`);
    try {
      await copyOut(core, id, staged, clones, at);
    } finally {
      await clones.destroyAll();
    }
  });
}

async function copyOut(core: ZfsCore, id: SnapshotId, target: string, clones: Clones, at: string | undefined): Promise<void> {
  if (id.startsWith('link:')) {
    const value = id.slice('link:'.length);
    symlinkSync(at === undefined ? value : exportedLinkTarget(value, at), target);
    return;
  }
  const ref = core.locate(id);
  if (ref === undefined && id.startsWith('tree:')) {
    const entries = core.entries(id);
    if (entries === undefined) throw new ZfsError({ reason: 'unknown-id', id });
    mkdirSync(target);
    for (const e of entries) await copyOut(core, e.id, join(target, e.name), clones, at === undefined ? undefined : `${at}/${e.name}`);
    return;
  }
  if (ref === undefined) throw new ZfsError({ reason: 'unknown-id', id });
  const clone = await clones.get(ref.guid);
  assertInside(clone, clone + ref.path);
  copyOutOfSnapshot(clone + ref.path, target, at);
}
