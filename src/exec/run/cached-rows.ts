import { damagedDatabase } from '../../store/damaged-database.js';
import type { Metadata, RunJobRow } from '../../store/metadata.js';
import { Batcher } from './batcher.js';

/** Rows are written when this many wait… */
const MAX_ROWS = 8192;
/** …or this long after the first of them arrived. */
const DELAY_MS = 20;

interface Waiting {
  readonly rows: readonly RunJobRow[];
  /** Tells the world (job-cached events) once the rows can be read. */
  readonly announce: () => void;
  /** Called instead when they could not be written. */
  readonly failed: (message: string) => void;
}

/**
 * The run's rows of cached jobs, written for many steps in one
 * transaction: a cached run of a sweep of 5,000 step instances spent a
 * quarter of its time committing a transaction per step. A step does not
 * wait for its rows (the steps after it may go on at once); its jobs are
 * announced once their rows are committed, so what the events say is
 * cached, `logs` and `lineage` can already read. The run writes what is
 * left before it ends (`flush`).
 */
export class CachedRows {
  private readonly batches: Batcher<Waiting>;

  /** `damaged`: told of a damaged database instead of each step, as it ends the command, not a job. */
  constructor(meta: Metadata, damaged: (e: Error) => void) {
    this.batches = new Batcher(
      (batch) => meta.recordRunJobs(batch.length === 1 ? batch[0]!.rows : batch.flatMap((w) => w.rows)),
      (w, error) => (error === undefined ? w.announce() : damagedDatabase(error) ? damaged(error) : w.failed(`cannot record the cached jobs: ${error.message}`)),
      MAX_ROWS, DELAY_MS, (w) => w.rows.length,
    );
  }

  add(rows: readonly RunJobRow[], announce: () => void, failed: (message: string) => void): void {
    // A step with nothing cached has nothing to write, nor to announce.
    if (rows.length > 0) this.batches.add({ rows, announce, failed });
  }

  /** Forgets what waits, unwritten and unannounced: the run was abandoned (`RunContext.abandon`). */
  drop(): void {
    this.batches.drop();
  }

  /** Writes what waits now, then announces it (or reports that it could not be written). */
  flush(): void {
    this.batches.flush();
  }
}
