import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, scratch, shark } from './rig.js';

/** What the image's Dockerfile says of where and as whom its jobs run: WORKDIR and USER. */
describeDocker('the image\'s WORKDIR and USER', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => (tmp = scratch('shark-docker-image-config-')));
  afterEach(() => {
    for (const name of ['w.md', 'p.md', 'u.md']) removeBuiltImages(join(tmp.dir, name.replace(/\.md$/, '.lock.json')));
    tmp.cleanup();
  });

  const WORKDIR_USER = `
\`\`\`shark-build:wd
FROM ${BASE}
WORKDIR /app
RUN echo helper > /app/helper.txt
USER 1000
\`\`\`

\`\`\`shark-run:wd
pwd > /data/pwd.txt; cat helper.txt > /data/h.txt
\`\`\`

\`\`\`shark-publish
/data/pwd.txt
/data/h.txt
\`\`\`
`;

  it('runs a step in the image\'s WORKDIR when no frontmatter path: is given, and in path: when it is', async () => {
    writeFileSync(join(tmp.dir, 'w.md'), `# workdir\n${WORKDIR_USER}`);
    const ran = await shark(['run', 'w.md'], tmp.dir);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, '_shark', 'pwd.txt'), 'utf8')).toBe('/app\n');
    expect(readFileSync(join(tmp.dir, '_shark', 'h.txt'), 'utf8')).toBe('helper\n');

    writeFileSync(join(tmp.dir, 'p.md'), `---\npath: /tmp\n---\n# workdir\n${WORKDIR_USER.replace('cat helper.txt', 'cat /app/helper.txt')}`);
    const given = await shark(['run', 'p.md'], tmp.dir);
    expect(given.code, given.stderr + given.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, '_shark', 'pwd.txt'), 'utf8')).toBe('/tmp\n');
  });

  it('fails a job whose environment names a USER the image does not have with reason environment, pointing at the build block', async () => {
    writeFileSync(join(tmp.dir, 'u.md'), `# user

\`\`\`shark-build:nouser
FROM ${BASE}
USER nosuchuser
\`\`\`

\`\`\`shark-run:nouser
echo hi > /data/x.txt
\`\`\`
`);
    const ran = await shark(['run', 'u.md', '--json'], tmp.dir);
    expect(ran.code).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { message: string; reason: string });
    expect(failed).toMatchObject([{ reason: 'environment', message: 'environment nouser (u.md:3:1): its USER nosuchuser does not exist in the image (no such entry in its /etc/passwd)' }]);
    expect(failed[0]!.message).not.toContain('HTTP');
  });

  it('fails a job whose image has no /bin/sh with reason environment, saying a step needs a shell (it was an internal error with the runtime\'s text)', async () => {
    // An image of one file: the busybox binary, not at /bin/sh.
    copyFileSync('/bin/busybox', join(tmp.dir, 'busybox'));
    writeFileSync(join(tmp.dir, 's.md'), '```shark-build:bare\nFROM scratch\nCOPY busybox /busybox\n```\n\n```shark-run:bare\necho hi > /data/x.txt\n```\n');
    const ran = await shark(['run', 's.md', '--json'], tmp.dir);
    expect(ran.code).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { message: string; reason: string });
    expect(failed).toMatchObject([{ reason: 'environment', message: 'environment bare (s.md:1:1): the image has no /bin/sh, which runs each step: build it FROM a base with a shell, or COPY a static one (busybox) to /bin/sh' }]);
  });

  it('runs a step as /bin/sh -c SCRIPT whatever the image\'s ENTRYPOINT (it wrapped the command, and /bin/false failed every step)', async () => {
    writeFileSync(join(tmp.dir, 'e.md'), `\`\`\`shark-build:entry
FROM ${BASE}
ENTRYPOINT ["/bin/false"]
CMD ["ignored"]
\`\`\`

\`\`\`shark-run:entry
echo "$0" > /data/x.txt
\`\`\`

\`\`\`shark-publish
/data/x.txt
\`\`\`
`);
    const ran = await shark(['run', 'e.md'], tmp.dir);
    removeBuiltImages(join(tmp.dir, 'e.lock.json'));
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(readFileSync(join(tmp.dir, '_shark', 'x.txt'), 'utf8')).toBe('/bin/sh\n');
  });
});
