import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, scratch, shark, unique } from './rig.js';

/**
 * The classic builder colours what a RUN writes to stderr (`ESC[91m … ESC[0m`).
 * A failed build's last lines reach the user in the failure: not as raw escape
 * codes in a pipe, nor in `--json` events.
 */
describeDocker('a failed build\'s log, shown in a pipe and in JSON (CLI)', () => {
  let tmp: ReturnType<typeof scratch>;
  const marker = unique('oops');
  beforeEach(() => {
    tmp = scratch('shark-docker-escapes-');
    writeFileSync(join(tmp.dir, 'p.md'), `# p

\`\`\`shark-build:e
FROM ${BASE}
RUN echo ${marker} >&2 && exit 3
\`\`\`

\`\`\`shark-run:e
echo hi > /data/x.txt
\`\`\`
`);
  });
  afterEach(() => tmp.cleanup());

  it('has no escape codes, and still the build\'s words', async () => {
    const piped = await shark(['run', 'p.md'], tmp.dir);
    expect(piped.code).toBe(1);
    expect(piped.stdout + piped.stderr).toContain(marker);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b');

    const json = await shark(['run', 'p.md', '--json'], tmp.dir);
    const failed = json.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; message?: string })
      .find((e) => e.type === 'step-failed');
    expect(failed?.message).toContain(marker);
    expect(failed?.message).not.toContain('\x1b');
  });
});
