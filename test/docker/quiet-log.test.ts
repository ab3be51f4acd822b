import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, scratch, shark } from './rig.js';

/**
 * Most jobs of a large map print nothing: an ok job's empty log is not made,
 * in a container as on the host, and `logs` says it printed nothing rather
 * than naming an empty file. A failed job's log is there, empty, to open.
 */
describeDocker('the log of a container job that printed nothing (CLI)', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-docker-quiet-');
    writeFileSync(join(tmp.dir, 'p.md'), `## Tools

\`\`\`shark-build:tools
FROM ${BASE}
\`\`\`

## Quiet

\`\`\`shark-run:tools
echo hi > /data/a.txt
\`\`\`

## Loud

\`\`\`shark-run:tools
echo said; cat /data/a.txt > /data/b.txt
\`\`\`

## Fails

\`\`\`shark-run:tools
cat /data/b.txt > /data/c.txt; exit 3
\`\`\`
`);
  });
  afterEach(() => tmp.cleanup());

  it('makes no log for an ok job that printed nothing, and logs says so (it named an empty file)', async () => {
    expect((await shark(['run', 'p.md'], tmp.dir)).code).toBe(1);
    const quiet = await shark(['logs', 'p.md', 'quiet'], tmp.dir);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '==> quiet (ok, line 10) (printed nothing)\n', '']);
    const made = readdirSync(join(tmp.dir, '.shark', 'logs', '1'));
    expect(made.filter((n) => /^(quiet|loud|fails)-/.test(n)).map((n) => n.replace(/-\w+\.log$/, '')).sort()).toEqual(['fails', 'loud']);
    expect((await shark(['logs', 'p.md', 'loud'], tmp.dir)).stdout).toMatch(/^==> loud \(ok, line 16\) \S+\nsaid\n$/);
    expect((await shark(['logs', 'p.md', 'fails'], tmp.dir)).stdout).toMatch(/^==> fails \(failed, line 22\) \S+\/logs\/1\/fails-\w+\.log\n$/);
  });
});
