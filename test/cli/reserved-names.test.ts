import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rig } from '../support/rig.js';

/**
 * A variable Shark sets itself (SHARK_THREADS) would be replaced in the
 * job's environment while its key and lineage said the job had it; a
 * frontmatter setting's name (`inputs`, `path`, `pools`, `secrets`) given
 * with `-e` or a config file's `env:` made a variable the document cannot
 * have. Each is a usage error where it is written, nothing run.
 */
describe('names a variable may not have', () => {
  let rig: Rig;
  beforeAll(() => {
    rig = new Rig('shark-reserved-names-');
    rig.write('p.md', '---\nX: a\n---\n# T\n\n```shark-run\necho "$X $SHARK_THREADS" > /data/a.txt\n```\n');
  });
  afterAll(() => rig.cleanup());

  it('refuses -e SHARK_THREADS and -e of a frontmatter setting, running nothing', async () => {
    const threads = await rig.shark(['run', 'p.md', '-e', 'SHARK_THREADS=9']);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toBe("shark: error: -e SHARK_THREADS=…: `SHARK_THREADS` is set by Shark in each job's environment (the slots the job holds): name the variable otherwise\n");
    for (const name of ['inputs', 'path', 'pools', 'secrets']) {
      const setting = await rig.shark(['plan', 'p.md', '-e', `${name}=3`]);
      expect(setting.code).toBe(2);
      expect(setting.stderr).toBe(`shark: error: -e ${name}=…: \`${name}\` is a frontmatter setting (\`${name}:\`), not a variable\n`);
    }
    expect(existsSync(join(rig.dir, '.shark'))).toBe(false);
  });

  it('refuses SHARK_THREADS as a frontmatter variable or a secret, at its place', async () => {
    rig.write('q.md', '---\nSHARK_THREADS: 3\nsecrets: [SHARK_THREADS]\n---\n# T\n\n```shark-run\necho hi > /data/a.txt\n```\n');
    const checked = await rig.shark(['check', 'q.md']);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain("q.md:2:1: error: `SHARK_THREADS` is set by Shark in each job's environment");
    expect(checked.stderr).toContain('q.md:3:11: error: `SHARK_THREADS` is set by Shark');
  });

  it("refuses them in a config file's env: and frontmatter:", async () => {
    rig.write('c/p.md', '# T\n\n```shark-run\necho hi > /data/a.txt\n```\n');
    rig.write('c/shark.yaml', 'env:\n  SHARK_THREADS: 2\n  pools: 3\nfrontmatter:\n  SHARK_THREADS: 4\n');
    const checked = await rig.shark(['check', 'c/p.md']);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/shark\.yaml:2:3: error: `SHARK_THREADS` is set by Shark/);
    expect(checked.stderr).toMatch(/shark\.yaml:3:3: error: `pools` is a frontmatter setting \(`pools:`\), not a variable/);
    expect(checked.stderr).toMatch(/shark\.yaml:5:3: error: `SHARK_THREADS` is set by Shark/);
  });
});
