import { parentPort } from 'node:worker_threads';
import { hashFileSync } from './hash.js';
import { failedRead } from './unreadable.js';

/**
 * Hashes the files it is sent: one path per message (fsck), or a batch of
 * paths answered in one message (a plan's first hashing of a million small
 * files, where a message per file would cost more than the hashing).
 */
parentPort?.on('message', (msg: string | { batch: readonly string[] }) => {
  if (typeof msg !== 'string') {
    parentPort!.postMessage(msg.batch.map((path) => {
      try {
        return hashFileSync(path);
      } catch (e) {
        return failedRead(e);
      }
    }));
    return;
  }
  try {
    parentPort!.postMessage({ path: msg, hex: hashFileSync(msg) });
  } catch (e) {
    parentPort!.postMessage({ path: msg, ...failedRead(e) });
  }
});
