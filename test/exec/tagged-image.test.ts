import { describe, expect, it } from 'vitest';
import { refsToAsk, taggedImage } from '../../src/exec/docker/tagged-image.js';

const tagged = (labels: Record<string, string>, ancestors: string[]) => ({ id: 'sha256:img', labels, ancestors: ['sha256:img', ...ancestors] });
const engine = (ids: Record<string, string>) => (ref: string): string | undefined => ids[ref];

describe('an image built earlier from the same inputs', () => {
  it('is used when built on the locked base the engine still has, even where the tag has moved', () => {
    const found = taggedImage(tagged({ 'shark.env': 'e', 'shark.inputs': 'sha256:in' }, ['sha256:old']), 'e', 'sha256:in', ['base:1'], { 'base:1': 'sha256:old' },
      engine({ 'base:1': 'sha256:new', 'sha256:old': 'sha256:old' }));
    expect(found).toEqual({ image: 'sha256:img', bases: { 'base:1': 'sha256:old' } });
  });

  it('is built on what the tag names now when the locked base is gone, or nothing is locked', () => {
    const image = tagged({ 'shark.env': 'e', 'shark.inputs': 'sha256:in' }, ['sha256:old']);
    expect(taggedImage(image, 'e', 'sha256:in', ['base:1'], { 'base:1': 'sha256:gone' }, engine({ 'base:1': 'sha256:old' }))?.bases).toEqual({ 'base:1': 'sha256:old' });
    expect(taggedImage(image, 'e', 'sha256:in', ['base:1'], {}, engine({ 'base:1': 'sha256:new' }))).toBeUndefined();
  });

  it('is not used with other inputs (a tag names only part of the hash), nor with a base not in its history', () => {
    expect(taggedImage(tagged({ 'shark.env': 'e', 'shark.inputs': 'sha256:other' }, ['sha256:b']), 'e', 'sha256:in', ['b'], {}, engine({ b: 'sha256:b' }))).toBeUndefined();
    expect(taggedImage(tagged({ 'shark.env': 'e', 'shark.inputs': 'sha256:in' }, ['<missing>']), 'e', 'sha256:in', ['b'], {}, engine({ b: 'sha256:b' }))).toBeUndefined();
    expect(taggedImage(undefined, 'e', 'sha256:in', [], {}, engine({}))).toBeUndefined();
  });

  it('is not used for another environment with the same inputs (one whose name differs only in case shares no image)', () => {
    const image = tagged({ 'shark.env': 'A', 'shark.inputs': 'sha256:in' }, ['sha256:b']);
    expect(taggedImage(image, 'a', 'sha256:in', ['b'], {}, engine({ b: 'sha256:b' }))).toBeUndefined();
    expect(taggedImage(image, 'A', 'sha256:in', ['b'], {}, engine({ b: 'sha256:b' }))?.image).toBe('sha256:img');
  });

  it('asks the engine for each base and its locked id', () => {
    expect(refsToAsk(['a', 'b'], { a: 'sha256:a', c: 'sha256:c' })).toEqual(['a', 'b', 'sha256:a']);
  });
});
