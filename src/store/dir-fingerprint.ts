import { createHash } from 'node:crypto';
import type { FileBatch } from './dir-walk.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { settled, type StatCache } from './stat-cache.js';

/**
 * A host directory's tree id, remembered by the fingerprint of what a walk
 * saw of it (`DirFingerprint`): a plan over an unchanged directory of
 * 10,000 files reads one row, not one stat-cache row a file, and hashes no
 * tree. Both sides come from the store: the rows in the stat cache's
 * table, the entries from the tree the id names (none, and the directory
 * is worked out file by file as before).
 */
export interface TreeMemo {
  recall(path: string, fingerprint: string): { readonly id: SnapshotId; readonly entries: readonly TreeEntry[] } | undefined;
  record(path: string, fingerprint: string, id: SnapshotId): void;
  /** Whether a fingerprint is kept for the path, whatever it is. */
  knows(path: string): boolean;
}

/**
 * The memo kept in the stat cache's table (`StatCache.treeOf`), the
 * entries from the store's trees: what a plan hashing its inputs and a run
 * storing them both use.
 */
export function storedTreeMemo(
  stats: Pick<StatCache, 'treeOf' | 'putTree' | 'hasTree'>,
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
): TreeMemo {
  return {
    recall: (path, fingerprint) => {
      const id = stats.treeOf(path, fingerprint);
      const entries = id === undefined ? undefined : entriesOf(id);
      return entries === undefined ? undefined : { id: id!, entries };
    },
    record: (path, fingerprint, id) => stats.putTree(path, fingerprint, id),
    knows: (path) => stats.hasTree(path),
  };
}

/**
 * A batch of files as the walk leaves it to be hashed once the fingerprint
 * is known to be new: the names, and the fields of their stats (size,
 * modification and change times, inode, mode: five a file) in one array,
 * not an object a file (those outlived the young generation's collections
 * while a walk of 10,000 files went on).
 */
export interface HeldFiles {
  readonly names: readonly string[];
  readonly stats: BigInt64Array;
}

/**
 * A hash of a directory's entries as one walk saw them: each file's name
 * and the fields of its `lstat` the stat cache trusts (size, modification
 * and change times to the nanosecond, inode) and its mode; each other
 * entry's name and id (a subdirectory's tree, a link's target). When two
 * walks agree, every file would pass the stat cache as it did the first
 * time, so the directory's tree id is the one worked out then; a file
 * rewritten, added, removed, renamed or made executable changes it.
 */
export class DirFingerprint {
  private readonly hash = createHash('sha256').update('shark-dir-fingerprint-1\n');
  /** The latest change time of its files: one too recent (`settled`) and the directory is not remembered. */
  private newest = 0n;

  /** Files in the order walked (one batch: their names, then their stats as 64-bit integers), as held until hashed. */
  files(batch: FileBatch): HeldFiles {
    const stats = new BigInt64Array(batch.length * 5);
    const held = new Array<string>(batch.length);
    let names = '';
    for (let i = 0, k = 0; i < batch.length; i++) {
      const { name, file: { st } } = batch[i]!;
      held[i] = name;
      // A name never holds a NUL: it ends each one.
      names += name + '\0';
      stats[k++] = st.size;
      stats[k++] = st.mtimeNs;
      stats[k++] = st.ctimeNs;
      if (st.ctimeNs > this.newest) this.newest = st.ctimeNs;
      stats[k++] = st.ino;
      stats[k++] = st.mode;
    }
    this.hash.update(`files ${batch.length}\n${names}`).update(new Uint8Array(stats.buffer));
    return { names: held, stats };
  }

  other(name: string, id: SnapshotId): void {
    this.hash.update(`other ${name}\0${id}\n`);
  }

  /** Undefined when a file changed too recently for its stat to vouch for it (the stat cache keeps none such either). */
  digest(): string | undefined {
    const digest = this.hash.digest('hex');
    return settled(this.newest) ? digest : undefined;
  }
}

/** The batch `held` keeps, as walked: `prefix` is the directory's path and a slash. */
export function heldBatch(prefix: string, { names, stats }: HeldFiles): FileBatch {
  return names.map((name, i) => {
    const k = i * 5;
    // Stored as signed 64-bit integers: a size or an inode of 2^63 or more comes back negative.
    const st = { size: BigInt.asUintN(64, stats[k]!), mtimeNs: stats[k + 1]!, ctimeNs: stats[k + 2]!, ino: BigInt.asUintN(64, stats[k + 3]!), mode: stats[k + 4]! };
    return { name, file: { path: prefix + name, st } };
  });
}
