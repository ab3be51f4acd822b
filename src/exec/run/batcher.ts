/**
 * Items written together, one transaction for many: a batch is written
 * when `max` of its weight waits, or `delayMs` after its first item
 * arrived, or when asked (`flush`). Each item is then settled with the
 * batch's outcome: the batch is written whole or not at all.
 */
export class Batcher<T> {
  private waiting: T[] = [];
  private weight = 0;
  private timer: NodeJS.Timeout | undefined;
  private dropped = false;

  constructor(
    private readonly write: (batch: readonly T[]) => void,
    private readonly settle: (item: T, error: Error | undefined) => void,
    private readonly max: number,
    private readonly delayMs: number,
    private readonly weigh: (item: T) => number = () => 1,
  ) {}

  add(item: T): void {
    if (this.dropped) return;
    this.waiting.push(item);
    this.weight += this.weigh(item);
    if (this.weight >= this.max) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Forgets what waits, and whatever is added after: nothing of it is written or settled. */
  drop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = [];
    this.weight = 0;
    this.dropped = true;
  }

  /** Writes what waits now, then settles each of it. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    this.weight = 0;
    if (batch.length === 0) return;
    let error: Error | undefined;
    try {
      this.write(batch);
    } catch (e) {
      error = e as Error;
    }
    for (const item of batch) this.settle(item, error);
  }
}
