import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CasObjects } from './cas-objects.js';
import { hashHostFiles, type HostFile } from './hash-files.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/** What ingesting needs of the CAS store. */
export interface IngestTarget {
  readonly meta: Metadata;
  readonly objects: CasObjects;
  /** Copies a host file into the store (not synced: a lost copy is made again next time). */
  copy(path: string, mode: number): Promise<SnapshotId>;
  composeTree(entries: readonly TreeEntry[]): SnapshotId;
}

/** Entries of a directory taken at a time: bounds the stats held while a million-item directory is read. */
const SLICE = 4096;

/**
 * Stores a host file or directory (a frontmatter input), returning its id.
 * A directory's files are taken thousands at a time: their hashes through
 * the stat cache in one statement per few hundred (misses hashed on every
 * core), the objects already stored checked in batches too, and only the
 * others copied. A symbolic link stays a link, as `contentId` sees it.
 */
export async function ingestHost(target: IngestTarget, hostPath: string): Promise<SnapshotId> {
  const top = lstatSync(hostPath);
  if (top.isSymbolicLink()) return `link:${readlinkSync(hostPath)}`;
  if (!statSync(hostPath).isDirectory()) return (await ingestFiles(target, [{ path: hostPath, st: lstatSync(hostPath, { bigint: true }) }]))[0]!;
  const names = readdirSync(hostPath);
  const entries: TreeEntry[] = [];
  for (let i = 0; i < names.length; i += SLICE) {
    const files: HostFile[] = [];
    const fileNames: string[] = [];
    for (const name of names.slice(i, i + SLICE)) {
      const full = join(hostPath, name);
      const st = lstatSync(full, { bigint: true });
      if (st.isDirectory() || st.isSymbolicLink()) entries.push({ name, id: await ingestHost(target, full) });
      else files.push({ path: full, st }), fileNames.push(name);
    }
    const ids = await ingestFiles(target, files);
    ids.forEach((id, n) => entries.push({ name: fileNames[n]!, id }));
  }
  return target.composeTree(entries);
}

async function ingestFiles(target: IngestTarget, files: readonly HostFile[]): Promise<SnapshotId[]> {
  const hashes = await hashHostFiles(target.meta, files);
  const ids = files.map((f, n) => CasObjects.idOf(hashes[n]!, (f.st.mode & 0o111n) !== 0n));
  const checked = target.objects.checkMany(ids);
  for (let n = 0; n < files.length; n++) {
    if (checked[n] !== 'ok') ids[n] = await target.copy(files[n]!.path, Number(files[n]!.st.mode & 0o777n));
  }
  return ids;
}
