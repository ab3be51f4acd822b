import type { Step } from '../../pipeline/pipeline.js';

/**
 * Steps ready at the same time start their jobs in the document's order, as
 * make starts independent targets in the order they are written: at `-j 1`
 * the first step's job runs first, and its failure stops the run before the
 * steps below it start. Deciding a step may pause (a directory its command
 * names is hashed first), so a step decided sooner waits, before it starts
 * any job, for the steps above it that are being decided. It never waits for
 * a step still waiting on its inputs, nor for one below it: a step waits at
 * most for decisions, which wait for nothing.
 */
export class StartOrder {
  private readonly places: ReadonlyMap<string, number>;
  /** Steps being decided → settled once each has taken its turn. */
  private readonly deciding = new Map<number, Promise<void>>();

  constructor(steps: readonly Step[]) {
    this.places = new Map(steps.map((s, n) => [s.id, n]));
  }

  /** `decide`'s answer, once every step above `step` that was being decided has been decided and taken its turn. */
  async inTurn<T>(step: Step, decide: () => Promise<T>): Promise<T> {
    const place = this.places.get(step.id) ?? Number.MAX_SAFE_INTEGER;
    let taken!: () => void;
    const mine = new Promise<void>((resolve) => (taken = resolve));
    this.deciding.set(place, mine);
    try {
      const decided = await decide();
      const above = [...this.deciding].filter(([p]) => p < place).map(([, p]) => p);
      if (above.length > 0) await Promise.all(above);
      return decided;
    } finally {
      this.deciding.delete(place);
      taken();
    }
  }
}
