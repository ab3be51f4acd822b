import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { UnsureObject } from './object-file.js';
import type { SnapshotId } from './snapshot-store.js';
import { workerFile } from './worker-file.js';

export interface TreeCheckRequest {
  /** The store's database file, opened read-only by the worker. */
  readonly db: string;
  /** The objects directory. */
  readonly dir: string;
  /** The trees, each with the number of entries it must have. */
  readonly trees: readonly (readonly [SnapshotId, number])[];
  /** The texts of those the asking thread has: the worker then opens the database only for a tree below them. */
  readonly texts: readonly (readonly [SnapshotId, string])[];
}

export interface TreeCheckReply {
  /** Every tree was found, each top one of the size expected. */
  readonly whole: boolean;
  readonly unsure: readonly UnsureObject[];
  readonly error?: string;
}

/** Entries of the largest tree whose text is sent with a check. */
const SENT_MAX = 65_536;

interface Started {
  readonly worker: Worker;
  readonly reply: Promise<TreeCheckReply | undefined>;
}

/**
 * Checks of trees started before they are needed, on worker threads with
 * their own connections: a step memo's directories, while the plan walks
 * its inputs (a million objects' `lstat`s, ~3 s of a core, done where the
 * walk leaves a core idle: a fully cached plan of 1,000,000 items, 8.2 →
 * 6.5 s). One worker: two, beside the walk's own on two cores, slowed the
 * walk more than they gained. A check is taken once, by the same trees and
 * sizes; one never taken ends with the process without holding it up.
 * The top trees' texts (up to SENT_MAX entries) are read here and sent with
 * the check (`text`): a map's directory then needs no connection, nor
 * better-sqlite3 loaded, on the worker (~7 ms of its start; 10,000 items
 * 258 → 251 ms, alternating).
 */
export class TreeChecksAhead {
  private readonly started = new Map<string, Started>();

  constructor(
    private readonly db: string, private readonly dir: string,
    private readonly text: (id: SnapshotId) => string | undefined,
  ) {}

  start(trees: ReadonlyMap<SnapshotId, number>): void {
    const key = keyOf(trees);
    if (this.started.has(key)) return;
    const worker = checkWorker();
    if (worker === undefined) return;
    // Not a million-item directory's (~95 MB of text): the worker reads that one itself, on the way to a million `lstat`s.
    const texts = [...trees].flatMap(([id, size]) => {
      const text = size <= SENT_MAX ? this.text(id) : undefined;
      return text === undefined ? [] : [[id, text] as const];
    });
    const reply = ask(worker, { db: this.db, dir: this.dir, trees: [...trees], texts })
      .then((r) => (r.error !== undefined ? undefined : r), () => undefined);
    this.started.set(key, { worker, reply });
  }

  /** The reply of the check of exactly these trees, if one was started (undefined when it failed: check again). */
  take(trees: ReadonlyMap<SnapshotId, number>): Promise<TreeCheckReply | undefined> | undefined {
    const key = keyOf(trees);
    const started = this.started.get(key);
    if (started === undefined) return undefined;
    this.started.delete(key);
    // Awaited now: the worker keeps the process alive until it answers.
    started.worker.ref();
    return started.reply;
  }

  /** Stops the check of exactly these trees, if one was started and not taken: nothing will ask for it. */
  forgo(trees: ReadonlyMap<SnapshotId, number>): void {
    const key = keyOf(trees);
    const started = this.started.get(key);
    if (started === undefined) return;
    this.started.delete(key);
    void started.worker.terminate();
  }

  /** Forgets the checks not taken (their workers stopped): what they would say may be out of date. */
  drop(): void {
    for (const { worker } of this.started.values()) void worker.terminate();
    this.started.clear();
  }
}

/**
 * Where bin/shark.js leaves the check's thread it started before loading
 * the CLI, for `plan` and `run`, with the file it runs: a thread takes
 * ~100 ms of a core to start (Node 20 compiles its own modules anew in
 * each), and started then, on the core the start-up leaves idle, it is
 * ready when the step memos name the trees rather than ~100 ms after (a
 * fully cached 10,000-item plan waited on it). Taken by the first check;
 * one never taken ends with the process.
 */
const SPARE = Symbol.for('shark.treeCheckWorker');

function checkWorker(): Worker | undefined {
  const url = workerFile(new URL('./tree-check-worker.js', import.meta.url));
  const spare = (globalThis as { [SPARE]?: { worker: Worker; file: string } })[SPARE];
  delete (globalThis as { [SPARE]?: unknown })[SPARE];
  if (url === undefined) return undefined;
  // Only one running the file this build would (not a stale bundle's).
  if (spare !== undefined && spare.file === fileURLToPath(url)) return spare.worker;
  void spare?.worker.terminate();
  const worker = new Worker(url);
  worker.unref();
  return worker;
}

/**
 * The objects (files' ids) of these trees and of every tree below them,
 * when each tree is there and each top one has as many entries as given;
 * undefined otherwise (`childIds`: a tree's entries' ids, in order, when
 * it is recorded). A tree below them that `known` says is whole is not
 * descended into. What `CasPresence` checks here and the worker checks on
 * its own connection.
 */
export function leavesOf(
  trees: Iterable<readonly [SnapshotId, number]>,
  childIds: (id: SnapshotId) => readonly SnapshotId[] | undefined,
  known: (id: SnapshotId) => boolean = () => false,
): SnapshotId[] | undefined {
  const leaves: SnapshotId[] = [];
  const gather = (id: SnapshotId, size?: number): boolean => {
    if (id.startsWith('link:')) return true;
    if (!id.startsWith('tree:')) return leaves.push(id) > 0;
    if (size === undefined && known(id)) return true;
    const children = childIds(id);
    if (children === undefined || (size !== undefined && children.length !== size)) return false;
    return known(id) || children.every((child) => gather(child));
  };
  for (const [id, size] of trees) if (!gather(id, size)) return undefined;
  return leaves;
}

function keyOf(trees: ReadonlyMap<SnapshotId, number>): string {
  return [...trees].map(([id, size]) => `${id}:${size}`).join(',');
}

function ask(worker: Worker, request: TreeCheckRequest): Promise<TreeCheckReply> {
  return new Promise((resolve, reject) => {
    worker.once('message', (reply: TreeCheckReply) => {
      resolve(reply);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.postMessage(request);
  });
}
