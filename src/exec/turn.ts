/**
 * A job's hold on its share of the run's budget, and the queue of a lane
 * (scheduler.ts): each job waiting behind the one before it, the first
 * behind the running one.
 */

/** What one job takes while it runs. */
export interface Demand {
  /** Slots of the `-j` budget (the block's `{threads}`), at least 1. */
  readonly slots: number;
  /** Bytes of declared memory; 0 when the block declares none. */
  readonly memory: number;
  readonly pool: string | undefined;
}

/** A job's hold on its share of the budget. */
export class Turn {
  /** The job queued behind this one: the share passes to it when this one ends. */
  follower: Turn | undefined;
  settled = false;
  /** When it began to hold its share (the scheduler's clock); 0 while it waits behind another job. */
  since = 0;

  constructor(
    /**
     * The job this one is queued behind (running, or itself waiting);
     * undefined when it was started in its own right, and once that one has
     * ended (a lane of a million jobs would otherwise hold each through the next).
     */
    public after: Turn | undefined,
    readonly lane: string | undefined,
    readonly demand: Demand,
  ) {}
}

/** How many jobs are ahead of `turn` in its lane's queue (the running one among them): 0 when it runs. */
export function waiting(turn: Turn): number {
  let n = 0;
  for (let t = turn.after; t !== undefined; t = t.after) n++;
  return n;
}

/** The last job of the queue behind `turn`. */
export function lastOf(turn: Turn): Turn {
  let last = turn;
  while (last.follower !== undefined) last = last.follower;
  return last;
}

/** Whether two jobs take the same share (only then may one wait behind the other). */
export function same(a: Demand, b: Demand): boolean {
  return a.slots === b.slots && a.memory === b.memory && a.pool === b.pool;
}
