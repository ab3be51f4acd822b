/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay is
 * replaced by 1 ms with only a warning, so `{timeout=600h}` would kill the
 * job at once. Longer delays are waited for in spans of at most this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/** Like setTimeout, for any delay: re-arms itself until the whole delay has passed. */
export function longTimer(fire: () => void, delayMs: number): LongTimer {
  let left = Math.max(0, delayMs);
  let handle: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    const span = Math.min(left, MAX_TIMER_MS);
    left -= span;
    handle = setTimeout(() => (left > 0 ? arm() : ((handle = undefined), fire())), span);
  };
  arm();
  return {
    clear: () => {
      if (handle !== undefined) clearTimeout(handle);
      handle = undefined;
    },
  };
}
