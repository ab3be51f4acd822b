/** The longest a lease is meant to be held before its job starts. */
const AHEAD_MS = 100;
/** The most leases taken in one transaction. */
const MAX_AHEAD = 32;

/**
 * How far ahead of the jobs entering staging their leases are taken, each
 * group in one transaction (leases.ts `takeAhead`). A group starts as large
 * as staging holds, and doubles while its jobs come within `AHEAD_MS` of
 * each other's group (2,000 trivial jobs: a transaction per 4 jobs was 8 %
 * of a run's CPU); it halves when they come slower. So no lease is held
 * much before its job starts, and another run sharing the store still
 * takes up the jobs of a slow map this one has not reached. `take` says
 * whether another run held some of its group: the jobs it put off then
 * come quickly without being run, and the next group stays as small as
 * staging, so neither run holds leases far ahead of the other.
 */
export class LeaseWindow {
  private next = 0;
  private size: number;
  private last: number | undefined;
  private shared = false;

  constructor(private readonly least: number, private readonly take: (from: number, to: number) => boolean | void, private readonly now = (): number => performance.now()) {
    this.size = least;
  }

  /** Job `n` enters staging (jobs enter in order; a job reached again, put off, takes nothing): the next group's leases are taken when it is that group's first. */
  reach(n: number): void {
    if (n < this.next) return;
    const now = this.now();
    if (this.shared) this.size = this.least;
    else if (this.last !== undefined) this.size = now - this.last < AHEAD_MS ? Math.min(this.size * 2, MAX_AHEAD) : Math.max(this.least, this.size >> 1);
    this.last = now;
    this.next = n + this.size;
    this.shared = this.take(n, this.next) === true;
  }
}
