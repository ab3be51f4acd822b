import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/canonical-json.js';
import { inputsAt, stepExplainer } from '../../src/plan/explainer.js';
import { explain, KEY_VERSION, type KeyRecord } from '../../src/plan/key.js';

const base: KeyRecord = {
  v: KEY_VERSION, kind: 'run', env: 'host:linux/x64', command: 'cp /data/items/* /data/out/+', cwd: null, workdir: null,
  prelude: [], variables: [['N', '1']], inputs: [], files: [], tools: [['/bin/cp', 'sha256:aa']], deps: [], outputs: ['/data/out/+'], network: false,
};
const item = (n: number, id = `sha256:${String(n).padStart(8, '0')}`): KeyRecord => ({ ...base, inputs: [[`/data/items/${n}.txt`, id]] });

describe("a plan explains a step's jobs from their previous records as explain does, reading each whole record once per distinct text", () => {
  it('gives explain\'s reasons for every job, whatever changed: definition, inputs, both, nothing, or the format', () => {
    const why = stepExplainer();
    const now = (r: KeyRecord): KeyRecord => ({ ...r, command: 'cp /data/items/* /data/out/+ # v2' });
    const cases: [KeyRecord, KeyRecord][] = [
      [item(1), now(item(1))], // the command changed
      [item(2), now(item(2, 'sha256:ffffffff'))], // the command and the input
      [now(item(3)), now(item(3, 'sha256:eeeeeeee'))], // only the input
      [now(item(4)), now(item(4))], // nothing (another field of the key)
      [{ ...item(5), v: 2 as typeof KEY_VERSION }, now(item(5))], // the cache format
      [{ ...item(6), inputs: [] }, now(item(6))], // a new input
    ];
    for (const [before, after] of cases) {
      // Stored as a run stores it (JSON.stringify) and as canonical JSON.
      for (const text of [JSON.stringify(before), canonicalJson(before)]) expect(why(text, after)).toEqual(explain(before, after));
    }
  });

  it('cuts a record around its inputs, even with quotes, brackets and the word inputs inside strings', () => {
    const tricky: KeyRecord = { ...item(7), command: 'echo "\\"inputs\\":[" ] [ > /data/x', inputs: [['/data/a]"[b', 'sha256:1']] };
    const text = JSON.stringify(tricky);
    const [start, end] = inputsAt(text)!;
    expect(JSON.parse(text.slice(start, end))).toEqual(tricky.inputs);
    expect(JSON.parse(`${text.slice(0, start)}[]${text.slice(end)}`)).toEqual({ ...tricky, inputs: [] });
    expect(stepExplainer()(JSON.stringify(tricky), { ...tricky, inputs: [['/data/a]"[b', 'sha256:2']] }))
      .toEqual(explain(tricky, { ...tricky, inputs: [['/data/a]"[b', 'sha256:2']] }));
  });
});
