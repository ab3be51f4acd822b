import { hostname } from 'node:os';
import type { Metadata } from './metadata.js';
import { BEAT_MS, holderAlive, ownStart, type HolderRow } from './liveness.js';

export interface Holder {
  readonly pid: number;
  readonly host: string;
}

/** How long the jobs that started wait to be written together (`Leases.running`): well under `shark serve`'s half-second poll. */
const STARTED_MS = 100;

/** A lease's row: its holder, and what tells whether that holder lives. */
export type LeaseRow = Holder & HolderRow & { readonly pid: number; readonly host: string };

/** `held`: another live process holds the lease, and the caller asked not to wait for it (`acquire`'s `skipHeld`). */
export type AcquireOutcome = { readonly kind: 'acquired' } | { readonly kind: 'done' } | { readonly kind: 'aborted' } | { readonly kind: 'held' };

/**
 * Named leases in the store's database, so that several processes sharing a
 * store never do the same work twice: a job's cache key, a publish target,
 * the store itself for `gc --delete`. A lease belongs to a process; one held
 * by a process that died (or, on another host, stopped beating) is taken over.
 */
export class Leases {
  private readonly host = hostname();
  private readonly held = new Set<string>();
  /** Leases taken ahead of their jobs (`takeAhead`) that `acquire` has not handed out yet. */
  private readonly ahead = new Set<string>();
  /** Those of `ahead` whose work was found not done as they were taken: nobody can do it while we hold them. */
  private readonly undone = new Set<string>();
  /** Leases `takeAhead` found held by another live process: `acquire` skipping those puts their jobs off without a read. */
  private readonly elsewhere = new Set<string>();
  /** Held leases whose job's command started since the last write, with the job (`running`). */
  private readonly started = new Map<string, string>();
  /** Leases let go whose rows the database refused to drop (`release`): `releaseAll` tries again. */
  private readonly undropped = new Set<string>();
  private startedTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;

  private readonly stmts;

  constructor(private readonly meta: Metadata, private readonly runId: number | null = null) {
    // Prepared once: a run takes a lease per job, and compiling the statements cost more than running them.
    this.stmts = {
      holder: meta.db.prepare<[string], LeaseRow>('SELECT pid, pid_start, host, beat FROM leases WHERE name = ?'),
      take: meta.db.prepare('INSERT OR REPLACE INTO leases (name, pid, pid_start, host, run_id, since, beat) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      takeFree: meta.db.prepare('INSERT OR IGNORE INTO leases (name, pid, pid_start, host, run_id, since, beat) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      drop: meta.db.prepare('DELETE FROM leases WHERE name = ? AND pid = ? AND host = ?'),
      running: meta.db.prepare('UPDATE leases SET job = ? WHERE name = ? AND pid = ? AND host = ?'),
      // Only the dead holder's row: not one another process given its pid took since.
      dropDead: meta.db.prepare('DELETE FROM leases WHERE name = ? AND pid = ? AND host = ? AND pid_start IS ?'),
    };
  }

  /** Takes the lease unless a live process holds it; returns that holder otherwise. */
  tryAcquire(name: string): Holder | undefined {
    if (this.ahead.delete(name)) return undefined;
    const holder = this.meta.db.transaction(() => this.takeUnlessHeld(name, Date.now())).immediate();
    if (holder === undefined) this.hold(name);
    return holder;
  }

  /** Inside a write transaction: the live process (not this one) that holds `name`, or else takes it. */
  private takeUnlessHeld(name: string, now: number): Holder | undefined {
    // Nobody's yet, the usual case: taken in one statement, with no read of a holder first.
    if (this.stmts.takeFree.run(name, process.pid, ownStart(), this.host, this.runId, now, now).changes === 1) return undefined;
    const holder = this.heldBy(name);
    if (holder !== undefined) return holder;
    this.stmts.take.run(name, process.pid, ownStart(), this.host, this.runId, now, now);
    return undefined;
  }

  /**
   * Takes, in one transaction, those of `names` no live process holds, for
   * jobs about to start: a write transaction per job cost a trivial job
   * more than its result did. Each is then handed out by `acquire` without
   * a write; one held elsewhere is left to it. On a busy database nothing
   * is taken ahead, and `acquire` takes the leases one by one as before.
   * `finished` names those of the leases taken whose work is already done,
   * read in the same transaction: `acquire` asks its `done` only of them
   * (the work of the others cannot be done by anyone while we hold them),
   * where a read per job cost a trivial job a tenth of its bookkeeping.
   * Returns whether another live process held any of them (another run
   * doing the same work); `acquire` can then skip those without a read.
   */
  takeAhead(names: readonly string[], finished?: (names: readonly string[]) => ReadonlySet<string>): boolean {
    const now = Date.now();
    let taken: string[] = [];
    const others: string[] = [];
    let done: ReadonlySet<string> | undefined;
    try {
      [taken, done] = this.meta.db.transaction((): [string[], ReadonlySet<string> | undefined] => {
        const free: string[] = [];
        others.length = 0;
        for (const name of names) {
          if (this.held.has(name)) continue;
          if (this.takeUnlessHeld(name, now) === undefined) free.push(name);
          else others.push(name);
        }
        return [free, finished?.(free)];
      }).immediate();
    } catch {
      // Busy: the jobs take their leases one at a time, and wait, skip or fail there.
      return false;
    }
    for (const name of taken) {
      this.ahead.add(name);
      if (done !== undefined && !done.has(name)) this.undone.add(name);
      this.hold(name);
    }
    for (const name of others) this.elsewhere.add(name);
    return others.length > 0;
  }

  /**
   * Waits for the lease. `done` is asked after every acquisition: when the
   * work was finished by the holder we waited for, the lease is given back
   * and the caller reuses that work. With `skipHeld`, a lease another live
   * process holds is not waited for (`held`): one `takeAhead` found held is
   * not even read again, and the caller comes back to it later.
   */
  async acquire(name: string, signal: AbortSignal, done: () => boolean, waiting?: (h: Holder) => void, skipHeld = false): Promise<AcquireOutcome> {
    let pause = 10;
    let told = false;
    if (!signal.aborted && this.undone.delete(name) && this.ahead.delete(name)) return { kind: 'acquired' };
    if (skipHeld && !signal.aborted && this.elsewhere.has(name)) return { kind: 'held' };
    for (;;) {
      if (signal.aborted) return { kind: 'aborted' };
      const holder = this.tryAcquire(name);
      if (holder === undefined) {
        if (!done()) return { kind: 'acquired' };
        this.release(name);
        return { kind: 'done' };
      }
      if (skipHeld) {
        this.elsewhere.add(name);
        return { kind: 'held' };
      }
      if (!told) waiting?.(holder);
      told = true;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 250);
    }
  }

  /**
   * The command of `job`, whose lease `name` this process holds, started:
   * the lease names it from then on (`leasedJobs`, what `shark serve` shows
   * as running). Not a lease taken ahead of its job, nor one whose job
   * waits for a free slot. Written with the others started meanwhile, at
   * most every `STARTED_MS`: a write transaction per job cost a trivial job
   * more than its result; one that ends before that is never written.
   */
  running(name: string, job: string): void {
    if (!this.held.has(name)) return;
    this.started.set(name, job);
    if (this.startedTimer !== undefined) return;
    this.startedTimer = setTimeout(() => this.writeStarted(), STARTED_MS);
    this.startedTimer.unref();
  }

  private writeStarted(): void {
    this.startedTimer = undefined;
    const started = [...this.started];
    this.started.clear();
    if (started.length === 0) return;
    try {
      this.meta.db.transaction(() => {
        for (const [name, job] of started) this.stmts.running.run(job, name, process.pid, this.host);
      })();
    } catch {
      // A busy database: these jobs show as waiting; they run all the same.
    }
  }

  /** The live process that holds `name`, if one does (another than this one). */
  heldBy(name: string): Holder | undefined {
    const row = this.stmts.holder.get(name);
    return row === undefined ? undefined : otherLiveHolder(row, this.host);
  }

  /** Waits until no live process holds `name` (without taking it); false when aborted. */
  async waitWhileHeld(name: string, signal: AbortSignal): Promise<boolean> {
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      if (signal.aborted) return false;
      const row = this.stmts.holder.get(name);
      if (row === undefined || !holderAlive(row)) return true;
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /**
   * Gives a lease back; one already dropped with the result it guarded
   * (`forget`) costs no write. One the database refuses to drop (a full
   * disk, a lock held too long) is let go all the same: it stays this
   * process's row, dropped again by `releaseAll` as the run ends (its
   * workspaces gone, there is room again); failing that, once the process
   * ends, a dead holder's, which the next taker takes over and `gc --delete` deletes.
   */
  release(name: string): void {
    if (!this.held.has(name)) return;
    try {
      this.stmts.drop.run(name, process.pid, this.host);
    } catch {
      // Left to be taken over (above).
      this.undropped.add(name);
    }
    this.forget(name);
  }

  /** After the lease was dropped in another transaction (with the result it guarded). */
  forget(name: string): void {
    this.held.delete(name);
    this.ahead.delete(name);
    this.undone.delete(name);
    this.elsewhere.delete(name);
    this.started.delete(name);
    if (this.held.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * Deletes the leases whose holders are gone (a run killed before it gave
   * them back); returns how many (a dry run only counts). Each is deleted
   * only as its dead holder's: one a live process took over meanwhile stays.
   * Those named in `except` are neither counted nor deleted.
   */
  dropDead(dryRun = false, except: readonly string[] = []): number {
    const rows = this.meta.db.prepare<[], LeaseRow & { name: string }>('SELECT name, pid, pid_start, host, beat FROM leases').all();
    const dead = rows.filter((r) => !holderAlive(r) && !except.includes(r.name));
    if (!dryRun) this.meta.db.transaction(() => {
      for (const r of dead) this.stmts.dropDead.run(r.name, r.pid, r.host, r.pid_start);
    })();
    return dead.length;
  }

  /**
   * Gives back every lease this process holds, and drops the rows `release`
   * could not, in one transaction: a row at a time, a run stopped in a map
   * of 100,000 jobs took 7 s to end.
   */
  releaseAll(): void {
    const held = [...this.held];
    const rows = [...new Set([...held, ...this.undropped])];
    for (const name of held) this.forget(name);
    this.undropped.clear();
    try {
      this.meta.db.transaction(() => {
        for (const name of rows) this.stmts.drop.run(name, process.pid, this.host);
      })();
    } catch {
      // Refused: left to be taken over, as `release` says.
    }
  }

  private hold(name: string): void {
    this.held.add(name);
    this.undropped.delete(name);
    this.elsewhere.delete(name);
    // Holders on other hosts are judged by their heartbeat.
    this.timer ??= setInterval(() => {
      try {
        // Not the rows of a dead process that had this pid before: elsewhere they would look alive.
        this.meta.db.prepare('UPDATE leases SET beat = ? WHERE pid = ? AND host = ? AND pid_start IS ?').run(Date.now(), process.pid, this.host, ownStart());
      } catch {
        // A busy database: the next beat will do.
      }
    }, BEAT_MS);
    this.timer.unref();
  }
}

/** The holder of a lease's row when it is a live process other than this one (on `host`, this machine). */
export function otherLiveHolder(row: LeaseRow, host: string): Holder | undefined {
  return !(row.pid === process.pid && row.host === host) && holderAlive(row) ? { pid: row.pid, host: row.host } : undefined;
}
