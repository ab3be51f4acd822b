import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { blockInCrate, checkCrate, type Crate } from './crate-rules.js';
import { INPUTS, tinyRig } from './fixture.js';

const ids = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as { '@id': string })['@id']);

describe('shark export crate: every block of the document that took part is a tool, a step and a ControlAction', () => {
  let rig: Rig;
  beforeEach(() => void (rig = tinyRig()));
  afterEach(() => rig.cleanup());

  it('a publish block, its action reading what it published', async () => {
    expect((await rig.shark(['run', 'p.md', ...INPUTS])).code).toBe(0);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', 'crate'])).code).toBe(0);
    const crate = JSON.parse(rig.read('crate/ro-crate-metadata.json')) as Crate;
    expect(checkCrate(crate, rig.path('crate'))).toEqual([]);
    const publish = blockInCrate(crate, 'publish');
    expect(publish.tool?.['@type']).toBe('SoftwareApplication');
    expect(ids(crate['@graph'].find((e) => e['@id'] === 'p.md')?.['hasPart'])).toContain('#tool-publish');
    expect(publish.actions.map((a) => [a['@type'], ids(a['instrument']), ids(a['object'])])).toEqual([['CreateAction', ['#tool-publish'], ['data/report.txt']]]);
    const report = blockInCrate(crate, 'report');
    expect(Number(publish.step?.['position'])).toBeGreaterThan(Number(report.step?.['position']));
  });
});
