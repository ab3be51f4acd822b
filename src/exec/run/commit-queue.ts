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

  /** `alone`: whether no other job is being prepared, run or stored, which could join a batch soon (`add`). */
  constructor(meta: Metadata, private readonly alone: () => boolean = () => false) {
    this.batches = new Batcher((batch) => meta.recordSuccesses(batch.map((w) => w.success)), (w, error) => w.settle(error), MAX_BATCH, DELAY_MS);
  }

  /** Resolves once `success` is committed; rejects with the store's error when its batch could not be. */
  add(success: Success): Promise<void> {
    const committed = new Promise<void>((resolve, reject) => this.batches.add({ success, settle: (e) => (e === undefined ? resolve() : reject(e)) }));
    // The only job going (a chain of steps, one job each): nothing would join its batch, and its readers wait for it.
    // Waiting out the delay cost each step of a 50-step chain 16 ms, two thirds of its run.
    if (this.alone()) this.batches.flush();
    return committed;
  }

  /** Writes what is waiting now. */
  flush(): void {
    this.batches.flush();
  }
}
