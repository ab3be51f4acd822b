import { createHash } from 'node:crypto';
import type { FileBatch } from './content-id.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

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

  /** Files in the order walked (one batch: their names, then their stats as 64-bit integers). */
  files(batch: FileBatch): void {
    const stats = new BigInt64Array(batch.length * 5);
    let names = '';
    for (let i = 0; i < batch.length; i++) {
      const { name, file: { st } } = batch[i]!;
      // A name never holds a NUL: it ends each one.
      names += `${name}\0`;
      stats.set([st.size, st.mtimeNs, st.ctimeNs, st.ino, st.mode], i * 5);
    }
    this.hash.update(`files ${batch.length}\n${names}`).update(new Uint8Array(stats.buffer));
  }

  other(name: string, id: SnapshotId): void {
    this.hash.update(`other ${name}\0${id}\n`);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
