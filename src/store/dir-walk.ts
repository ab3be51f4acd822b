import type { BigIntStats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { abortable } from '../abortable.js';
import { DirFingerprint, heldBatch, type HeldFiles, type TreeMemo } from './dir-fingerprint.js';
import type { HostFile, HostStat } from './hash-files.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { refuseSpecial } from './special-file.js';
import { AHEAD, KIND, statAhead, statAt } from './stat-ahead.js';
import { statHere } from './stat-slice.js';
import { textNames } from './storable.js';

/** Files of a directory taken at a time: bounds the stats held while a million-item directory is hashed. */
const SLICE = 4096;
/** Directories this large are stat'ed on a worker thread, ahead of the walk (`stat-ahead.ts`). */
const AHEAD_MIN = 4 * SLICE;
/** Directories this large are stat'ed on two workers, slices dealt in turn: the walk waited on one for ~40 % of its time at 1,000,000 files. */
const TWO_MIN = 64 * SLICE;

/** Files of one directory, in name order: each one's name and its path and stat. */
export type FileBatch = readonly { readonly name: string; readonly file: HostFile }[];

/**
 * A directory's entries in name order: subdirectories and symbolic links
 * one at a time (`other`), files in batches of up to SLICE (a subdirectory
 * ends a batch), so that each batch is one range of the stat cache. A FIFO,
 * a socket or a device throws `SpecialFileError` before anything opens it.
 */
export async function walkDirectory(path: string, each: {
  /** How many entries the directory has, before any is seen. */
  readonly count?: (entries: number) => void;
  /** Once aborted, the walk stops where it waits (on the stat worker), throwing its reason. */
  readonly signal?: AbortSignal | undefined;
  readonly other: (name: string, full: string, st: BigIntStats) => Promise<void>;
  readonly files: (batch: FileBatch) => Promise<void>;
}): Promise<void> {
  const names = textNames(path).sort();
  each.count?.(names.length);
  // Each entry's path is the directory's and its name (never `.`, `..` or with a slash): no `join` per entry.
  const prefix = join(path, '/');
  const slices: string[][] = [];
  for (let i = 0; i < names.length; i += SLICE) slices.push(names.slice(i, i + SLICE));
  const ahead = names.length >= AHEAD_MIN ? statAhead(path, slices, AHEAD, names.length >= TWO_MIN ? 2 : 1) : undefined;
  let batch: { name: string; file: HostFile }[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length > 0) await each.files(batch);
    batch = [];
  };
  try {
    for (let k = 0; k < slices.length; k++) {
      const slice = slices[k]!;
      // A smaller directory's slice stat'ed here, in one native call where the module is built (else name by name below).
      const stats = ahead === undefined ? statHere(path, slice) : await abortable(ahead.get(k), each.signal);
      for (let i = 0; i < slice.length; i++) {
        const name = slice[i]!;
        const full = prefix + name;
        // A file the worker stat'ed is taken as is; anything else (or everything, without a worker) is stat'ed here.
        if (stats?.kind[i] === KIND.file) {
          if (batch.push({ name, file: { path: full, st: statAt(stats, i) } }) === SLICE) await flush();
          continue;
        }
        const st = lstatSync(full, { bigint: true });
        if (st.isDirectory() || st.isSymbolicLink()) {
          await flush(), await each.other(name, full, st);
          continue;
        }
        refuseSpecial(full, st);
        if (batch.push({ name, file: { path: full, st: kept(st) } }) === SLICE) await flush();
      }
    }
    await flush();
  } finally {
    ahead?.close();
  }
}

/**
 * What a batch keeps of a file's stat: a `BigIntStats` holds eighteen
 * BigInts and four dates, which lived on in the batch through the young
 * generation's collections (a walk of 10,000 files spent a third of its
 * time collecting).
 */
function kept(st: BigIntStats): HostStat {
  return { size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino, mode: st.mode };
}

/**
 * Entries of a directory whose files' hashing waits for its fingerprint;
 * beyond this, only when the memo has one for its path (a million files
 * held back: ~70 MB, and their stat cache's rows not read, ~5 s), else
 * they are hashed as walked (a first plan's hashing overlaps its walk).
 */
const DEFER_MAX = 16 * SLICE;

/**
 * A directory's entries, walked (`walkDirectory`): each other entry's id
 * from `otherId`, its files given to `hashed` in batches (which adds their
 * entries) — unless `memo` knows the directory's fingerprint, then the tree
 * it names (its files not hashed; `known`). Otherwise the fingerprint to
 * record once the tree is made. What hashing (`contentIdOfTree`) and
 * storing (`cas-ingest.ts`) a host directory both walk.
 */
export async function walkKnown(
  path: string,
  memo: TreeMemo | undefined,
  entries: TreeEntry[],
  otherId: (full: string, st: BigIntStats) => Promise<SnapshotId>,
  hashed: (batch: FileBatch) => Promise<void>,
  signal?: AbortSignal,
): Promise<{ readonly known?: { readonly id: SnapshotId; readonly entries: readonly TreeEntry[] }; readonly fingerprint?: string }> {
  // With a memo, the files are fingerprinted and their batches held back until the fingerprint is known.
  const print = memo === undefined ? undefined : new DirFingerprint();
  let defer = print !== undefined;
  const waiting: HeldFiles[] = [];
  await walkDirectory(path, {
    signal,
    // A large directory the memo knows nothing of is hashed as walked (its fingerprint recorded for the next time).
    count: (n) => void (n > DEFER_MAX && !memo!.knows(path) && (defer = false)),
    other: async (name, full, s) => {
      const id = await otherId(full, s);
      print?.other(name, id);
      entries.push({ name, id });
    },
    files: async (batch) => {
      const held = print?.files(batch);
      if (held !== undefined && defer) waiting.push(held);
      else await hashed(batch);
    },
  });
  const fingerprint = print?.digest();
  const known = fingerprint === undefined || !defer ? undefined : memo!.recall(path, fingerprint);
  if (known !== undefined) return { known };
  const prefix = join(path, '/');
  for (const held of waiting) await hashed(heldBatch(prefix, held));
  return fingerprint === undefined ? {} : { fingerprint };
}
