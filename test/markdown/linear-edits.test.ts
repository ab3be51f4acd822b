import { describe, expect, it } from 'vitest';
import { EditMap } from 'micromark-util-edit-map';
import { makeEditsLinear } from '../../src/markdown/linear-edits.js';

type Consume = (this: EditMap, events: unknown[]) => void;

describe('linear edits', () => {
  it('applies random edits as micromark does', () => {
    const original = EditMap.prototype.consume as unknown as Consume;
    makeEditsLinear();
    const linear = EditMap.prototype.consume as unknown as Consume;
    expect(linear).not.toBe(original);
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 2000; round++) {
      const length = random(40);
      const events = Array.from({ length }, (_, i) => `e${i}`);
      const edits: [number, number, string[], boolean][] = Array.from({ length: random(6) }, (_, k) => [
        random(length + 1), random(5), Array.from({ length: random(3) }, (_, j) => `a${k}.${j}`), random(2) === 0,
      ]);
      const results = [original, linear].map((consume) => {
        const map = new EditMap();
        for (const [at, remove, add, before] of edits) (before ? map.addBefore : map.add).call(map, at, remove, [...add] as never[]);
        const copy = [...events];
        consume.call(map, copy);
        return copy;
      });
      expect(results[1]).toEqual(results[0]);
    }
  });
});
