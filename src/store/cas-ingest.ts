import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { CasObjects } from './cas-objects.js';
import { walkDirectory } from './content-id.js';
import { hashHostFiles, type HostFile } from './hash-files.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/** What ingesting needs of the CAS store. */
export interface IngestTarget {
  readonly meta: Metadata;
  readonly objects: CasObjects;
  /** Copies a host file into the store (not synced: a lost copy is made again next time). */
  copy(path: string, mode: number): SnapshotId;
  composeTree(entries: readonly TreeEntry[]): SnapshotId;
}

/**
 * Stores a host file or directory (a frontmatter input), returning its id.
 * A directory's files are taken thousands at a time: their hashes through
 * the stat cache (a range of it per batch; misses hashed on every
 * core), the objects already stored checked in batches too, and only the
 * others copied. A symbolic link stays a link, as `contentId` sees it.
 */
export async function ingestHost(target: IngestTarget, hostPath: string): Promise<SnapshotId> {
  const top = lstatSync(hostPath);
  if (top.isSymbolicLink()) return `link:${readlinkSync(hostPath)}`;
  if (!statSync(hostPath).isDirectory()) return (await ingestFiles(target, [{ path: hostPath, st: lstatSync(hostPath, { bigint: true }) }]))[0]!;
  const entries: TreeEntry[] = [];
  await walkDirectory(hostPath, {
    other: async (name, full) => void entries.push({ name, id: await ingestHost(target, full) }),
    files: async (batch) => {
      const ids = await ingestFiles(target, batch.map((b) => b.file));
      batch.forEach(({ name }, n) => entries.push({ name, id: ids[n]! }));
    },
  });
  return target.composeTree(entries);
}

async function ingestFiles(target: IngestTarget, files: readonly HostFile[]): Promise<SnapshotId[]> {
  const hashes = await hashHostFiles(target.meta, files);
  const ids = files.map((f, n) => CasObjects.idOf(hashes[n]!, (f.st.mode & 0o111n) !== 0n));
  // Here alone: the stat worker is busy stat-ing the walk's next files.
  const checked = target.objects.checkMany(ids);
  // The copies' records in one transaction, not one each (~70 µs a file on a fresh store).
  target.meta.batch(() => {
    for (let n = 0; n < files.length; n++) {
      if (checked[n] !== 'ok') ids[n] = target.copy(files[n]!.path, Number(files[n]!.st.mode & 0o777n));
    }
  });
  return ids;
}
