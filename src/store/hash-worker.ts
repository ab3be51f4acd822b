import { parentPort } from 'node:worker_threads';
import { hashFileSync } from './hash.js';
import { stageSmall, type Owner } from './object-write.js';
import { failedRead } from './unreadable.js';

type Message =
  | string
  | { readonly batch: readonly string[] }
  | { readonly copy: readonly { readonly from: string; readonly to: string }[]; readonly limit: number; readonly owner: Owner | undefined; readonly objects?: string };

/**
 * Hashes the files it is sent: one path per message (fsck), or a batch of
 * paths answered in one message (a plan's first hashing of a million small
 * files, where a message per file would cost more than the hashing). Or
 * copies a batch of small host files to their staging names, each read once
 * and hashed (a run's first storing of its inputs: `stageSmall`).
 */
parentPort?.on('message', (msg: Message) => {
  if (typeof msg !== 'string') {
    parentPort!.postMessage('copy' in msg
      ? msg.copy.map((c) => stageSmall(c.from, c.to, msg.limit, msg.owner, msg.objects))
      : msg.batch.map((path) => {
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
