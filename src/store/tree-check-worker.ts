import type Database from 'better-sqlite3';
import { lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { glanceAt, objectName, objectPath, type UnsureObject } from './object-file.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';
import { emptySlice, seenAt, statNatively } from './stat-slice.js';
import { leavesOf, type TreeCheckReply, type TreeCheckRequest } from './tree-check.js';
import { treeIdsOf } from './tree-text.js';

/** Objects stat'ed at a time by the native module. */
const SLICE = 4096;

/**
 * Checks trees of the store: the top ones' texts come with the request,
 * any below them are read on its own connection (their ids alone: no
 * entry made of a million-entry tree's text); it compares the top ones'
 * sizes with those expected and `lstat`s every leaf. What it cannot vouch
 * for by the stored time alone is sent back, to be judged by the objects'
 * records on the main thread.
 */
parentPort?.on('message', (req: TreeCheckRequest) => {
  let reply: TreeCheckReply;
  try {
    reply = check(req);
  } catch (e) {
    reply = { whole: false, unsure: [], error: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});

function check({ db: file, dir, trees, texts }: TreeCheckRequest): TreeCheckReply {
  const given = new Map(texts);
  // Opened (and better-sqlite3 loaded, ~5 ms of a thread's start) only for a tree below those given.
  let db: Database.Database | undefined;
  let read: Database.Statement<[string], { entries: string }> | undefined;
  try {
    const leaves = leavesOf(trees, (id) => {
      const text = given.get(id) ?? (read ??= (db = open(file)).prepare('SELECT entries FROM trees WHERE id = ?')).get(id)?.entries;
      return text === undefined ? undefined : treeIdsOf(text) ?? (JSON.parse(text) as TreeEntry[]).map((e) => e.id);
    });
    if (leaves === undefined) return { whole: false, unsure: [] };
    return { whole: true, unsure: natively(dir, leaves) ?? throughNode(dir, leaves) };
  } finally {
    db?.close();
  }
}

function throughNode(dir: string, ids: readonly SnapshotId[]): UnsureObject[] {
  const unsure: UnsureObject[] = [];
  for (const id of ids) {
    const st = lstatSync(objectPath(dir, id), { throwIfNoEntry: false });
    const seen = st === undefined ? 'again' : glanceAt(st);
    if (seen !== 'ok') unsure.push({ id, seen });
  }
  return unsure;
}

/** Objects stat'ed a slice at a time by the native module (`stat-slice.ts`), judged as `glanceAt` judges them; undefined without it. */
function natively(dir: string, ids: readonly SnapshotId[]): UnsureObject[] | undefined {
  // One slice's arrays for all: each call rewrites what it was given names for.
  const stats = emptySlice(0, Math.min(ids.length, SLICE));
  const unsure: UnsureObject[] = [];
  for (let from = 0; from < ids.length; from += SLICE) {
    const slice = ids.slice(from, from + SLICE);
    // Paths below the objects directory: one lookup less each, from its descriptor.
    if (!statNatively(dir, slice.map(objectName), stats, true)) return undefined;
    for (let i = 0; i < slice.length; i++) {
      const seen = seenAt(stats, i);
      if (seen !== 'ok') unsure.push({ id: slice[i]!, seen });
    }
  }
  return unsure;
}

function open(file: string): Database.Database {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return new Sqlite(file, { readonly: true, fileMustExist: true });
}
