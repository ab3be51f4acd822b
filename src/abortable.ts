/**
 * `promise`, or its rejection with the signal's reason as soon as `signal`
 * is aborted: what waits on a worker thread (stats of a large directory,
 * checks of its stored objects) hears a Ctrl-C at once instead of when the
 * worker answers. The work itself goes on; its answer is dropped.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

/**
 * Whether `signal` was aborted, once the event loop has turned: work that
 * never awaits (hashing what the stat cache knows, deciding a million jobs)
 * would otherwise hear a Ctrl-C, a signal event, only when it is all done.
 */
export async function abortedOnceTurned(signal: AbortSignal): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve));
  return signal.aborted;
}

/** Throws the signal's reason once it is aborted, the event loop let turn first (`abortedOnceTurned`); none: nothing. */
export async function heard(signal: AbortSignal | undefined): Promise<void> {
  if (signal !== undefined && (await abortedOnceTurned(signal))) throw signal.reason;
}

/** `each` of `items`, the event loop let turn every `every` of them: false, part-done, once the signal was aborted. */
export async function eachGivingWay<T>(items: readonly T[], every: number, signal: AbortSignal, each: (item: T) => void): Promise<boolean> {
  for (let k = 0; k < items.length; k++) {
    if (k > 0 && k % every === 0 && (await abortedOnceTurned(signal))) return false;
    each(items[k]!);
  }
  return true;
}

/**
 * A count of the steps of work done in one pass that never waits (a
 * recursive scan or copy): every `every` steps it lets the event loop turn,
 * and throws the signal's reason once it is aborted (`heard`); none: it
 * never waits.
 */
export class Pace {
  private steps = 0;

  constructor(private readonly signal: AbortSignal | undefined, private readonly every: number) {}

  async step(): Promise<void> {
    if (this.signal !== undefined && ++this.steps % this.every === 0) await heard(this.signal);
  }
}
