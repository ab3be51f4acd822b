import { mkdirSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-lineage-empty-map-');
  mkdirSync(rig.path('in'));
  rig.write('p.md', ['```shark-import', 'in/ /data/in/', '```', '', '```shark-run', 'cat /data/in/*.txt > /data/out/+', '```', '',
    '```shark-run', 'ls /data/out/ > /data/list.txt', '```', ''].join('\n'));
});
afterEach(() => rig.cleanup());

it('shows the directory of a map that had no item as empty, not as an input of the host (it read "(input)")', async () => {
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const text = await rig.shark(['lineage', 'p.md', '/data/list.txt']);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/← \/data\/out {2}tree:\w+ {2}\(empty: no job wrote into it\)\n$/);
  const json = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/list.txt', '--json'])).stdout) as { inputs: { path: string; input?: true; empty?: true }[] };
  expect(json.inputs).toEqual([expect.objectContaining({ path: '/data/out', empty: true })]);
  expect(json.inputs[0]!.input).toBeUndefined();
});
