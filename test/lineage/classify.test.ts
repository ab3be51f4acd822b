import { describe, expect, it } from 'vitest';
import { classify, type AncestryStep } from '../../src/lineage/diff.js';
import type { KeyRecord } from '../../src/plan/key.js';

const record: KeyRecord = {
  v: 2, kind: 'run', env: 'docker:sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', command: 'fit /data/in > /data/out',
  cwd: null, workdir: '/work', prelude: [], variables: [['SEED', '1']], inputs: [['/data/in', 'sha256:1111']],
  files: [['fit.py', 'sha256:2222']], outputs: ['/data/out'], network: false,
};

function step(over: Partial<KeyRecord>, outputs: Record<string, string> = { '/data/out': 'sha256:9999' }): AncestryStep {
  return { job: 'fit', block: 'fit', location: 'p.md:3:1', line: 3, key: JSON.stringify(over), record: { ...record, ...over }, outputs };
}

describe('classify', () => {
  it('an environment change alone is a root cause, old → new', () => {
    const d = classify(step({}), step({ env: 'docker:sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }));
    expect(d.class).toBe('root-cause');
    expect(d.reasons).toEqual(['environment changed (aaaaaaaa… → bbbbbbbb…)']);
    expect(d.changes.map((c) => c.field)).toEqual(['env']);
  });

  it('a local script or variable or import source is part of the definition', () => {
    expect(classify(step({}), step({ files: [['fit.py', 'sha256:3333']] })).reasons).toEqual(['local file fit.py changed (2222… → 3333…)']);
    expect(classify(step({}), step({ variables: [['SEED', '2']] })).class).toBe('root-cause');
    const pinned = classify(step({ kind: 'import', pin: { commit: 'abc' } }), step({ kind: 'import', pin: { commit: 'def' } }));
    expect(pinned.class).toBe('root-cause');
    expect(pinned.changes).toEqual([{ field: 'pin.commit', old: 'abc', new: 'def' }]);
  });

  it('inputs only: propagated; nothing but the output: nondeterministic; nothing: same; one side: only in one', () => {
    expect(classify(step({}), step({ inputs: [['/data/in', 'sha256:4444']] })).class).toBe('propagated');
    expect(classify(step({}), step({}, { '/data/out': 'sha256:8888' })).class).toBe('nondeterministic');
    expect(classify(step({}), step({})).class).toBe('same');
    expect(classify(step({}), undefined).class).toBe('only-old');
    expect(classify(undefined, step({})).class).toBe('only-new');
  });
});
