import { describe, expect, it } from 'vitest';
import { abortable } from '../src/abortable.js';

describe('abortable (a wait on a worker that hears Ctrl-C at once)', () => {
  it('is the promise when nothing aborts it, its value or its error', async () => {
    expect(await abortable(Promise.resolve(7), new AbortController().signal)).toBe(7);
    expect(await abortable(Promise.resolve(8), undefined)).toBe(8);
    await expect(abortable(Promise.reject(new Error('worker died')), new AbortController().signal)).rejects.toThrow('worker died');
  });

  it('rejects with the signal\'s reason as soon as it aborts, long before the worker answers', async () => {
    const stop = new AbortController();
    let answer!: (n: number) => void;
    const waiting = abortable(new Promise<number>((r) => (answer = r)), stop.signal);
    setTimeout(() => stop.abort(new Error('interrupted')), 5);
    // The worker has not answered (it would, only after): the wait ends with the abort.
    await expect(waiting).rejects.toThrow('interrupted');
    answer(1);
  });

  it('rejects at once when the signal was aborted already', async () => {
    const stop = new AbortController();
    stop.abort(new Error('gone'));
    await expect(abortable(new Promise(() => undefined), stop.signal)).rejects.toThrow('gone');
  });
});
