import { afterEach, describe, expect, it, vi } from 'vitest';
import { hearStopSignals } from '../../src/cli/run-signals.js';

describe('the signals a run hears', () => {
  afterEach(() => vi.restoreAllMocks());

  it('quits 130 on a second signal that comes after the stopped run let go of them, not killed by it (143)', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const before = process.listenerCount('SIGTERM');
    const had = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    let stops = 0;
    const unhear = hearStopSignals(() => undefined, () => void stops++);
    process.emit('SIGTERM', 'SIGTERM');
    expect(stops).toBe(1);
    unhear();
    // Between the run's end and the process's, a second SIGTERM met no handler and Node's default killed it.
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(130);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const l of process.listeners(signal)) if (!had.has(l)) process.off(signal, l);
    }
  });

  it('leaves no handler behind for a run no signal stopped', () => {
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT'), process.listenerCount('SIGHUP')];
    hearStopSignals(() => undefined, () => undefined)();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT'), process.listenerCount('SIGHUP')]).toEqual(before);
  });

  it('ends as the run ended when a signal comes after it said so, while it closes the store (it exited 130 after `ok`)', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const had = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    let stops = 0;
    const unhear = hearStopSignals(() => undefined, () => void stops++);
    unhear(0);
    process.emit('SIGINT', 'SIGINT');
    expect(stops).toBe(0);
    expect(exit).toHaveBeenCalledWith(0);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const l of process.listeners(signal)) if (!had.has(l)) process.off(signal, l);
    }
  });
});
