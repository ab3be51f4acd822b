import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const DOC = ['---', 'V: one', 'T: [a, b]', '---', '# Values', '', '```shark-run', 'echo "$V %{T}" > /data/out-%{T}.txt', '```', ''].join('\n');

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-executed-values-');
  rig.write('p.md', DOC);
});
afterEach(() => rig.cleanup());

it('says with which values given outside the document each block ran: the frontmatter it keeps says others', async () => {
  expect((await rig.shark(['run', 'p.md', '-e', 'V=two', '-e', 'T=b', '-o', 'ex.md'])).code).toBe(0);
  const notes = rig.read('ex.md').split('\n').filter((l) => l.startsWith('<!-- shark:'));
  expect(notes).toEqual(['<!-- shark: values[T=b], run 1, given T=b, V=two -->']);
  // Run again with -o, the notes are replaced, not added to; with the document's own values, none is named.
  expect((await rig.shark(['run', 'ex.md', '-o', 'ex2.md'])).code).toBe(0);
  const again = rig.read('ex2.md').split('\n').filter((l) => l.startsWith('<!-- shark:'));
  expect(again).toEqual(['<!-- shark: values[T=a], run 2 -->', '<!-- shark: values[T=b], run 2 -->']);
  expect(rig.read('ex2.md')).not.toContain('given');
});

it('names the values a config file gave as given too', async () => {
  rig.write('shark.yaml', 'env:\n  V: three\nfrontmatter:\n  T: [b]\n');
  expect((await rig.shark(['run', 'p.md', '-o', 'ex.md'])).code).toBe(0);
  expect(rig.read('ex.md')).toContain('<!-- shark: values[T=b], run 1, given T=b, V=three -->');
});
