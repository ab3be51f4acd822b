import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, dockerCli, lockOf, removeBuiltImages, run, scratch, shark, unique } from './rig.js';

/**
 * `COPY --from=IMAGE` takes files from an image as FROM does: the image is a
 * base, locked, noted when its tag moves, and a rebuild starts from its locked id.
 */
describeDocker('COPY --from an image (CLI)', (client) => {
  let tmp: ReturnType<typeof scratch>;
  let tag: string;
  beforeEach(() => {
    tmp = scratch('shark-docker-copy-from-');
    tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('src')}`;
    source('OLD');
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    for (const t of [tag, `${tag}-old`]) {
      try {
        dockerCli('rmi', t);
      } catch {
        // Not made: the test stopped before.
      }
    }
    tmp.cleanup();
  });

  /** (Re)tags `tag` as an image holding /opt/v with `text`. */
  function source(text: string): void {
    const dockerfile = join(tmp.dir, 'Dockerfile.src');
    writeFileSync(dockerfile, `FROM ${BASE}\nRUN mkdir -p /opt && echo ${text} > /opt/v\n`);
    dockerCli('build', '-q', '-t', tag, '-f', dockerfile, tmp.dir);
  }

  const pipeline = (): string => `# q

\`\`\`shark-build:m
FROM ${BASE} AS tools
FROM ${BASE}
COPY --from=tools /bin/true /opt/true
COPY --from=${tag} /opt/v /opt/v
\`\`\`

\`\`\`shark-run:m
cat /opt/v > /data/v.txt
\`\`\`

\`\`\`shark-publish:out
/data/v.txt
\`\`\`
`;

  it('locks the image, notes when its tag moves, and rebuilds from its locked id', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), pipeline());
    const first = await run('p.md', tmp.dir);
    expect(first.result.code, first.result.stderr + first.result.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, 'out', 'v.txt'), 'utf8')).toBe('OLD\n');
    const old = await client.imageId(tag);
    const locked = lockOf(join(tmp.dir, 'p.md')).environments.m!;
    // The stage name `tools` is no image: only the two images are locked.
    expect(locked.bases).toEqual({ [BASE]: await client.imageId(BASE), [tag]: old });

    // Kept tagged while the test needs it: untagged, it could be removed as a dangling parent by a test beside this one.
    dockerCli('tag', old!, `${tag}-old`);
    source('NEW');
    const plan = await shark(['plan', 'p.md'], tmp.dir);
    expect(plan.stdout + plan.stderr).toContain(`m: base ${tag} moved ${old!.replace(/^sha256:/, '').slice(0, 12)} → `);

    // The image gone, the rebuild copies from the locked id, not from where the tag points now.
    dockerCli('rmi', locked.image!);
    const again = await run('p.md', tmp.dir);
    expect(again.result.code, again.result.stderr + again.result.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, 'out', 'v.txt'), 'utf8')).toBe('OLD\n');
  });
});
