import { afterEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

let rig: Rig | undefined;
afterEach(() => rig?.cleanup());

/** A name with a newline, made to look like a lineage line of its own. */
const NAME = 'nl\n      ← fake.txt  sha256:0  (input).txt';

it('lineage and why quote a path holding a newline, so no entry spills onto a line of its own', async () => {
  rig = new Rig();
  rig.write(`in/${NAME}`, 'x');
  rig.write('p.md', '---\ninputs:\n  items: /data/in/\n---\n\n```shark-run\ncp /data/in/* /data/out/+\n```\n');
  expect((await rig.shark(['run', 'p.md', '-i', 'items=in'])).code).toBe(0);
  const lineage = await rig.shark(['lineage', 'p.md', '/data/out']);
  expect(lineage.code).toBe(0);
  expect(lineage.stdout).toContain(JSON.stringify(`/data/out/${NAME}`));
  expect(lineage.stdout).toContain(JSON.stringify(`/data/in/${NAME}`));
  expect(lineage.stdout.split('\n').some((l) => l.trimStart().startsWith('← fake.txt'))).toBe(false);
  const why = await rig.shark(['why', rig.path(`in/${NAME}`)]);
  expect(why.stdout.split('\n').some((l) => l.trimStart().startsWith('← fake.txt'))).toBe(false);
  expect(why.stdout).toContain(JSON.stringify(`/data/out/${NAME}`));
});
