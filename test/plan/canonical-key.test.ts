import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/canonical-json.js';
import { keyMaker, keyOf, type KeyRecord } from '../../src/plan/key.js';

const RECORD: KeyRecord = {
  v: 2, kind: 'import', env: 'import', command: 'zenodo:1/a.csv /data/a.csv', cwd: null, workdir: null,
  prelude: [], variables: [], inputs: [], files: [], outputs: ['/data/a.csv'], network: false,
  pin: { record: 1, sha256: 'ab', path: 'a.csv' },
};

describe('canonical serialisation', () => {
  it('sorts object keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([2, 1])).toBe('[2,1]');
  });

  it('sorts by code unit, integer-like keys included (JSON.stringify puts those first)', () => {
    expect(canonicalJson({ b: 1, 10: 2, 2: 3, a: 4 })).toBe('{"10":2,"2":3,"a":4,"b":1}');
  });

  it('escapes strings as JSON does, drops undefined members, and indents on request', () => {
    expect(canonicalJson({ s: 'a"\n\u2028', u: undefined, n: -0.5 })).toBe('{"n":-0.5,"s":"a\\"\\n\u2028"}');
    expect(canonicalJson({ b: [1], a: {} }, 2)).toBe('{\n  "a": {},\n  "b": [\n    1\n  ]\n}');
  });

  it('gives one key for two records equal but for the order of their keys', () => {
    const reordered = { ...RECORD, pin: { path: 'a.csv', sha256: 'ab', record: 1 } };
    const shuffled = Object.fromEntries(Object.entries(reordered).reverse()) as unknown as KeyRecord;
    expect(keyOf(shuffled)).toBe(keyOf(RECORD));
    expect(keyOf({ ...RECORD, pin: { ...RECORD.pin, sha256: 'cd' } })).not.toBe(keyOf(RECORD));
  });

  it('keyMaker (the shared part hashed once per step) gives keyOf\'s keys', () => {
    const host: KeyRecord = {
      v: 3, kind: 'run', env: 'host:linux/x64', command: 'cp "/data/in/*" /data/out/+ # "inputs":[]', cwd: null, workdir: null,
      prelude: ['set -e'], variables: [['A', '1']], inputs: [], files: [['x.sh', 'sha256:1']], tools: [['/bin/sh', 'sha256:2']],
      deps: [], outputs: ['/data/out/+'], network: 'host',
    };
    for (const record of [RECORD, host]) {
      const { inputs: _, ...shared } = record;
      const make = keyMaker(shared);
      for (const inputs of [[], [['/data/in/a.txt', 'sha256:aa']], [['/data/a', 'tree:1'], ['/data/b\n"', 'sha256:2']]] as const) {
        expect(make(inputs)).toBe(keyOf({ ...record, inputs }));
      }
    }
  });
});
