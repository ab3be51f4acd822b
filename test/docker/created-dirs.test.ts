import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, run, scratch } from './rig.js';

/**
 * The directories the DAG says a step writes exist when its container starts,
 * writable by the image's user: one a command writes into under names made as
 * it runs (`/data/out/$s.txt`), and each item's directory of `+/`.
 */
describeDocker('directories Shark creates for a container step', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => (tmp = scratch('shark-docker-created-dirs-')));
  afterEach(() => tmp.cleanup());

  it('a path cut at `$` and a directory per item, as a user other than root', async () => {
    mkdirSync(join(tmp.dir, 'in'));
    writeFileSync(join(tmp.dir, 'in', 'a'), 'chr1 x\n');
    writeFileSync(join(tmp.dir, 'p.md'), `\`\`\`shark-build:box
FROM ${BASE}
USER nobody
\`\`\`

\`\`\`shark-import
in/ /data/aligned/
\`\`\`

\`\`\`shark-run:box
for s in a b; do echo $s > /data/out/$s.txt; done
\`\`\`

\`\`\`shark-run:box
awk -v out=/data/split/+/ '{ print > (out $1 ".txt") }' /data/aligned/*
\`\`\`

\`\`\`shark-publish
/data/out/
/data/split/
\`\`\`
`);
    const r = await run('p.md', tmp.dir);
    expect(r.result.code, r.result.stdout + r.result.stderr).toBe(0);
    expect(readFileSync(join(tmp.dir, '_shark/out/b.txt'), 'utf8')).toBe('b\n');
    expect(readFileSync(join(tmp.dir, '_shark/split/a/chr1.txt'), 'utf8')).toBe('chr1 x\n');
  });
});
