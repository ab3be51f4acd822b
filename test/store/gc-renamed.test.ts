import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

const fence = '```';

/** Two blocks named by their headings: renaming one changes its id, not its cache key. */
const HEADINGS = `# G

## Fetch

${fence}shark-run
echo fetch >> counter; yes data | head -c 50000 > /data/a
${fence}

## Other

${fence}shark-run
echo other >> counter; yes other | head -c 50000 > /data/b
${fence}
`;

/**
 * gc matches older runs to the document's blocks by id; a block whose id
 * changed (heading renamed, a block added under the same heading, a
 * `{manual}` block renamed) still has the same cache key, and its result
 * must not be freed.
 */
describe('shark gc after a block\'s id changed', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('a heading renamed, then a run with targets: the renamed block keeps its result', async () => {
    rig.write('p.md', HEADINGS);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', HEADINGS.replace('## Fetch', '## Download'));
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect((await rig.shark(['run', 'p.md', 'other'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.stderr).toBe('');
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    // Every run kept whole: the one before the latest finished run is older, not newer.
    expect(gc.stdout).toMatch(/keeping p\.md every run whole, since download has not run under its id yet \(a block added or renamed: run the document to settle it\): run 1 \(ok, older, 2 results\), run 2 \(latest finished run, 1 result\)/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect(rig.count()).toBe(2);
  });

  it('a block added under the same heading renumbers the next one: after a run of the new one, the next keeps its result', async () => {
    const doc = (extra: string): string => `# S

${fence}shark-run
echo s >> counter; echo s > /data/s
${fence}
${extra}
${fence}shark-run
echo old >> counter; yes old | head -c 50000 > /data/old
${fence}
`;
    rig.write('p.md', doc(''));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', doc(`\n${fence}shark-run\necho new >> counter; echo new > /data/new\n${fence}\n`));
    expect(toRun(await rig.plan('p.md'))).toEqual(['s-2']);
    expect((await rig.shark(['run', 'p.md', 's-2'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('a {manual} block renamed, then plain runs (which leave it out): it keeps its result, and the runs before are freed', async () => {
    const doc = (heading: string): string => `${HEADINGS}
## ${heading}

${fence}shark-run {manual}
echo model >> counter; yes model | head -c 50000 > /data/model
${fence}
`;
    rig.write('p.md', doc('Model'));
    expect((await rig.shark(['run', 'p.md', 'model'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', doc('Train the model'));
    expect(toRun(await rig.plan('p.md', 'train-the-model'))).toEqual([]);
    rig.write('p.md', doc('Train the model').replace('yes other', 'yes changed'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/by their outputs or command for blocks no run has run under their id: train-the-model \(1 result\)\n/);
    // Only the old version of `other` is freed.
    expect(gc.stdout).toMatch(/freed 1 object,/);
    expect(toRun(await rig.plan('p.md', 'train-the-model'))).toEqual([]);
  });
});
