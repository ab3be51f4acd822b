import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const DOC = `---
YEAR: [2020, 2021]
---
## Per year

\`\`\`shark-run
echo %{YEAR} 10 > /data/per/%{YEAR}.txt
\`\`\`

## Total

\`\`\`shark-run
find /data/per/ -name '*.txt' -exec cat {} + | awk '{ s += $2 } END { print s }' > /data/total.txt
\`\`\`

\`\`\`shark-publish
/data/total.txt
\`\`\`
`;

describe('a fan-in a subset of the sweep made (run -e YEAR=2020)', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('s.md', DOC);
  });
  afterEach(() => rig.cleanup());

  it('is said so by why, and by lineage when the result reads every value (they showed a total of one year as any other)', async () => {
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    expect((await rig.shark(['run', 's.md', '-e', 'YEAR=2020'])).code).toBe(0);
    expect(rig.read('_shark/total.txt')).toBe('10\n');
    expect((await rig.shark(['why', '_shark/total.txt'])).stdout).toContain('\n    run 2 ran a subset of the sweep (-e YEAR=2020)\n');
    expect((await rig.shark(['lineage', 's.md', '/data/total.txt'])).stdout.split('\n')[0])
      .toBe('note: run 2 ran a subset of the sweep (-e YEAR=2020): this result reads those values alone');
    // A year's own file, which reads no other year: nothing said by lineage.
    expect((await rig.shark(['lineage', 's.md', '/data/per/2020.txt'])).stdout).not.toContain('subset');
    // The whole sweep's total, made by run 1: nothing said.
    expect((await rig.shark(['lineage', 's.md', '/data/total.txt', '--run', '1'])).stdout).not.toContain('subset');
  });
});
