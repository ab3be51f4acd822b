import type { LinkFollower } from './content-id.js';
import { misrecordedTree } from './cas-verify.js';
import type { Metadata } from './metadata.js';
import type { Collected, Freed, SnapshotId, SnapshotStore, StoreProblem, TreeEntry, Workspace } from './snapshot-store.js';
import { TreeTable } from './tree-table.js';
import { ZfsCatalog, type ZfsRef } from './zfs/catalog.js';
import { collect, inUse } from './zfs/collect.js';
import { DataLinks } from './zfs/data-links.js';
import type { Commands } from './zfs/commands.js';
import { commit, ingest } from './zfs/commit.js';
import type { ZfsCore } from './zfs/core.js';
import { classify, failureMessage, ZfsError, type ZfsFailure, type ZfsResult } from './zfs/failure.js';
import { layOut, openMeta } from './zfs/layout.js';
import { Snapshots } from './zfs/snapshots.js';
import { quarantine, verify } from './zfs/verify.js';
import { createWorkspace, disposeWorkspace, exportTo, materialize, type WsState } from './zfs/workspaces.js';

export { classify, failureMessage, ZfsError, type ZfsFailure, type ZfsResult };

/**
 * The ZFS snapshot store (`--store zfs:POOL/DATASET`). Under the store's
 * dataset DS:
 *   DS/meta          the metadata database and logs (never inside a result)
 *   DS/job/NAME      one dataset per job: its workspace, then its results as
 *                    snapshots `DS/job/NAME@OUTPUT`; unmounted once disposed
 *   DS/in/NAME       host data copied in by `ingest`, snapshot `@ingest`
 *   DS/mnt/NAME-k    read-only clones through which jobs read their inputs
 *
 * Ids are content ids, as in the content-addressed store; the catalog
 * (zfs/catalog.ts) says in which snapshot the bytes of each are. An input
 * appears in a job's workspace as a read-only bind mount of the path inside a
 * read-only clone of its snapshot: no data is copied, and nothing the job
 * does can change a snapshot. The parts: zfs/commands (the only module that
 * runs zfs and mount), layout (open), workspaces and mounts, commit, collect,
 * verify (fsck).
 */
export function openZfsStore(spec: string): ZfsResult<{ store: ZfsStore; meta: Metadata }> {
  const laid = layOut(spec);
  if (!laid.ok) return laid;
  const { dataset, mountpoint, cmd, live } = laid.value;
  const meta = openMeta(`${mountpoint}/meta`);
  if (!meta.ok) return meta;
  return { ok: true, value: { store: new ZfsStore(dataset, mountpoint, cmd, meta.value, live), meta: meta.value } };
}

export class ZfsStore implements SnapshotStore, ZfsCore {
  readonly kind = 'zfs';
  readonly catalog: ZfsCatalog;
  readonly snapshots: Snapshots;
  readonly dataLinks = new DataLinks((id) => this.entries(id));
  private readonly workspaces = new Map<string, WsState>();
  private readonly trees: TreeTable;
  /** Ids found whole by `has`: asked again and again by the planner. */
  private readonly present = new Set<SnapshotId>();

  /** Use `openZfsStore`. */
  constructor(
    readonly dataset: string,
    readonly mountpoint: string,
    readonly cmd: Commands,
    readonly meta: Metadata,
    /** Snapshots that exist, GUID → name, as found at open. */
    live: Map<string, string>,
  ) {
    this.catalog = new ZfsCatalog(meta);
    this.snapshots = new Snapshots(cmd, this.catalog, live);
    this.trees = new TreeTable(meta);
  }

  get location(): string {
    return `zfs:${this.dataset}`;
  }

  get metaDir(): string {
    return `${this.mountpoint}/meta`;
  }

  async createWorkspace(label: string): Promise<Workspace> {
    const st = await createWorkspace(this, label);
    this.workspaces.set(st.root, st);
    return { root: st.root };
  }

  private state(ws: Workspace): WsState {
    const st = this.workspaces.get(ws.root);
    if (st === undefined) throw new Error(`${ws.root} is not a workspace of ${this.location}`);
    return st;
  }

  async disposeWorkspace(ws: Workspace): Promise<void> {
    const st = this.workspaces.get(ws.root);
    if (st === undefined) return;
    this.workspaces.delete(ws.root);
    await disposeWorkspace(this, st);
  }

  commit(ws: Workspace, path: string, signal?: AbortSignal): Promise<SnapshotId | undefined> {
    return commit(this, this.state(ws), path, signal);
  }

  ingest(hostPath: string, links?: LinkFollower, signal?: AbortSignal): Promise<SnapshotId> {
    return ingest(this, hostPath, links, signal);
  }

  /** Why the data of `id` is gone, when gc freed it (or a dead gc was freeing it): not damage. */
  freed(id: SnapshotId): Freed | undefined {
    if (id.startsWith('link:') || this.has(id)) return undefined;
    return this.meta.freed.why(id);
  }

  locate(id: SnapshotId): ZfsRef | undefined {
    if (id.startsWith('link:')) return undefined;
    return this.catalog.location(id, this.snapshots.isLive);
  }

  materialize(id: SnapshotId, ws: Workspace, path: string): Promise<void> {
    return materialize(this, this.state(ws), id, path);
  }

  exportTo(id: SnapshotId, hostPath: string, at?: string): Promise<void> {
    return exportTo(this, id, hostPath, at);
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    return this.trees.entries(id);
  }

  composeTree(entries: readonly TreeEntry[]): SnapshotId {
    return this.trees.compose(entries);
  }

  /** Every byte present: stored whole somewhere, or a tree whose every entry is. */
  has(id: SnapshotId): boolean {
    if (id.startsWith('link:') || this.present.has(id)) return true;
    const entries = this.locate(id) === undefined && id.startsWith('tree:') ? this.entries(id) : undefined;
    const whole = entries === undefined ? this.locate(id) !== undefined : entries.every((e) => this.has(e.id));
    if (whole) this.present.add(id);
    return whole;
  }

  async verify(progress: (done: number, total: number, bytes: number) => void, signal: AbortSignal): Promise<readonly StoreProblem[]> {
    const problems = await verify(this, progress, signal);
    // A directory's id is the hash of its entries: a record edited or damaged since lists other data (maps, lineage).
    const seen = new Set<SnapshotId>();
    for (const snap of signal.aborted ? [] : this.catalog.snapshots()) {
      for (const { content, path } of this.catalog.contentsOf(snap.guid)) {
        if (seen.has(content) || !content.startsWith('tree:') || problems.some((p) => p.id === content)) continue;
        seen.add(content);
        const recorded = this.trees.misrecorded(content);
        if (recorded !== undefined) problems.push(misrecordedTree(content, path, recorded));
      }
    }
    return problems;
  }

  async quarantine(ids: readonly SnapshotId[]): Promise<void> {
    this.trees.discard(ids.filter((id) => id.startsWith('tree:')));
    for (const guid of await quarantine(this, ids)) this.snapshots.forget(guid);
    this.present.clear();
  }

  describe(id: SnapshotId): string | undefined {
    const ref = this.locate(id);
    if (ref !== undefined) {
      const name = this.snapshots.name(ref.guid);
      return name === undefined ? undefined : `${name}:${ref.path}`;
    }
    if (!id.startsWith('tree:')) return undefined;
    const names = new Set<string>();
    const walk = (t: SnapshotId): void => {
      for (const e of this.entries(t) ?? []) {
        const r = this.locate(e.id);
        if (r !== undefined) names.add(this.snapshots.name(r.guid) ?? `zfs:${r.guid}`);
        else if (e.id.startsWith('tree:')) walk(e.id);
      }
    };
    walk(id);
    const list = [...names];
    if (list.length === 0) return undefined;
    return list.length <= 3 ? list.join(', ') : `${list.slice(0, 2).join(', ')} and ${list.length - 2} more snapshots`;
  }

  async collect(keep: ReadonlySet<SnapshotId>, dryRun: boolean, _spare?: ReadonlySet<string>, signal?: AbortSignal): Promise<Collected> {
    const mine = (name: string): boolean =>
      [...this.workspaces.values()].some((ws) => name === ws.dataset || name.startsWith(`${this.dataset}/mnt/${ws.name}-`));
    const { count, bytes, gone, leftovers, interrupted } = await collect(this, keep, dryRun, (name, props) => inUse(props, () => mine(name)), signal);
    if (!dryRun) {
      for (const g of gone) this.snapshots.forget(g);
      this.catalog.forget([...gone, ...this.catalog.snapshots().filter((s) => !this.snapshots.isLive(s.guid)).map((s) => s.guid)]);
      this.present.clear();
    }
    // Workspaces a killed run left mounted (finished, or destroyed when nothing of theirs is kept): counted apart.
    return { count, bytes, leftovers, ...(interrupted ? { interrupted } : {}) };
  }

  close(): void {
    this.trees.clear();
  }
}
