import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { workerFile } from './worker-file.js';

/**
 * Results committed, or about to be (`expect`), before a store's checkpoints
 * move to a thread of their own: a run this short never pays for the
 * thread's start (~100 ms of a core).
 */
const AFTER_RESULTS = 256;
/** How often the thread is asked to checkpoint what was committed since. */
const EVERY_MS = 250;
/** SQLite's own default, which the connection goes back to when the thread stops. */
const AUTOCHECKPOINT_PAGES = 1000;
/**
 * While the thread checkpoints, this connection still does once the log
 * holds this many pages (14 MB of 4 KB pages): the thread keeps it under
 * ~13 MB (restarting it past 2,048 frames, every EVERY_MS), so this one
 * checkpoints only when the thread lags behind (a disk slow to fsync, a
 * loaded machine), where the log grew with every commit (28 MB of 6,000
 * results with the thread held up).
 */
const BACKSTOP_PAGES = 3584;
/** The longest `stop` waits for a checkpoint under way (a disk that hangs its fsync). */
const STOP_WAIT_MS = 5000;

/** The thread's state in the shared word: between checkpoints, in one (its connection open), or told to stop. */
export const IDLE = 0;
export const BUSY = 1;
export const STOPPED = 2;

export interface CheckpointJob {
  readonly file: string;
  readonly state: Int32Array;
}

/** What the thread says after a checkpoint: nothing, or why it could not make one. */
export interface CheckpointReply {
  readonly error?: string;
}

/**
 * The checkpoints of a store's write-ahead log, made on a worker thread
 * while a run commits: SQLite makes each on the connection whose commit
 * filled the log, which copies the pages into the database and fsyncs it
 * there and then, on the thread that starts the jobs (2,000 trivial jobs:
 * about a tenth of the run's time, in stalls of tens of milliseconds). The
 * thread's own connection makes them, PASSIVE (never waiting for a writer
 * or a reader), every `EVERY_MS`; this connection makes none meanwhile
 * unless the thread lags far behind (`BACKSTOP_PAGES`). It
 * starts after `AFTER_RESULTS` results, or as a step with that many jobs to
 * run starts (`expect`). Any failure (its connection refused:
 * a database held by this process alone) hands the checkpoints back to
 * SQLite, as before.
 */
export class CheckpointAside {
  private results = 0;
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private asked = false;
  /** The thread made a checkpoint: this connection stopped making its own. */
  private handed = false;
  private done = false;
  private readonly state = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly db: Database.Database) {}

  /**
   * `n` results are about to be committed (a map step's jobs to run): the
   * thread starts now, when that is enough of them, instead of after the
   * first `AFTER_RESULTS` (~50 ms of a core to start, spent while the first
   * jobs run and ready before their results are committed).
   */
  expect(n: number): void {
    if (!this.done && this.worker === undefined && n >= AFTER_RESULTS) this.start();
  }

  /** `n` more results were committed. */
  committed(n: number): void {
    if (this.done || this.worker !== undefined) return;
    this.results += n;
    if (this.results >= AFTER_RESULTS) this.start();
  }

  private start(): void {
    const url = workerFile(new URL('./checkpoint-worker.js', import.meta.url));
    if (url === undefined || this.db.readonly || this.db.memory) {
      this.done = true;
      return;
    }
    const job: CheckpointJob = { file: this.db.name, state: this.state };
    const worker = new Worker(url, { workerData: job });
    worker.unref();
    worker.on('message', (reply: CheckpointReply) => this.replied(reply));
    // A thread that cannot start or dies: SQLite checkpoints on this connection again.
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
    this.worker = worker;
    this.ask();
    this.timer = setInterval(() => this.ask(), EVERY_MS);
    this.timer.unref();
  }

  private ask(): void {
    if (this.asked || this.worker === undefined) return;
    this.asked = true;
    this.worker.postMessage(null);
  }

  private replied(reply: CheckpointReply): void {
    this.asked = false;
    if (reply.error !== undefined) return this.stop();
    if (this.handed || this.done) return;
    this.handed = true;
    this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /**
   * Stops the thread, once a checkpoint under way has closed its connection:
   * this one is then the last, and closing it merges and removes the log.
   * Checkpoints are SQLite's again.
   */
  stop(): void {
    this.done = true;
    clearInterval(this.timer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) {
      const until = Date.now() + STOP_WAIT_MS;
      while (Atomics.compareExchange(this.state, 0, IDLE, STOPPED) === BUSY && Date.now() < until) Atomics.wait(this.state, 0, BUSY, 100);
      worker.removeAllListeners();
      void worker.terminate();
    }
    if (this.handed && this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.handed = false;
  }
}
