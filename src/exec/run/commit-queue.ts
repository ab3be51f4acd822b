import type { Metadata, Success } from '../../store/metadata.js';
import { Batcher } from './batcher.js';

/** A batch is written when it holds this many results… */
export const MAX_BATCH = 32;
/** …or this long after its first arrived. */
const DELAY_MS = 16;

interface Waiting {
  readonly success: Success;
  readonly settle: (error: Error | undefined) => void;
}

/**
 * Finished jobs' results, written a batch at a time: one SQLite transaction
 * for the jobs that end within a few milliseconds of each other instead of
 * one each (a commit cost a trivial job more than everything else Shark did
 * for it). A job's promise settles once its own result is committed, so
 * nothing is announced before `logs` or `lineage` can read it, and its lease
 * goes in the same transaction as its result. A run killed with results in
 * a batch leaves no trace of them: those jobs run again.
 */
export class CommitQueue {
  private readonly batches: Batcher<Waiting>;

  constructor(meta: Metadata) {
    this.batches = new Batcher((batch) => meta.recordSuccesses(batch.map((w) => w.success)), (w, error) => w.settle(error), MAX_BATCH, DELAY_MS);
  }

  /** Resolves once `success` is committed; rejects with the store's error when its batch could not be. */
  add(success: Success): Promise<void> {
    return new Promise((resolve, reject) => this.batches.add({ success, settle: (e) => (e === undefined ? resolve() : reject(e)) }));
  }

  /** Writes what is waiting now. */
  flush(): void {
    this.batches.flush();
  }
}
