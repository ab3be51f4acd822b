import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, scratch, shark } from './rig.js';

/** What the image's Dockerfile says of as whom its jobs run: USER. */
describeDocker('the image\'s USER', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => (tmp = scratch('shark-docker-image-config-')));
  afterEach(() => {
    for (const name of ['u.md']) removeBuiltImages(join(tmp.dir, name.replace(/\.md$/, '.lock.json')));
    tmp.cleanup();
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
});
