import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, longTimer } from '../../src/exec/long-timer.js';

describe('longTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires after a delay beyond what setTimeout can hold, and not before', () => {
    const fired = vi.fn();
    const delay = 600 * 3600 * 1000; // {timeout=600h}
    expect(delay).toBeGreaterThan(MAX_TIMER_MS);
    longTimer(fired, delay);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(delay - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(delay * 2);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('fires short delays like setTimeout', () => {
    const fired = vi.fn();
    longTimer(fired, 1500);
    vi.advanceTimersByTime(1499);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('never fires once cleared, in any of its spans', () => {
    const fired = vi.fn();
    const t = longTimer(fired, 3 * MAX_TIMER_MS);
    vi.advanceTimersByTime(MAX_TIMER_MS + 10);
    t.clear();
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    t.clear();
  });
});
