import { mkdirSync, mkdtempSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { removeTree } from './owner-access.js';
import type { SnapshotId, Workspace } from './snapshot-store.js';
import { deniedPath } from './unreadable.js';

/** What was placed in a workspace, to take it back out when the workspace is reused. */
export interface Placed {
  readonly pool: string | undefined;
  /** Single-file inputs, taken out again when the workspace is reused. */
  files: string[];
  /** Hard links to stored objects: checked after the job for changes made through them. */
  links: PlacedLink[];
  reusable: boolean;
  /** Real directories of the workspace seen since no job ran in it (safe-path.ts `safeDirs`). */
  dirs: Set<string>;
}

/**
 * A hard link given to a job: its /data path, its host path, the object's
 * id, and what its inode showed once placed. Size and modification time
 * change only when the bytes or the times are written, whoever links or
 * unlinks the object meanwhile (other jobs do: that moves the change time,
 * which is why it is not kept); the mode only by a `chmod`, which the
 * object shares with every link.
 */
export interface PlacedLink {
  readonly path: string;
  readonly host: string;
  readonly id: SnapshotId;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
}

/** A kept workspace with up to this many directories is removed as the store closes, not moved to the pile. */
const FEW_DIRS = 64;

/**
 * The content-addressed store's job workspaces, under its `tmp/`: made,
 * kept for the next job of the same map step when that is cheaper, and
 * thrown away with one rename each, the pile removed in the background
 * when the store closes.
 */
export class CasWorkspaces {
  private readonly pools = new Map<string, Workspace[]>();
  private readonly placed = new Map<Workspace, Placed>();
  private trash: string | undefined;

  constructor(private readonly tmp: string) {}

  create(label: string, pool?: string): Workspace {
    const reused = pool === undefined ? undefined : this.pools.get(pool)?.pop();
    if (reused !== undefined) return reused;
    // The pid in the name tells gc whether the workspace may still be in use.
    const root = mkdtempSync(join(this.tmp, `ws-${process.pid}-${label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-`));
    mkdirSync(join(root, 'data'));
    const ws = { root };
    this.placed.set(ws, { pool, files: [], links: [], reusable: pool !== undefined, dirs: new Set([join(root, 'data')]) });
    return ws;
  }

  /** What was placed in `ws` since it was made or reused. */
  placedIn(ws: Workspace): Placed | undefined {
    return this.placed.get(ws);
  }

  /**
   * A workspace of a pool (the jobs of one map step) is emptied and kept for
   * the next job when all that is left in it are the inputs placed in it and
   * directories: creating directories is what costs most per job. Any other
   * is moved aside with one rename, and the pile is removed in the
   * background when the store closes, off the path of the jobs. A failed
   * job's is removed at once: it may hold what filled the disk.
   */
  dispose(ws: Workspace, failed = false): void {
    const placed = this.placed.get(ws);
    if (failed) {
      this.placed.delete(ws);
      removeTree(ws.root);
      return;
    }
    if (placed?.reusable === true && placed.pool !== undefined) {
      const files = new Set(placed.files);
      placed.files = [];
      placed.links = [];
      placed.dirs = new Set([join(ws.root, 'data')]);
      if (emptiedIn(join(ws.root, 'data'), files, placed.dirs)) {
        const pool = this.pools.get(placed.pool) ?? [];
        this.pools.set(placed.pool, pool);
        pool.push(ws);
        return;
      }
    }
    this.discard(ws);
  }

  /**
   * Throws every kept workspace away, and starts removing the pile. A kept
   * one holds only the directories `dispose` saw: a few are removed here,
   * cheaper than starting a process (forking Node) to remove them.
   */
  close(): void {
    for (const pool of this.pools.values()) {
      for (const ws of pool) {
        if ((this.placed.get(ws)?.dirs.size ?? Infinity) > FEW_DIRS) this.discard(ws);
        else (this.placed.delete(ws), removeTree(ws.root));
      }
    }
    this.pools.clear();
    if (this.trash !== undefined) {
      // A directory a job left at mode 000 or 500 stops `rm` (not as root): opened to its owner, it is removed too.
      // Directories only, each before find reads it: a file there may be a hard link to a stored object (`chmod -R` made it 0744).
      const open = 'find "$1" -type d ! -perm -u=rwx -exec chmod u+rwx {} \\;';
      spawn('sh', ['-c', `rm -rf "$1" 2>/dev/null || { ${open} 2>/dev/null; rm -rf "$1"; }`, 'sh', this.trash], { detached: true, stdio: 'ignore' }).unref();
      this.trash = undefined;
    }
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
      removeTree(ws.root);
    }
  }
}

/**
 * `emptied`, false where a directory cannot be read or written (a job left
 * it at mode 000 or 500): such a workspace is not reused.
 */
function emptiedIn(dir: string, placed: ReadonlySet<string>, seen: Set<string>): boolean {
  try {
    return emptied(dir, placed, seen);
  } catch (e) {
    if (deniedPath(e) === undefined) throw e;
    return false;
  }
}

/**
 * Takes the placed inputs back out of a directory tree and says whether
 * nothing but directories is left; each directory seen is added to `seen`.
 * A placed input is unlinked, or removed whole when the job put a directory
 * in its place, only inside a directory this walk read as a real one: never
 * through a link the job put in place of a directory above it (that would
 * remove the host file of that name), which itself keeps the workspace
 * from being reused. One walk, with the types the directory listing gives:
 * no look at each directory on an input's way before it is unlinked.
 */
function emptied(dir: string, placed: ReadonlySet<string>, seen: Set<string>): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (placed.has(path)) unlinkAny(path);
    else if (!entry.isDirectory() || !emptied(path, placed, seen)) return false;
    else seen.add(path);
  }
  return true;
}

function unlinkAny(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    // The job put something else there (a directory), or removed it.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') removeTree(path);
  }
}
