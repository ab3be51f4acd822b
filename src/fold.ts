/**
 * The largest of `measure` over `items`, or `floor` when none is larger
 * (or there are none). Folded, not spread into `Math.max`: the lists of a
 * map or a sweep hold more values than a call takes arguments.
 */
export function maxOf<T>(items: Iterable<T>, measure: (item: T) => number, floor = -Infinity): number {
  let max = floor;
  for (const item of items) max = Math.max(max, measure(item));
  return max;
}

/** The smallest of `measure` over `items`, or `ceiling` when none is smaller (or there are none). */
export function minOf<T>(items: Iterable<T>, measure: (item: T) => number, ceiling = Infinity): number {
  let min = ceiling;
  for (const item of items) min = Math.min(min, measure(item));
  return min;
}

/** Appends `items` to `to`, one at a time: spread into `push`, a map's million entries overflow the stack. */
export function appendAll<T>(to: T[], items: Iterable<T>): T[] {
  for (const item of items) to.push(item);
  return to;
}
