import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, onTestFinished } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, run, scratch, unique } from './rig.js';

/** An environment that copies the whole pipeline directory, as a project's own code often is. */
const pipeline = (edition: string): string => [
  '```shark-build:app',
  `FROM ${BASE}`,
  `ENV EDITION=${edition}`,
  'COPY . /app',
  '```',
  '',
  '```shark-run:app',
  'ls /app > /data/listing.txt',
  '```',
  '',
].join('\n');

describeDocker('run -o FILE where a COPY of the environment takes FILE', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-executed-context-');
    writeFileSync(join(tmp.dir, 'p.md'), pipeline(unique('edition')));
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('warns that writing it rebuilds the environment, and says how to keep it out', async () => {
    const first = await run('p.md', tmp.dir, ['-o', 'executed.md']);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.result.stderr).toContain('shark: warning: executed.md is in the build context of environment app (COPY . at line 4): ');
    expect(first.result.stderr).toContain('add executed.md to .dockerignore');
    // As warned: the executed document written by the first run is a new copied file.
    expect((await run('p.md', tmp.dir, ['-o', 'executed.md'])).started).toEqual(['run']);
  });

  it('says nothing once .dockerignore leaves it out, and the second run builds and runs nothing', async () => {
    writeFileSync(join(tmp.dir, '.dockerignore'), 'executed.md\n');
    const first = await run('p.md', tmp.dir, ['-o', 'executed.md']);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.result.stderr).not.toContain('warning');
    expect((await run('p.md', tmp.dir, ['-o', 'executed.md'])).started).toEqual([]);
    // Written outside the directory, or into _shark/ (never in a context): no warning either.
    const outside = join(tmp.dir, '..', `${unique('x')}.md`);
    onTestFinished(() => rmSync(outside, { force: true }));
    expect((await run('p.md', tmp.dir, ['-o', outside])).result.stderr).not.toContain('warning');
  });
});

describeDocker('COPY . of a pipeline that publishes into a directory of its own (shark-publish:results)', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-published-context-');
    writeFileSync(join(tmp.dir, 'p.md'), `${pipeline(unique('edition'))}\n\`\`\`shark-run:app\ndate +%s%N > /data/t.txt\n\`\`\`\n\n\`\`\`shark-publish:results\n/data/listing.txt\n/data/t.txt\n\`\`\`\n`);
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('leaves what it publishes out of the image: the second run builds and runs nothing (it rebuilt on every run)', async () => {
    const first = await run('p.md', tmp.dir);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect((await run('p.md', tmp.dir)).started).toEqual([]);
  });
});
