import Database from 'better-sqlite3';
import { lstatSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { glanceAt, objectPath, type UnsureObject } from './object-file.js';
import { leavesOf, type TreeCheckReply, type TreeCheckRequest } from './tree-check.js';

/**
 * Checks trees of the store on its own connection: reads each tree (every
 * one below it too), compares the top ones' sizes with those expected, and
 * `lstat`s every leaf. What it cannot vouch for by the stored time alone is
 * sent back, to be judged by the objects' records on the main thread.
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

function check({ db: file, dir, trees, storedMs }: TreeCheckRequest): TreeCheckReply {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const read = db.prepare<[string], { entries: string }>('SELECT entries FROM trees WHERE id = ?');
    const leaves = leavesOf(trees, (id) => {
      const row = read.get(id);
      return row === undefined ? undefined : (JSON.parse(row.entries) as { id: string }[]);
    });
    if (leaves === undefined) return { whole: false, unsure: [] };
    const unsure: UnsureObject[] = [];
    for (const id of leaves) {
      const st = lstatSync(objectPath(dir, id), { throwIfNoEntry: false });
      const seen = st === undefined ? 'again' : glanceAt(st, storedMs);
      if (seen !== 'ok') unsure.push({ id, seen });
    }
    return { whole: true, unsure };
  } finally {
    db.close();
  }
}
