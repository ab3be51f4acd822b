import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ALT, BASE, describeDocker, dockerCli, lockOf, removeBuiltImages, run, scratch, shark, unique } from './rig.js';

/** `ARG IMG=…` before `FROM $IMG`: Docker takes the default, and so must the build, the lock and the pin. */
describeDocker('FROM naming an ARG (CLI)', (client) => {
  let tmp: ReturnType<typeof scratch>;
  let tag: string;
  beforeEach(() => {
    tmp = scratch('shark-docker-arg-');
    tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('arg')}`;
    dockerCli('tag', BASE, tag);
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    dockerCli('rmi', '--no-prune', tag);
    tmp.cleanup();
  });

  const pipeline = (from: string, extra = ''): string => `# q

\`\`\`shark-build:m
ARG IMG=${tag}
FROM ${from}
RUN echo hi > /m.txt${extra}
\`\`\`

\`\`\`shark-run:m
cat /m.txt > /data/m.txt; test -e /etc/shark-alt && echo alt >> /data/m.txt; true
\`\`\`

\`\`\`shark-publish:out
/data/m.txt
\`\`\`
`;

  for (const from of ['$IMG', '${IMG}']) {
    it(`builds FROM ${from} from the ARG's default and locks that base`, async () => {
      writeFileSync(join(tmp.dir, 'p.md'), pipeline(from));
      expect((await shark(['check', 'p.md'], tmp.dir)).code).toBe(0);
      const r = await run('p.md', tmp.dir);
      expect(r.result.code, r.result.stderr + r.result.stdout).toBe(0);
      expect(readFileSync(join(tmp.dir, 'out', 'm.txt'), 'utf8')).toBe('hi\n');
      expect(lockOf(join(tmp.dir, 'p.md')).environments.m!.bases).toEqual({ [tag]: await client.imageId(BASE) });
    });
  }

  it('rebuilds from the locked base, not from where the ARG\'s tag has moved', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), pipeline('$IMG'));
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    const first = lockOf(join(tmp.dir, 'p.md')).environments.m!.image;
    dockerCli('tag', ALT, tag);
    writeFileSync(join(tmp.dir, 'p.md'), pipeline('$IMG', '\nRUN true'));
    const r = await run('p.md', tmp.dir);
    expect(r.result.code, r.result.stderr + r.result.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, 'out', 'm.txt'), 'utf8')).toBe('hi\n');
    try {
      dockerCli('rmi', first);
    } catch {
      // Still used or tagged by a test running beside this one (the same layers make the same image): left, as removeBuiltImages leaves one.
    }
  });

  it('refuses at check a FROM whose ARG has no default, at the FROM', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), pipeline('$IMG').replace(`ARG IMG=${tag}`, 'ARG IMG'));
    const r = await shark(['check', 'p.md'], tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p.md:5:1: error: FROM $IMG names no image: the ARG IMG has no default');
  });
});
