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
 */

/** What one job takes while it runs. */
export interface Demand {
  /** Slots of the `-j` budget (the block's `{threads}`), at least 1. */
  readonly slots: number;
  /** Bytes of declared memory; 0 when the block declares none. */
  readonly memory: number;
  readonly pool: string | undefined;
}

export interface Capacity {
  readonly slots: number;
  /** Bytes; Infinity for no limit. */
  readonly memory: number;
  /** Pool name → how many of its jobs may run at once. */
  readonly pools: ReadonlyMap<string, number>;
}

interface Waiter {
  readonly demand: Demand;
  readonly start: () => void;
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

  constructor(private readonly capacity: Capacity, signal?: AbortSignal) {
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
   */
  run<T, C>(demand: Demand, fn: () => Promise<T> | T, cancelled: C): Promise<T | C> {
    if (this.cancelled) return Promise.resolve(cancelled);
    const d = this.clamp(demand);
    if (this.first === this.queue.length && this.fits(d, undefined)) {
      this.take(d);
      return this.execute(d, fn);
    }
    return new Promise<T | C>((resolve, reject) => {
      this.queue.push({
        demand: d,
        start: () => this.execute(d, fn).then(resolve, reject),
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

  private async execute<T>(d: Demand, fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } finally {
      this.give(d);
      this.dispatch();
    }
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
        w.start();
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
