/** `1 job`, `2 jobs`, `0 jobs`: a count with its noun, singular for exactly one. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * The rule for a count (`-j`, `jobs:`, a pool's size), in the document, on the
 * command line and in shark.yaml alike: whole, ≥ 1, and exact as a number.
 */
export function isPositiveCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

/** At most `max` of `items`, comma-separated, and how many more there are: a list a message names stays one readable line. */
export function someOf(items: readonly string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
