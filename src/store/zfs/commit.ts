import { randomBytes } from 'node:crypto';
import { lstatSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { LinkFollower } from '../content-id.js';
import type { SnapshotId } from '../snapshot-store.js';
import type { ZfsCore } from './core.js';
import { ZfsError } from './failure.js';
import { assertInside, createMounted, firstWrite } from './mounts.js';
import { copyIn, type Node, paced, relinkIntoData, scanHost, scanOutput } from './scan.js';
import { slug, type WsState } from './workspaces.js';

/**
 * Data into the store: a job's output becomes a snapshot of its dataset, host
 * data is copied into a dataset of its own. Either way the id is the content
 * id, and content stored already is not kept twice.
 */

/** Whether the job wrote something at `path`, reached without going through a link. */
function written(root: string, path: string): boolean {
  try {
    assertInside(root, dirname(root + path));
    lstatSync(root + path);
    return true;
  } catch {
    return false;
  }
}

export async function commit(core: ZfsCore, st: WsState, path: string, signal?: AbortSignal): Promise<SnapshotId | undefined> {
  const full = st.root + path;
  if (!written(st.root, path)) return undefined;
  relinkIntoData(full, [...new Set([st.root, realpathSync(st.root)])]);
  // Stopped between entries (heard every few hundred), nothing of it is taken.
  const node = await scanOutput(full, signal);
  signal?.throwIfAborted();
  if (node.kind === 'link') return node.content;
  if (core.locate(node.content) !== undefined) {
    // Stored already: keep it out of later snapshots of this dataset.
    core.catalog.putTrees(node);
    rmSync(full, { recursive: true, force: true });
    return node.content;
  }
  let tag = slug(path, 60);
  for (let n = 2; st.snapshots.includes(`${st.dataset}@${tag}`); n++) tag = `${slug(path, 60)}-${n}`;
  const snap = await core.snapshots.take(st.dataset, tag);
  st.snapshots.push(snap.name);
  core.catalog.record(snap, path, node, core.snapshots.isLive);
  return node.content;
}

/**
 * Returns the content id of the host data (what the planner predicts for
 * it), copying it into a dataset of its own unless that content is stored.
 */
export async function ingest(core: ZfsCore, hostPath: string, links?: LinkFollower, signal?: AbortSignal): Promise<SnapshotId> {
  signal?.throwIfAborted();
  const seen = await scanHost(hostPath, core.meta, links, signal);
  if (seen.kind === 'link') return seen.content;
  if (core.locate(seen.content) !== undefined) {
    core.catalog.putTrees(seen);
    return seen.content;
  }
  const name = `${slug(basename(hostPath), 40)}-${randomBytes(4).toString('hex')}`;
  const dataset = `${core.dataset}/in/${name}`;
  const root = `${core.mountpoint}/in/${name}`;
  try {
    // Its first write with its create: copyIn's own may come after other commands.
    await createMounted(core.cmd, dataset, () => firstWrite(root));
    let node: Node;
    try {
      node = await copyIn(hostPath, `${root}/data`, links, paced(signal));
    } catch (e) {
      if (await core.snapshots.full(dataset)) throw new ZfsError({ reason: 'pool-full', dataset });
      throw e;
    }
    // Stopped while it copied (heard between two awaits): the dataset goes, as on any failure.
    signal?.throwIfAborted();
    const snap = await core.snapshots.take(dataset, 'ingest');
    core.catalog.record(snap, '/data', node, core.snapshots.isLive);
    await core.cmd.run('zfs', ['set', 'mountpoint=none', dataset], dataset);
    // The bytes copied are what is stored: if the file changed since it was scanned, this is its id.
    return node.content;
  } catch (e) {
    await core.cmd.run('zfs', ['destroy', '-r', dataset], dataset).catch(() => undefined);
    throw e;
  }
}
