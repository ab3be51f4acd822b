import { LanePace } from './lane-pace.js';
import { Turn, lastOf, same, waiting, type Demand } from './turn.js';

export { Turn, type Demand } from './turn.js';

/**
 * Admission of jobs to the run's budget: `-j` slots, memory (`--memory`) and
 * pools. Each job declares what it takes ({threads}, {memory}, {pool}); a job
 * starts only when all of it is free.
 *
 * The policy is FIFO with one reservation (as batch schedulers call it,
 * backfilling without run-time estimates):
 *  - jobs are considered in the order they asked;
 *  - the first one that does not fit (the head) reserves what is free of what it
 *    needs: the slots up to its count, the memory up to its amount, its pool's
 *    free place;
 *  - a job behind it may start only in what is left beside that reservation.
 * So a job behind the head never delays it, and the head starts as soon as the
 * jobs already running have given back enough: a waiting `{threads=all}` job
 * is never starved by a stream of small ones. Every waiting job becomes the
 * head in turn. What the head does not need (memory, another pool) stays
 * usable: a job waiting for memory lets jobs that declare none use the slots
 * it does not need, and one waiting for its pool lets jobs of other pools run.
 *
 * Per job this costs an entry in an array, and on each release one pass over
 * the waiting jobs that stops as soon as no slot is left: no timer, no
 * listener per job.
 *
 * A job given a lane (the host's jobs of one step) may also be queued behind
 * a running job of its lane with the same demand, when it is the head: it is
 * started now with a `Turn` that names the job ahead, and the executor starts
 * it the moment that one ends, without a round trip through Shark. The share
 * passes from one to the other and is never held twice, so `-j`, `{threads}`,
 * memory and pools mean what they say. One job waits behind each running
 * job of a lane, or, while the lane's jobs are short, a few, each behind the
 * one before (lane-pace.ts): a chain that runs one job at a time.
 */

export interface Capacity {
  readonly slots: number;
  /** Bytes; Infinity for no limit. */
  readonly memory: number;
  /** Pool name → how many of its jobs may run at once. */
  readonly pools: ReadonlyMap<string, number>;
}

interface Waiter {
  readonly demand: Demand;
  readonly lane: string | undefined;
  readonly start: (turn: Turn) => void;
  readonly cancel: () => void;
}

interface Reservation {
  readonly slots: number;
  readonly memory: number;
  readonly pool: string | undefined;
  readonly poolPlaces: number;
}

export class Scheduler {
  private freeSlots: number;
  private freeMemory: number;
  private readonly freePools: Map<string, number>;
  /** Waiting jobs in arrival order from `first` on; entries before `first` have started. */
  private queue: Waiter[] = [];
  private first = 0;
  private dispatching = false;
  private again = false;
  private cancelled = false;
  /** Per lane, the jobs a job may be queued behind: running, or last of a queue that may grow, with none behind them yet. */
  private readonly open = new Map<string, Turn[]>();
  private readonly pace: LanePace;

  /** `deepened`: told the deepest a lane's queue may now be (`LanePace`); `now`: the clock jobs are timed by. */
  constructor(private readonly capacity: Capacity, signal?: AbortSignal, deepened?: (deepest: number) => void, private readonly now = (): number => performance.now()) {
    this.pace = new LanePace(now, deepened);
    this.freeSlots = Math.max(1, capacity.slots);
    this.freeMemory = capacity.memory;
    this.freePools = new Map(capacity.pools);
    signal?.addEventListener('abort', () => this.cancelAll(), { once: true });
    if (signal?.aborted === true) this.cancelled = true;
  }

  /**
   * Runs `fn` once `demand` is free, and gives it back when `fn` settles.
   * Resolves to `cancelled` without running `fn` when the run is aborted first.
   * A demand beyond the whole capacity is clamped to it (the command line
   * refuses such memory beforehand; slots beyond `-j` mean all of them).
   * With a `lane`, `fn` may be called early, with a turn queued behind a
   * running job of that lane (`turn.after`): see above.
   */
  run<T, C>(demand: Demand, fn: (turn: Turn) => Promise<T> | T, cancelled: C, lane?: string): Promise<T | C> {
    if (this.cancelled) return Promise.resolve(cancelled);
    const d = this.clamp(demand);
    if (this.first === this.queue.length && this.fits(d, undefined)) {
      this.take(d);
      return this.execute(this.holds(this.turn(undefined, lane, d)), fn);
    }
    return new Promise<T | C>((resolve, reject) => {
      this.queue.push({
        demand: d,
        lane,
        start: (turn) => this.execute(turn, fn).then(resolve, reject),
        cancel: () => resolve(cancelled),
      });
      // It may fit beside the head's reservation.
      this.dispatch();
    });
  }

  /** Jobs waiting to start. */
  get waiting(): number {
    return this.queue.length - this.first;
  }

  private clamp(d: Demand): Demand {
    const places = d.pool === undefined ? undefined : this.capacity.pools.get(d.pool);
    if (d.pool !== undefined && places === undefined) throw new Error(`pool ${d.pool} has no size`);
    const slots = Math.min(Math.max(1, d.slots), Math.max(1, this.capacity.slots));
    const memory = Math.min(Math.max(0, d.memory), this.capacity.memory);
    return slots === d.slots && memory === d.memory ? d : { slots, memory, pool: d.pool };
  }

  private async execute<T>(turn: Turn, fn: (turn: Turn) => Promise<T> | T): Promise<T> {
    try {
      return await fn(turn);
    } finally {
      this.settle(turn);
      this.dispatch();
    }
  }

  /** A job has ended. Its share ends with it, or passes to the job queued behind it. */
  private settle(turn: Turn): void {
    turn.settled = true;
    this.close(turn);
    if (turn.lane !== undefined) this.pace.ended(turn.lane, turn.since > 0 ? this.now() - turn.since : undefined);
    // Ended before a job ahead of it did (it never ran): the end of the one that holds the share ends it.
    for (let ahead = turn.after; ahead !== undefined; ahead = ahead.after) if (!ahead.settled) return;
    turn.after = undefined;
    let t = turn;
    for (let f = t.follower; f !== undefined; f = t.follower) {
      t.follower = undefined;
      f.after = undefined;
      if (!f.settled) {
        this.holds(f);
        // The jobs waiting behind it are a place nearer the front: the last of them may take one more behind it.
        const last = lastOf(f);
        if (last !== f && !last.settled && waiting(last) < this.pace.depth(f.lane!)) this.opened(last);
        return;
      }
      t = f;
    }
    this.give(t.demand);
  }

  private turn(after: Turn | undefined, lane: string | undefined, demand: Demand): Turn {
    if (lane !== undefined) this.pace.began(lane);
    return new Turn(after, lane, demand);
  }

  /** `turn` holds its share now, timed from here; a job of its lane may be queued behind it unless one is already. */
  private holds(turn: Turn): Turn {
    turn.since = this.now();
    return turn.follower === undefined ? this.opened(turn) : turn;
  }

  /** A job of `turn`'s lane may be queued behind it (it has none behind it yet). */
  private opened(turn: Turn): Turn {
    if (turn.lane === undefined) return turn;
    let open = this.open.get(turn.lane);
    if (open === undefined) this.open.set(turn.lane, (open = []));
    if (!open.includes(turn)) open.push(turn);
    return turn;
  }

  private close(turn: Turn): void {
    const open = turn.lane === undefined ? undefined : this.open.get(turn.lane);
    const at = open?.indexOf(turn) ?? -1;
    if (at >= 0) open!.splice(at, 1);
  }

  /**
   * A job of `w`'s lane with the same demand and no job behind it yet, running
   * or at the end of a queue that may grow, taken as the one `w` follows: the
   * one with the fewest jobs ahead of it.
   */
  private ahead(w: Waiter): Turn | undefined {
    const open = w.lane === undefined ? undefined : this.open.get(w.lane);
    if (open === undefined) return undefined;
    let at = -1;
    for (let i = 0; i < open.length; i++) if (same(open[i]!.demand, w.demand) && (at < 0 || waiting(open[i]!) < waiting(open[at]!))) at = i;
    return at < 0 ? undefined : open.splice(at, 1)[0];
  }

  /** Whether `d` fits in what is free, beside what the head has reserved. */
  private fits(d: Demand, r: Reservation | undefined): boolean {
    if (d.slots > this.freeSlots - (r?.slots ?? 0)) return false;
    if (d.memory > 0 && d.memory > this.freeMemory - (r?.memory ?? 0)) return false;
    if (d.pool === undefined) return true;
    const reserved = r !== undefined && r.pool === d.pool ? r.poolPlaces : 0;
    return this.freePools.get(d.pool)! - reserved >= 1;
  }

  private take(d: Demand): void {
    this.freeSlots -= d.slots;
    this.freeMemory -= d.memory;
    if (d.pool !== undefined) this.freePools.set(d.pool, this.freePools.get(d.pool)! - 1);
  }

  private give(d: Demand): void {
    this.freeSlots += d.slots;
    this.freeMemory += d.memory;
    if (d.pool !== undefined) this.freePools.set(d.pool, this.freePools.get(d.pool)! + 1);
  }

  private dispatch(): void {
    // A job whose `fn` throws at once gives back its share inside this loop: go round again instead of re-entering.
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        this.pass();
      } while (this.again);
    } finally {
      this.dispatching = false;
    }
  }

  private pass(): void {
    let reservation: Reservation | undefined;
    for (let i = this.first; i < this.queue.length; ) {
      const w = this.queue[i]!;
      if (this.fits(w.demand, reservation)) {
        this.take(w.demand);
        i = this.remove(i);
        w.start(this.holds(this.turn(undefined, w.lane, w.demand)));
        continue;
      }
      // Only the head may be queued behind a running job: one behind it would pass it.
      const before = reservation === undefined ? this.ahead(w) : undefined;
      if (before !== undefined) {
        i = this.remove(i);
        const turn = (before.follower = this.turn(before, w.lane, w.demand));
        if (waiting(turn) < this.pace.depth(w.lane!)) this.opened(turn);
        w.start(turn);
        continue;
      }
      reservation ??= this.reserve(w.demand);
      // Every job needs a slot: with none left beside the reservation, nothing further can start.
      if (this.freeSlots - reservation.slots < 1) break;
      i++;
    }
    this.compact();
  }

  private reserve(d: Demand): Reservation {
    return {
      slots: Math.min(d.slots, this.freeSlots),
      memory: Math.min(d.memory, Math.max(0, this.freeMemory)),
      pool: d.pool,
      poolPlaces: d.pool === undefined ? 0 : Math.min(1, this.freePools.get(d.pool)!),
    };
  }

  /** Takes entry `i` out of the queue; returns the index of the entry after it. */
  private remove(i: number): number {
    if (i === this.first) return ++this.first;
    this.queue.splice(i, 1);
    return i;
  }

  private compact(): void {
    if (this.first === this.queue.length) {
      this.queue = [];
      this.first = 0;
    } else if (this.first > 1024 && this.first * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.first);
      this.first = 0;
    }
  }

  private cancelAll(): void {
    this.cancelled = true;
    const waiting = this.queue.slice(this.first);
    this.queue = [];
    this.first = 0;
    for (const w of waiting) w.cancel();
  }
}
