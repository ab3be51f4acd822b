import {
  chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync,
  readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync,
} from 'node:fs';
import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { TreeTable } from './tree-table.js';
import { hashFileSync } from './hash.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, SnapshotStore, TreeEntry, Workspace } from './snapshot-store.js';

/**
 * The embedded default store: files by the SHA-256 of their bytes, directories
 * by a tree hash over their sorted entries, so the same data has the same id
 * wherever it is. Objects are immutable files under `objects/`, trees are rows
 * in the metadata database. Everything is written to `tmp/` first and renamed
 * into place, so a killed process never leaves a partial object.
 */
export class CasStore implements SnapshotStore {
  readonly kind = 'cas';
  private readonly objects: string;
  private readonly tmp: string;
  private readonly trees: TreeTable;
  private trash: string | undefined;
  private readonly pools = new Map<string, Workspace[]>();
  private readonly placed = new Map<Workspace, { pool: string | undefined; files: string[]; reusable: boolean }>();

  constructor(
    readonly dir: string,
    private readonly meta: Metadata,
  ) {
    this.objects = join(dir, 'objects');
    this.tmp = join(dir, 'tmp');
    this.trees = new TreeTable(meta);
    mkdirSync(this.objects, { recursive: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  get location(): string {
    return this.dir;
  }

  get metaDir(): string {
    return this.dir;
  }

  async createWorkspace(label: string, pool?: string): Promise<Workspace> {
    const reused = pool === undefined ? undefined : this.pools.get(pool)?.pop();
    if (reused !== undefined) return reused;
    // The pid in the name tells gc whether the workspace may still be in use.
    const root = mkdtempSync(join(this.tmp, `ws-${process.pid}-${label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-`));
    mkdirSync(join(root, 'data'));
    const ws = { root };
    this.placed.set(ws, { pool, files: [], reusable: pool !== undefined });
    return ws;
  }

  /**
   * A workspace of a pool (the jobs of one map step) is emptied and kept for
   * the next job when all that is left in it are the inputs placed in it and
   * directories: creating directories is what costs most per job. Any other
   * is moved aside with one rename, and the pile is removed in the
   * background when the store closes, off the path of the jobs.
   */
  async disposeWorkspace(ws: Workspace): Promise<void> {
    const placed = this.placed.get(ws);
    if (placed?.reusable === true && placed.pool !== undefined) {
      for (const f of placed.files) rmSync(f, { force: true });
      placed.files = [];
      if (onlyDirectories(join(ws.root, 'data'))) {
        const pool = this.pools.get(placed.pool) ?? [];
        this.pools.set(placed.pool, pool);
        pool.push(ws);
        return;
      }
    }
    this.discard(ws);
  }

  private discard(ws: Workspace): void {
    this.placed.delete(ws);
    if (this.trash === undefined) {
      this.trash = join(this.tmp, `trash-${process.pid}-${Date.now()}`);
      mkdirSync(this.trash, { recursive: true });
    }
    try {
      renameSync(ws.root, join(this.trash, basename(ws.root)));
    } catch {
      rmSync(ws.root, { recursive: true, force: true });
    }
  }

  async commit(ws: Workspace, path: string): Promise<SnapshotId | undefined> {
    const full = ws.root + path;
    if (!existsSync(full) && !isSymlink(full)) return undefined;
    return this.absorb(full);
  }

  /** Moves a file or tree into the store, returning its id. */
  private absorb(full: string): SnapshotId {
    const st = lstatSync(full);
    if (st.isSymbolicLink()) return `link:${readlinkSync(full)}`;
    if (st.isDirectory()) {
      const entries = readdirSync(full).map((name) => ({ name, id: this.absorb(join(full, name)) }));
      return this.composeTree(entries);
    }
    if (!st.isFile()) throw new Error(`${full}: only files, directories and symbolic links can be stored`);
    const exec = (st.mode & 0o111) !== 0;
    const hex = hashFileSync(full);
    const object = this.objectPath(hex, exec);
    if (existsSync(object)) {
      unlinkSync(full);
    } else {
      mkdirSync(dirname(object), { recursive: true });
      chmodSync(full, exec ? 0o555 : 0o444);
      renameSync(full, object);
    }
    return `${exec ? 'sha256x' : 'sha256'}:${hex}`;
  }

  async ingest(hostPath: string): Promise<SnapshotId> {
    // A link stays a link, as `contentId` (what plan predicts) sees it.
    if (isSymlink(hostPath)) return `link:${readlinkSync(hostPath)}`;
    const st = statSync(hostPath);
    if (st.isDirectory()) {
      const entries: TreeEntry[] = [];
      for (const name of readdirSync(hostPath)) entries.push({ name, id: await this.ingest(join(hostPath, name)) });
      return this.composeTree(entries);
    }
    const exec = (st.mode & 0o111) !== 0;
    const hex = this.meta.hashFile(hostPath);
    const object = this.objectPath(hex, exec);
    if (!existsSync(object)) {
      const staged = join(mkdtempSync(join(this.tmp, `in-${process.pid}-`)), 'f');
      copyFileSync(hostPath, staged);
      const id = this.absorb(staged);
      rmSync(dirname(staged), { recursive: true, force: true });
      return id;
    }
    return `${exec ? 'sha256x' : 'sha256'}:${hex}`;
  }

  async materialize(id: SnapshotId, ws: Workspace, path: string): Promise<void> {
    const placed = this.placed.get(ws);
    if (placed !== undefined) {
      // Only single files are taken back out cheaply; a placed directory makes the workspace single-use.
      if (id.startsWith('tree:')) placed.reusable = false;
      else placed.files.push(ws.root + path);
    }
    this.place(id, ws.root + path, 'link');
  }

  async exportTo(id: SnapshotId, hostPath: string): Promise<void> {
    const staged = `${hostPath}.shark-tmp-${process.pid}`;
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(dirname(hostPath), { recursive: true });
    this.place(id, staged, 'copy');
    rmSync(hostPath, { recursive: true, force: true });
    renameSync(staged, hostPath);
  }

  private place(id: SnapshotId, target: string, how: 'link' | 'copy'): void {
    mkdirSync(dirname(target), { recursive: true });
    if (id.startsWith('link:')) {
      symlinkSync(id.slice('link:'.length), target);
      return;
    }
    const children = this.entries(id);
    if (children !== undefined) {
      mkdirSync(target, { recursive: true });
      for (const e of children) this.place(e.id, join(target, e.name), how);
      return;
    }
    const object = this.blobPath(id);
    if (how === 'link') {
      try {
        linkSync(object, target);
        return;
      } catch {
        // Across file systems a hard link is impossible: copy instead.
      }
    }
    copyFileSync(object, target);
    chmodSync(target, how === 'copy' ? (id.startsWith('sha256x:') ? 0o755 : 0o644) : id.startsWith('sha256x:') ? 0o555 : 0o444);
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    return this.trees.entries(id);
  }

  composeTree(entries: readonly TreeEntry[]): SnapshotId {
    return this.trees.compose(entries);
  }

  has(id: SnapshotId): boolean {
    if (id.startsWith('link:')) return true;
    if (id.startsWith('tree:')) return this.entries(id) !== undefined;
    return existsSync(this.blobPath(id));
  }

  describe(): string | undefined {
    return undefined;
  }

  async collect(keep: ReadonlySet<SnapshotId>, dryRun: boolean): Promise<{ count: number; bytes: number }> {
    // Workspaces and staging left by runs that were killed.
    if (!dryRun) {
      for (const name of readdirSync(this.tmp)) {
        const pid = Number(/^(?:ws|in|trash)-(\d+)-/.exec(name)?.[1]);
        if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) rmSync(join(this.tmp, name), { recursive: true, force: true });
      }
    }
    const live = new Set<string>();
    const mark = (id: SnapshotId): void => {
      if (live.has(id)) return;
      live.add(id);
      for (const e of this.entries(id) ?? []) mark(e.id);
    };
    for (const id of keep) mark(id);
    let count = 0;
    let bytes = 0;
    for (const prefix of readdirSync(this.objects)) {
      for (const name of readdirSync(join(this.objects, prefix))) {
        const exec = name.endsWith('.x');
        const id = `${exec ? 'sha256x' : 'sha256'}:${prefix}${exec ? name.slice(0, -2) : name}`;
        if (live.has(id)) continue;
        const path = join(this.objects, prefix, name);
        count++;
        bytes += statSync(path).size;
        if (!dryRun) rmSync(path, { force: true });
      }
    }
    return { count, bytes };
  }

  private objectPath(hex: string, exec: boolean): string {
    return join(this.objects, hex.slice(0, 2), hex.slice(2) + (exec ? '.x' : ''));
  }

  private blobPath(id: SnapshotId): string {
    const exec = id.startsWith('sha256x:');
    return this.objectPath(id.slice(id.indexOf(':') + 1), exec);
  }

  close(): void {
    this.trees.clear();
    for (const pool of this.pools.values()) for (const ws of pool) this.discard(ws);
    this.pools.clear();
    if (this.trash !== undefined) {
      spawn('rm', ['-rf', this.trash], { detached: true, stdio: 'ignore' }).unref();
      this.trash = undefined;
    }
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a directory tree holds nothing but directories. */
function onlyDirectories(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !onlyDirectories(join(dir, entry.name))) return false;
  }
  return true;
}
