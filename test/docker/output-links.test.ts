import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, run, scratch } from './rig.js';

/**
 * A hostile container step replaces a directory above its output with a
 * link to a host directory. The link resolves on the host, not in the
 * container: the store must take nothing through it (the host's files
 * would be renamed into the store, and handed to the next step).
 */
describeDocker('a container step that puts a link above its output', () => {
  let tmp: ReturnType<typeof scratch>;
  let victim: string;
  let project: string;
  beforeEach(() => {
    tmp = scratch('shark-docker-output-links-');
    // Outside the workspace: the host's own files.
    victim = join(tmp.dir, 'outside');
    mkdirSync(join(victim, 'sub'), { recursive: true });
    writeFileSync(join(victim, 'secret.txt'), 'SECRET\n');
    writeFileSync(join(victim, 'sub', 'f'), 'HOST FILE\n');
    project = join(tmp.dir, 'project');
    mkdirSync(project);
  });
  afterEach(() => tmp.cleanup());

  const pipeline = (body: string): string => `\`\`\`shark-build:box\nFROM ${BASE}\n\`\`\`\n\n${body}`;
  const untouched = (): void => {
    expect(readFileSync(join(victim, 'secret.txt'), 'utf8')).toBe('SECRET\n');
    expect(readdirSync(join(victim, 'sub'))).toEqual(['f']);
    expect(readFileSync(join(victim, 'sub', 'f'), 'utf8')).toBe('HOST FILE\n');
  };

  it('an output file below the link: the job fails naming it, the host file is neither taken nor published', async () => {
    writeFileSync(join(project, 'p.md'), pipeline(`\`\`\`shark-run:box
echo innocent > /data/out/secret.txt; rm -rf /data/out; ln -s ${victim} /data/out
\`\`\`

\`\`\`shark-publish
/data/out/secret.txt
\`\`\`
`));
    const r = await run('p.md', project);
    expect(r.result.code, r.result.stderr).toBe(1);
    expect(r.result.stdout).toContain('a symbolic link is in the way at /data/out');
    untouched();
    expect(readdirSync(project)).not.toContain('_shark');
  });

  it('an output directory below the link: the host directory keeps its files, and no later step gets them', async () => {
    writeFileSync(join(project, 'p.md'), pipeline(`\`\`\`shark-run:box
mkdir -p /data/res/sub && echo x > /data/res/sub/f && rm -rf /data/res && ln -s ${victim} /data/res
\`\`\`

\`\`\`shark-run:box
cat /data/res/sub/f > /data/seen.txt
\`\`\`

\`\`\`shark-publish
/data/seen.txt
\`\`\`
`));
    const r = await run('p.md', project);
    expect(r.result.code, r.result.stderr).toBe(1);
    expect(r.result.stdout).toContain('a symbolic link is in the way at /data/res');
    untouched();
    expect(readdirSync(project)).not.toContain('_shark');
  });

  // Before the container starts, Shark opens the directories of the outputs to the image's user (chmod 0777).
  it('an output that is a link in the input data: no host directory is made world-writable', async () => {
    chmodSync(victim, 0o755);
    writeFileSync(join(project, 'p.md'), pipeline(`\`\`\`shark-run:box
mkdir -p /data/d && echo a > /data/d/a.txt && ln -s ${victim} /data/d/extra
\`\`\`

\`\`\`shark-run:box
ls /data/d/ > /data/d/extra
\`\`\`
`));
    const r = await run('p.md', project);
    expect(r.result.code, r.result.stderr).toBe(1);
    expect((statSync(victim).mode & 0o7777).toString(8)).toBe('755');
    untouched();
  });
});
