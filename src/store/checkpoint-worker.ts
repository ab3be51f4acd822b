import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { BUSY, IDLE, type CheckpointJob, type CheckpointReply } from './checkpoint-aside.js';

/**
 * Checkpoints the store's write-ahead log when asked (checkpoint-aside.ts),
 * each on a connection opened for it and closed after: none is left open
 * when the asking thread stops, so its own is the last to close. Told to
 * stop (the shared word no longer idle), it opens none.
 */
const { file, state } = workerData as CheckpointJob;
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

/**
 * Log frames (pages) past which a checkpoint also restarts the log: after a
 * PASSIVE one has copied what was there, a RESTART copies what was committed
 * meanwhile and holds the writers off (a millisecond or two) until the next
 * commit writes the log from its start again. Without it the log only grows
 * while a run commits (the thread's checkpoints never end between two
 * commits): 26 MB for 2,000 trivial jobs.
 */
const RESTART_FRAMES = 2048;
/** How long a RESTART waits for the writer and the readers before it gives up (it is asked again). */
const RESTART_WAIT_MS = 1000;

parentPort?.on('message', () => {
  if (Atomics.compareExchange(state, 0, IDLE, BUSY) !== IDLE) return;
  let reply: CheckpointReply = {};
  try {
    const db = new Sqlite(file, { fileMustExist: true, timeout: RESTART_WAIT_MS });
    try {
      const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
      // The log is only written from its start again once a checkpoint leaves nothing in it between two commits.
      if (log >= RESTART_FRAMES) db.pragma('wal_checkpoint(RESTART)');
    } finally {
      db.close();
    }
  } catch (e) {
    reply = { error: (e as Error).message };
  } finally {
    Atomics.store(state, 0, IDLE);
    Atomics.notify(state, 0);
  }
  parentPort!.postMessage(reply);
});
