import { lstatSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { heard } from '../abortable.js';
import type { CasObjects } from './cas-objects.js';
import { type LinkFollower, walkOn } from './content-id.js';
import type { TreeMemo } from './dir-fingerprint.js';
import { walkKnown } from './dir-walk.js';
import { fileId, idsOrCopies, slicing, stagedInTurn } from './first-copies.js';
import { hashHostFiles, type HostFile } from './hash-files.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { refuseSpecial } from './special-file.js';
import { textLink } from './storable.js';
import type { Staged } from './cas-copies.js';

/** What ingesting needs of the CAS store. */
export interface IngestTarget {
  readonly meta: Metadata;
  readonly objects: CasObjects;
  /** Copies a host file, as `st` showed it, into the store (not synced: a lost copy is made again next time). */
  copy(path: string, st: Stats): SnapshotId;
  /** Copies many host files to staging names on worker threads, to `adopt`; undefined for those to `copy` (`StagedCopies.stageMany`). */
  stageMany(paths: readonly string[]): Promise<(Staged | undefined)[]>;
  adopt(staged: Staged): SnapshotId;
  /** Removes what `stageMany` staged and nothing will adopt. */
  unstage(staged: readonly (Staged | undefined)[]): void;
  composeTree(entries: readonly TreeEntry[]): SnapshotId;
}

/**
 * Stores a host file or directory (a frontmatter input), returning its id;
 * a directory's tree is then sound as a whole (`CasStore.ingest`), its
 * objects not remembered one by one.
 * A directory's files are taken thousands at a time: their hashes through
 * the stat cache (a range of it per batch; misses hashed on every
 * core); the objects already stored are checked once the walk is done, and
 * only the others copied. A symbolic link stays a link, as `contentId` sees it,
 * unless `links` follows it (a bound input's link leading out of it): then
 * it is the data it leads to. A FIFO, a socket or a device throws
 * `SpecialFileError`, unopened. With `memo`, a directory whose fingerprint
 * it knows is that tree, its files' hashes not read (`walkKnown`). Once
 * `signal` is aborted it stops between batches, throwing its reason: the
 * objects stored by then are data no tree names (gc's).
 */
export async function ingestHost(target: IngestTarget, hostPath: string, how: IngestOptions = {}): Promise<SnapshotId> {
  const { links, memo, signal } = how;
  signal?.throwIfAborted();
  const top = lstatSync(hostPath);
  if (top.isSymbolicLink()) return `link:${textLink(hostPath)}`;
  refuseSpecial(hostPath, top);
  if (!top.isDirectory()) {
    const file: HostFile = { path: hostPath, st: lstatSync(hostPath, { bigint: true }) };
    const entries = [{ name: basename(hostPath), id: fileId(file, (await hashHostFiles(target.meta, [file]))[0]!) }];
    await storeMissing(target, dirname(hostPath), entries, [0], signal);
    return entries[0]!.id;
  }
  const entries: TreeEntry[] = [];
  // The files' entries, by index, to check once the walk is done.
  const files: number[] = [];
  const walked = await walkKnown(hostPath, memo, entries, (full, st) => {
    const on = walkOn(full, st.isSymbolicLink(), links);
    return ingestHost(target, on.path, { ...how, links: on.links });
  }, async (batch) => {
    await heard(signal);
    const { ids, stored } = await idsOrCopies(target, batch.map((b) => b.file), signal);
    batch.forEach(({ name }, n) => {
      const at = entries.push({ name, id: ids[n]! }) - 1;
      if (stored[n] === 0) files.push(at);
    });
  }, signal);
  if (walked.known !== undefined) {
    // The tree its fingerprint names is stored: its files' objects are checked (and any missing copied) as when hashed.
    const known = [...walked.known.entries];
    const ids = known.map((e) => e.id);
    await storeMissing(target, hostPath, known, ids.flatMap((id, n) => (id.startsWith('tree:') || id.startsWith('link:') ? [] : [n])), signal);
    return known.every((e, n) => e.id === ids[n]) ? walked.known.id : target.composeTree(known);
  }
  await storeMissing(target, hostPath, entries, files, signal);
  const id = target.composeTree(entries);
  if (walked.fingerprint !== undefined) memo!.record(hostPath, walked.fingerprint, id);
  return id;
}

export interface IngestOptions {
  readonly links?: LinkFollower | undefined;
  readonly memo?: TreeMemo | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Copies the directory's files (`files`: indexes of `entries`) whose objects are not in the store (or not
 * sound), checked all at once after the walk: on the stat workers when
 * there are many (`checkManyAhead`), where checking each batch here during
 * the walk cost ~4 µs a file on the thread that also reads the stat cache.
 */
async function storeMissing(target: IngestTarget, dir: string, entries: TreeEntry[], files: readonly number[], signal?: AbortSignal): Promise<void> {
  const checked = await target.objects.checkManyAhead(files.map((n) => entries[n]!.id), false, signal);
  const missing = files.filter((_, k) => checked[k] !== 'ok');
  await stagedInTurn(target, missing.map((n) => join(dir, entries[n]!.name)), slicing(missing.length), signal, (taken) => {
    for (const [j, made] of taken) {
      const n = missing[j]!;
      const { name } = entries[n]!;
      if (made !== undefined) {
        entries[n] = { name, id: target.adopt(made) };
        continue;
      }
      const path = join(dir, name);
      const st = lstatSync(path);
      // Walked as a file: whatever took its place since is not followed.
      if (!st.isFile()) throw new Error(`${path} changed while it was being stored: it is no longer a file`);
      entries[n] = { name, id: target.copy(path, st) };
    }
  });
}
