import { parentPort } from 'node:worker_threads';
import { hashFileSync } from './hash.js';

/** Hashes the files it is sent, one message per file: fsck's hashing on every core. */
parentPort?.on('message', (path: string) => {
  try {
    parentPort!.postMessage({ path, hex: hashFileSync(path) });
  } catch (e) {
    parentPort!.postMessage({ path, error: (e as Error).message });
  }
});
