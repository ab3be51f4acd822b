/** `1 job`, `2 jobs`, `0 jobs`: a count with its noun, singular for exactly one. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
