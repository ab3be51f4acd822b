import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, lockOf, removeBuiltImages, run, scratch, shark } from './rig.js';

/** Docker sends nothing from outside the build context: a COPY source that is a link out of it must not smuggle a host file in. */
describeDocker('COPY of a symbolic link (CLI)', () => {
  let tmp: ReturnType<typeof scratch>;
  let proj: string;
  beforeEach(() => {
    tmp = scratch('shark-docker-links-');
    proj = join(tmp.dir, 'proj');
    mkdirSync(proj);
    writeFileSync(join(tmp.dir, 'secret.txt'), 'SECRET\n');
    writeFileSync(join(proj, 'real.txt'), 'real\n');
  });
  afterEach(() => {
    removeBuiltImages(join(proj, 'p.lock.json'));
    tmp.cleanup();
  });

  const pipeline = (source: string): string => `# p

\`\`\`shark-build:m
FROM ${BASE}
COPY ${source} /s.txt
\`\`\`

\`\`\`shark-run:m
cat /s.txt > /data/m.txt
\`\`\`

\`\`\`shark-publish:out
/data/m.txt
\`\`\`
`;

  it('refuses a link to a file outside the pipeline\'s directory at its COPY, for plan and run, and builds nothing (plan said `not built yet`)', async () => {
    symlinkSync(join(tmp.dir, 'secret.txt'), join(proj, 'lnk.txt'));
    writeFileSync(join(proj, 'p.md'), pipeline('lnk.txt'));
    expect((await shark(['plan', 'p.md'], proj)).code).toBe(2);
    const r = await shark(['run', 'p.md'], proj);
    const said = r.stdout + r.stderr;
    expect(r.code, said).toBe(2);
    expect(said).toMatch(new RegExp(`p\\.md:\\d+:\\d+: error: COPY source \`lnk\\.txt\` of environment m is a symbolic link to ${join(tmp.dir, 'secret.txt').replace(/[.]/g, '\\.')}, outside the pipeline's directory`));
    expect(said).not.toContain('SECRET');
    expect(lockOf(join(proj, 'p.md')).environments.m).toBeUndefined();
  });

  it('refuses a path through a linked directory outside it too', async () => {
    symlinkSync('..', join(proj, 'up'));
    writeFileSync(join(proj, 'p.md'), pipeline('up/secret.txt'));
    const r = await shark(['run', 'p.md'], proj);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(`COPY source \`up/secret.txt\` of environment m goes through up, a symbolic link to ${tmp.dir}, outside the pipeline's directory`);
  });

  it('copies what a link inside the directory names, as Docker does', async () => {
    symlinkSync('real.txt', join(proj, 'lnk.txt'));
    writeFileSync(join(proj, 'p.md'), pipeline('lnk.txt'));
    const r = await run('p.md', proj);
    expect(r.result.code, r.result.stderr + r.result.stdout).toBe(0);
    expect(readFileSync(join(proj, 'out', 'm.txt'), 'utf8')).toBe('real\n');
  });
});
