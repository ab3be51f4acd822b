import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `b` writes into the directory `c` reads, but below it in the document: its
 * file is for the readers below it, not for `c`. `a` is slow, so that `b` is
 * done before `c` starts: what `c` sees must not depend on that.
 */
const DOC = `## A

\`\`\`shark-run
sleep 1; echo a > /data/d/a.txt
\`\`\`

## C

\`\`\`shark-run
echo c >> counter; cd /data/d/ && ls > /data/c.txt
\`\`\`

## B

\`\`\`shark-run
echo b > /data/d/b.txt
\`\`\`

\`\`\`shark-publish
/data/c.txt /data/d/
\`\`\`
`;

describe('a step writing into a directory below its reader', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('is not seen by the reader in a run, as plan says, however the jobs are timed', async () => {
    rig.write('p.md', DOC);
    const ran = await rig.shark(['run', 'p.md', '-j', '2']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(rig.read('_shark/c.txt')).toBe('a.txt\n');
    // The publish block is below b: it copies out both files.
    expect(rig.read('_shark/d/b.txt')).toBe('b\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => [j.job, j.status])).toEqual([['a', 'cached'], ['c', 'cached'], ['b', 'cached']]);
    expect(rig.count()).toBe(1);
  });
});
