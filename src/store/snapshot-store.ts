import type { LinkFollower } from './content-id.js';

/**
 * The identity of a piece of data. The content-addressed store uses
 * `sha256:HEX` for files (`sha256x:HEX` when executable), `link:TARGET` for
 * symbolic links and `tree:HEX` for directories; the ZFS store adds ids of
 * its own. A tree's children may be any ids, which is how a directory made by
 * many map jobs is one snapshot without copying anything.
 */
export type SnapshotId = string;

export interface TreeEntry {
  readonly name: string;
  readonly id: SnapshotId;
}

/**
 * What `shark fsck` found wrong with one piece of stored data: gone, bad
 * bytes (or not a plain file), or sound bytes with another mode than the
 * stored one (`mode`: mended without dropping what depends on it).
 */
export interface StoreProblem {
  /** The data's id; for a folder of the store its user cannot read (a `mode` problem), the folder's path. */
  readonly id: SnapshotId;
  readonly problem: 'missing' | 'corrupt' | 'mode';
  readonly detail: string;
}

/**
 * An input a job changed: written to, only given another mode (`chmod`), or
 * replaced by a file of its own (`sed -i` renames one over it: the store is
 * sound, but the job's change would be lost).
 */
export interface ModifiedInput {
  readonly path: string;
  readonly change: 'bytes' | 'mode' | 'replaced';
}

/** Why stored data was removed on purpose: freed by `shark gc`, or discarded after a job modified it in place. */
export type Freed = 'gc' | 'modified-input';

/** A fresh place where one job reads its inputs and writes its outputs: `root + '/data/...'`. */
export interface Workspace {
  readonly root: string;
}

/**
 * Where results live. Implementations: the content-addressed directory store
 * (default) and ZFS datasets. One contract suite runs against both.
 */
export interface SnapshotStore {
  readonly kind: string;
  /** Human description of where the store is (shown in messages). */
  readonly location: string;
  /** Directory for the metadata database and logs. */
  readonly metaDir: string;
  /** The directories, beside `metaDir`, that a run writes in: checked before it starts, as found only by a job they failed it late. */
  readonly writtenDirs?: readonly string[];
  /**
   * `pool` names jobs of the same shape (the jobs of one map step): a store may
   * hand one of them a workspace another has finished with, emptied.
   */
  createWorkspace(label: string, pool?: string): Promise<Workspace>;
  /**
   * Removes a workspace and everything left in it; a failed job's
   * (`failed`) before it returns, where a store may otherwise take its time:
   * what it holds may be what filled the disk the failure is recorded on.
   */
  disposeWorkspace(ws: Workspace, failed?: boolean): Promise<void>;
  /**
   * Snapshots what the job wrote at `ws.root + path` and returns its id, or
   * undefined when nothing is there. After this, the data belongs to the
   * store: committing is atomic, and a crash leaves no partial snapshot.
   * Once `signal` is aborted it stops between files, throwing its reason:
   * storing thousands of files can take minutes, and Ctrl-C must not wait
   * for them. What it took by then is stored data no result names (gc's).
   */
  commit(ws: Workspace, path: string, signal?: AbortSignal): Promise<SnapshotId | undefined>;
  /**
   * Ingests a file or directory from the host (copying it): frontmatter
   * inputs. Must return the content id (`contentId` in content-id.ts: the same
   * `sha256:`/`tree:` ids the CAS store uses), because `plan` computes host
   * inputs' ids without ingesting them and the two must agree. `links`
   * says which links below it are taken as the data they lead to (a bound
   * input's links that lead out of it: `imports/local-links.ts`).
   * Once `signal` is aborted it stops, throwing its reason, with no id
   * stored for the input: taking in a million files takes minutes.
   */
  ingest(hostPath: string, links?: LinkFollower, signal?: AbortSignal): Promise<SnapshotId>;
  /**
   * After a job: the /data paths of inputs it changed in place (possible
   * only where inputs are hard links a host job can write through): their
   * bytes (`bytes`: the stored data has been quarantined) or only their
   * mode (`mode`: given back). Stores whose inputs are read-only mounts
   * leave this out. `job` is named to later jobs given the discarded data.
   */
  modifiedInputs?(ws: Workspace, job?: string): Promise<readonly ModifiedInput[]>;
  /** Makes a snapshot appear read-only at `ws.root + path` without copying data where possible. */
  materialize(id: SnapshotId, ws: Workspace, path: string): Promise<void>;
  /**
   * Writes a plain, writable copy of a snapshot at a host path (for
   * publishing). With `at`, the /data path it had, a link into /data is
   * written relative to it, as a job gets it (`exportedLinkTarget`); without,
   * every link as stored.
   */
  /** `signal`: stops a large copy between slices of files (the copy made so far is removed). */
  exportTo(id: SnapshotId, hostPath: string, at?: string, signal?: AbortSignal): Promise<void>;
  /** The entries of a directory snapshot, sorted by name; undefined when `id` is not a directory. */
  entries(id: SnapshotId): readonly TreeEntry[] | undefined;
  /** A directory snapshot made of existing snapshots. */
  composeTree(entries: readonly TreeEntry[]): SnapshotId;
  /**
   * Whether every byte a snapshot refers to is present and unchanged as far
   * as cheap checks tell (size and recorded stat; for a tree, every leaf):
   * a result is trusted as cached only when this holds for all its outputs.
   */
  has(id: SnapshotId): boolean;
  /** Optional: whether a snapshot `has` refuses is there but changed since it was stored (a file rewritten in place, a flipped byte), not gone. */
  damaged?(id: SnapshotId): boolean;
  /** Optional: `has` of many ids checked at once (records read in batches), so the calls that follow answer from memory. */
  preload?(ids: readonly SnapshotId[]): Promise<void>;
  /**
   * Optional: `has` of every one of these trees, each of as many entries
   * as given, their leaves checked in bulk without remembering each (a step
   * memo's million outputs).
   */
  holdsTrees?(trees: ReadonlyMap<SnapshotId, number>): Promise<boolean>;
  /**
   * Optional: starts, in the background, the checks a `holdsTrees` of the
   * same trees will take (a plan's, before it walks its inputs). Checks
   * started before and not taken are dropped: none is answered stale.
   */
  checkTreesAhead?(checks: readonly ReadonlyMap<SnapshotId, number>[]): void;
  /** Optional: stops a check `checkTreesAhead` started of exactly these trees, not yet taken (the plan no longer needs it). */
  forgoTreeCheck?(trees: ReadonlyMap<SnapshotId, number>): void;
  /**
   * Re-hashes stored data against its recorded content ids; reports what is
   * missing or corrupt. `refreshed` hears of sound data whose recorded stat was
   * brought up to date (touched or copied since stored), so reads trust it again.
   */
  verify(progress: (done: number, total: number, bytes: number) => void, signal: AbortSignal, refreshed?: (id: SnapshotId) => void): Promise<readonly StoreProblem[]>;
  /**
   * Optional: why the data of `id`, gone from the store, was removed on
   * purpose; undefined when it is there, or went missing for another reason
   * (damage). A result may still name it: results are never dropped for it.
   */
  freed?(id: SnapshotId): Freed | undefined;
  /** Moves the data of corrupt ids aside (or forgets missing ones) so nothing reads it again. */
  quarantine(ids: readonly SnapshotId[]): Promise<void>;
  /**
   * Gives what `fsck` found with another mode (`mode` problems) its stored
   * mode back, then judges the bytes that mode may have hidden from the
   * re-hash (mode 000): what is wrong with them. Stores without modes leave this out.
   */
  restoreModes?(problems: readonly StoreProblem[], signal: AbortSignal): Promise<readonly StoreProblem[]>;
  /**
   * The host path holding a file snapshot's bytes, to be read and never
   * written, when the store keeps each file as one (the page of `shark serve`
   * previews them); undefined for other ids or when the bytes are not sound.
   */
  objectPath?(id: SnapshotId): string | undefined;
  /** What a person can look for (`zfs list -t snapshot`), when the store has such names. */
  describe(id: SnapshotId): string | undefined;
  /**
   * Removes data not reachable from `keep`, and what killed runs left, but
   * for the workspaces in `spare` (host paths: those Slurm jobs of a killed
   * run still use; Slurm runs on the directory store only); dry-run returns
   * what would be freed. `signal` stops it between two removals (`interrupted`).
   */
  collect(keep: ReadonlySet<SnapshotId>, dryRun: boolean, spare?: ReadonlySet<string>, signal?: AbortSignal): Promise<Collected>;
  /**
   * Removes what killed runs left (workspaces, staging) but `spare`, as
   * `collect` does, without a write to the database: what `gc --delete`
   * frees first on a disk too full for its lease. Only where such leftovers
   * share the database's disk.
   */
  removeLeftovers?(spare?: ReadonlySet<string>): void;
  close(): void;
}

/** What gc freed (or, in a dry run, would free). */
export interface Collected {
  readonly count: number;
  readonly bytes: number;
  /**
   * The working folders killed runs left, where the store counts them apart from its data (on ZFS, the
   * workspaces a killed run left mounted: unmounted and rolled back when a snapshot of theirs is kept,
   * destroyed otherwise, their unwanted snapshots counted in `count`).
   */
  readonly leftovers?: { readonly count: number; readonly bytes: number; readonly stuck?: readonly Stuck[] };
  /** Folders of the store its user cannot list or enter (a `chmod 000`): what they hold is neither counted nor freed. */
  readonly unreadable?: readonly Unreadable[];
  /**
   * Stopped by its signal part way: `count` and `bytes` are what it freed by
   * then. The rest is recorded as freed and unreachable, as a gc killed there
   * leaves it: the next gc frees it.
   */
  readonly interrupted?: boolean;
}

/** A folder that could not be read, and why (`permission denied`). */
export interface Unreadable {
  readonly path: string;
  readonly why: string;
}

/** A leftover gc could not remove (files of another user's, in a folder not theirs), and why: counted in no `count`. */
export interface Stuck {
  readonly path: string;
  /** The file or folder the removal was refused at, and why (`permission denied`). */
  readonly at: string;
  readonly why: string;
}
