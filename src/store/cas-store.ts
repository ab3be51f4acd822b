import {
  lstatSync, mkdirSync, readdirSync, readlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { exportStaged } from './export-staging.js';
import { StagedCopies } from './cas-copies.js';
import { CasObjects } from './cas-objects.js';
import { restoreModeAt } from './object-file.js';
import { CasPresence } from './cas-presence.js';
import { TreeChecksAhead } from './tree-check.js';
import { CasWorkspaces } from './cas-workspaces.js';
import { collectCas, removeLeftovers } from './cas-collect.js';
import { ingestHost, type IngestTarget } from './cas-ingest.js';
import { storedTreeMemo } from './dir-fingerprint.js';
import type { LinkFollower } from './content-id.js';
import { restoreModes, verifyObjects } from './cas-verify.js';
import { giveFoldersToOwner } from './store-folders-owner.js';
import type { Metadata } from './metadata.js';
import { inTheWay, safeDirs, storedLinkTarget } from './safe-path.js';
import { place, placeCopy, type Placing } from './cas-place.js';
import { linkWritten } from './cas-modified.js';
import type { Collected, Freed, ModifiedInput, SnapshotId, SnapshotStore, StoreProblem, TreeEntry, Workspace } from './snapshot-store.js';
import { TreeTable } from './tree-table.js';
import { refuseSpecial } from './special-file.js';
import { quarantineFolder } from './quarantine-folder.js';


/** How many files `absorb` takes in between two turns of the event loop (signals, timers, the status line). */
const YIELD_EVERY = 64;
/** Files of one output stored at once: their syncs wait on the disk together (a 1,500-file import: 5.0 s one at a time). */
const SYNCS_AT_ONCE = 8;

/**
 * The embedded default store: files by the SHA-256 of their bytes, directories
 * by a tree hash over their sorted entries, so the same data has the same id
 * wherever it is. Objects are immutable files under `objects/` (cas-objects.ts),
 * trees are rows in the metadata database. Everything is written to `tmp/`
 * first, synced and renamed into place, so a killed process never leaves a
 * partial object.
 */
export class CasStore implements SnapshotStore {
  readonly kind = 'cas';
  private readonly objects: CasObjects;
  private readonly tmp: string;
  private readonly trees: TreeTable;
  private readonly workspaces: CasWorkspaces;
  private readonly placing: Placing;
  /** What the store holds, checked by `stat`. */
  private readonly presence: CasPresence;
  /** Objects this process discarded after a job changed them in place, and that job. */
  private readonly discarded = new Map<SnapshotId, string>();
  /** Files copied into the store through its staging area. */
  private readonly copies: StagedCopies;

  constructor(
    readonly dir: string,
    private readonly meta: Metadata,
  ) {
    this.objects = new CasObjects(dir, meta);
    this.tmp = join(dir, 'tmp');
    this.trees = new TreeTable(meta);
    this.presence = new CasPresence(this.objects, (id) => this.trees.entries(id), new TreeChecksAhead(meta.db.name, this.objects.dir, (id) => meta.trees.get(id)));
    this.workspaces = new CasWorkspaces(this.tmp);
    this.copies = new StagedCopies(this.tmp, this.objects);
    this.placing = { objects: this.objects, entries: (id) => this.entries(id), discardedBy: (id) => this.discardedBy(id) };
    mkdirSync(this.tmp, { recursive: true });
  }

  get location(): string {
    return this.dir;
  }

  get metaDir(): string {
    return this.dir;
  }

  get writtenDirs(): readonly string[] {
    return [this.objects.dir, this.tmp];
  }

  async createWorkspace(label: string, pool?: string): Promise<Workspace> {
    return this.workspaces.create(label, pool);
  }

  async disposeWorkspace(ws: Workspace, failed = false): Promise<void> {
    this.workspaces.dispose(ws, failed);
  }

  async commit(ws: Workspace, path: string, signal?: AbortSignal): Promise<SnapshotId | undefined> {
    // A link the job put in place of a directory above its output (`/data/out -> /home/me`) leads to host files: nothing is taken through it.
    if (inTheWay(ws.root, dirname(path)) !== undefined) return undefined;
    const full = ws.root + path;
    if (lstatSync(full, { throwIfNoEntry: false }) === undefined) return undefined;
    return this.absorb(full, join(ws.root, 'data'), signal, pLimit(SYNCS_AT_ONCE));
  }

  /**
   * Moves a file or tree into the store, returning its id. A file with other
   * hard links (to an input, or to a file outside the workspace) is copied:
   * the store never adopts, or changes the mode of, an inode it does not own.
   * Each file is synced on its own, a few at once (`files`): one after the
   * other, a 1,500-file import spent a third of its time waiting for the disk.
   * A `signal` aborted meanwhile is heard before the next file starts; a
   * directory's id is made once every file under it is settled, and the first
   * failure among them is thrown then, none left storing behind it.
   */
  /** Files taken in by `absorb`, for its turns of the event loop. */
  private absorbed = 0;

  private async absorb(full: string, workspaceData: string, signal: AbortSignal | undefined, files: LimitFunction): Promise<SnapshotId> {
    // Each level starts on a fresh stack: run synchronously, 1,700 nested directories overflowed it.
    await null;
    signal?.throwIfAborted();
    const st = lstatSync(full);
    if (st.isSymbolicLink()) return `link:${storedLinkTarget(readlinkSync(full), workspaceData)}`;
    if (st.isDirectory()) {
      const names = readdirSync(full);
      const ids = await Promise.allSettled(names.map((name) => this.absorb(join(full, name), workspaceData, signal, files)));
      const failed = ids.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return this.composeTree(names.map((name, i) => ({ name, id: (ids[i] as PromiseFulfilledResult<SnapshotId>).value })));
    }
    refuseSpecial(full, st);
    return files(async () => {
      // A file whose object the store holds is settled without waiting on the disk: 30,000 of them ran as one
      // chain of microtasks, the status line frozen and Ctrl-C unheard for 15 s. The event loop gets a turn.
      if (++this.absorbed % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      signal?.throwIfAborted();
      return st.nlink === 1 ? this.objects.absorbFile(full, st) : this.copies.copy(full, st.mode & 0o777);
    });
  }

  async ingest(hostPath: string, links?: LinkFollower, signal?: AbortSignal): Promise<SnapshotId> {
    const { copies } = this;
    const target: IngestTarget = {
      meta: this.meta, objects: this.objects,
      copy: (p, st) => copies.copyNow(p, st), stageMany: (paths) => copies.stageMany(paths), adopt: (s) => copies.adopt(s), unstage: (s) => copies.unstage(s),
      composeTree: (e) => this.composeTree(e),
    };
    // A directory as the last plan or run found it is known by its fingerprint: its files' hashes are not read again.
    const id = await ingestHost(target, hostPath, { links, memo: storedTreeMemo(this.meta.stats, (i) => this.trees.entries(i)), signal });
    // Every object under it was just found sound or stored.
    this.presence.vouch(id);
    return id;
  }

  preload(ids: readonly SnapshotId[]): Promise<void> {
    return this.presence.preload(ids);
  }

  holdsTrees(trees: ReadonlyMap<SnapshotId, number>): Promise<boolean> {
    return this.presence.holdsTrees(trees);
  }

  checkTreesAhead(checks: readonly ReadonlyMap<SnapshotId, number>[]): void {
    this.presence.checkAhead(checks);
  }

  forgoTreeCheck(trees: ReadonlyMap<SnapshotId, number>): void {
    this.presence.forgoCheck(trees);
  }

  async materialize(id: SnapshotId, ws: Workspace, path: string): Promise<void> {
    const placed = this.workspaces.placedIn(ws);
    if (placed !== undefined) {
      // Only single files are taken back out cheaply; a placed directory makes the workspace single-use.
      if (id.startsWith('tree:')) placed.reusable = false;
      else placed.files.push(ws.root + path);
    }
    safeDirs(ws.root, dirname(path), undefined, placed?.dirs);
    place(this.placing, id, ws.root + path, path, 'link', placed?.links);
  }

  /**
   * Inputs changed in place while the job ran: a host job can write through
   * the hard link to a stored object, or change its mode (cas-modified.ts).
   * An object given another mode only is given its stored mode back; a
   * written one is quarantined at once, so the results made of them are recomputed instead
   * of trusted, and noted as discarded on purpose: the results stay, for
   * their runs' lineage.
   */
  async modifiedInputs(ws: Workspace, job?: string): Promise<readonly ModifiedInput[]> {
    const changed: ModifiedInput[] = [];
    for (const l of this.workspaces.placedIn(ws)?.links ?? []) {
      const { change, damaged } = linkWritten(this.objects, l);
      if (change === 'none') continue;
      changed.push({ path: l.path, change });
      // Not when another job's check already took it away, nor when the object was stored again since (nor when replaced).
      if (!damaged || change === 'replaced') continue;
      // Its bytes are the stored ones: only the mode is put back.
      if (change === 'mode') {
        restoreModeAt(this.objects.pathOf(l.id), l.id);
        continue;
      }
      this.meta.freed.mark([l.id], 'modified-input');
      this.discarded.set(l.id, job ?? '');
      this.objects.quarantine(l.id);
      this.presence.forget();
    }
    return changed;
  }

  /** The job (`''`: unknown, another process) whose change in place discarded object `id`; undefined when it was not. */
  private discardedBy(id: SnapshotId): string | undefined {
    return this.discarded.get(id) ?? (this.meta.freed.why(id) === 'modified-input' ? '' : undefined);
  }

  async exportTo(id: SnapshotId, hostPath: string, at?: string, signal?: AbortSignal): Promise<void> {
    await exportStaged(hostPath, (staged) => placeCopy(this.placing, id, staged, at, signal));
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    return this.trees.entries(id);
  }

  composeTree(entries: readonly TreeEntry[]): SnapshotId {
    return this.trees.compose(entries);
  }

  has(id: SnapshotId): boolean {
    return this.presence.has(id);
  }

  damaged(id: SnapshotId): boolean {
    if (!id.startsWith('tree:')) return id.startsWith('sha256') && this.objects.check(id) === 'changed';
    return (this.entries(id) ?? []).some((e) => !this.has(e.id) && this.damaged(e.id));
  }

  objectPath(id: SnapshotId): string | undefined {
    // Looked at again (one lstat): a long-lived page must not hand out bytes damaged since it first checked them.
    return id.startsWith('sha256') && this.objects.check(id, true) === 'ok' ? this.objects.pathOf(id) : undefined;
  }

  describe(): string | undefined {
    return undefined;
  }

  freed(id: SnapshotId): Freed | undefined {
    const gone = id.startsWith('tree:') ? this.entries(id) === undefined : id.startsWith('sha256') && !this.objects.recorded(id);
    return gone ? this.meta.freed.why(id) : undefined;
  }

  async verify(progress: (done: number, total: number, bytes: number) => void, signal: AbortSignal, refreshed?: (id: SnapshotId) => void): Promise<readonly StoreProblem[]> {
    return verifyObjects(this.objects, this.meta, this.verifyParts(), { progress, signal, ...(refreshed !== undefined ? { refreshed } : {}) });
  }

  private verifyParts(): Parameters<typeof verifyObjects>[2] {
    return { entries: (id) => this.entries(id), freed: (id) => this.freed(id) };
  }

  async quarantine(ids: readonly SnapshotId[]): Promise<void> {
    // Said before any is moved: none is moved aside, or all are.
    if (ids.some((id) => id.startsWith('sha256'))) quarantineFolder(this.objects.quarantineDir);
    for (const id of ids) if (id.startsWith('sha256')) this.objects.quarantine(id);
    this.trees.discard(ids.filter((id) => id.startsWith('tree:')));
    this.presence.forget();
  }

  async restoreModes(problems: readonly StoreProblem[], signal: AbortSignal): Promise<readonly StoreProblem[]> {
    return restoreModes(this.objects, this.meta, this.verifyParts(), problems, signal);
  }

  async collect(keep: ReadonlySet<SnapshotId>, dryRun: boolean, spare?: ReadonlySet<string>, signal?: AbortSignal): Promise<Collected> {
    const parts = { objects: this.objects, trees: this.trees, tmp: this.tmp, freed: this.meta.freed, entries: (id: SnapshotId) => this.entries(id) };
    const freed = await collectCas(parts, keep, dryRun, spare, signal);
    this.presence.forget();
    return freed;
  }

  removeLeftovers(spare?: ReadonlySet<string>): void {
    removeLeftovers(this.tmp, spare);
  }

  close(): void {
    this.trees.clear();
    this.workspaces.close();
    giveFoldersToOwner(this.metaDir, this.objects.owner);
  }
}
