import { execFileSync } from 'node:child_process';
import { chmodSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A COPY source not beside the document: refused at the source, before any
 * build or run, as a missing local import is (the engine only found it as a
 * failed build, exit 1, that plan had called `not built yet`).
 */
describe('a COPY source that does not exist', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());

  rig.write('b.md', '# b\n\n```shark-build:tools\nFROM shark-test/busybox:latest\nCOPY here.txt \\\n  missing.txt /opt/\n```\n\n```shark-run:tools\necho hi > /data/out.txt\n```\n');
  rig.write('o.md', '```shark-build:tools\n((from shark-test/busybox:latest)\n (copy (src here.txt "gone dir") (dst /opt/)))\n```\n\n```shark-run:tools\necho hi > /data/out.txt\n```\n');
  rig.write('g.md', '```shark-build:tools\nFROM shark-test/busybox:latest\nCOPY ["*.py", "/opt/"]\n```\n\n```shark-run:tools\necho hi > /data/out.txt\n```\n');
  rig.write('here.txt', 'x\n');

  it('is exit 2 at the source with the line shown, for plan and run, and records no run', async () => {
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'b.md']);
      expect(ran.stderr).toBe(`b.md:6:3: error: COPY source \`missing.txt\` of environment tools does not exist (looked for ${rig.path('missing.txt')})\n`
        + '    6 |   missing.txt /opt/\n      |   ^\n1 error in b.md\n');
      expect(ran.code).toBe(2);
    }
    expect((await rig.shark(['runs', 'b.md'])).stdout).not.toMatch(/^\s*1\s/m);
  });

  it('is found in an OBuilder (copy …) and for a pattern that matches nothing', async () => {
    const obuilder = await rig.shark(['plan', 'o.md']);
    expect(obuilder.stderr).toContain(`o.md:3:22: error: (copy …) source \`gone dir\` of environment tools does not exist (looked for ${rig.path('gone dir')})\n`);
    expect(obuilder.code).toBe(2);
    const glob = await rig.shark(['run', 'g.md']);
    expect(glob.stderr).toContain(`g.md:3:7: error: COPY source \`*.py\` of environment tools matches nothing in ${rig.dir}\n`);
    expect(glob.code).toBe(2);
  });

  it('passes check, which reads no local files (as for a missing local import)', async () => {
    expect((await rig.shark(['check', 'b.md'])).code).toBe(0);
  });
});

/** A COPY source the engine could not be sent: refused at the source (exit 2), not an internal error (exit 70). */
describe('a COPY source that cannot be read', () => {
  const rig = new Rig();
  const { skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  rig.write('u.md', '# u\n\n```shark-build:tools\nFROM shark-test/busybox:latest\nCOPY lib /lib2\n```\n\n```shark-run:tools\nls /lib2 > /data/a.txt\n```\n');
  rig.write('f.md', '# f\n\n```shark-build:tools\nFROM shark-test/busybox:latest\nCOPY pipe /opt/pipe\n```\n\n```shark-run:tools\necho > /data/a.txt\n```\n');
  rig.write('lib/ok.txt', 'ok\n');
  rig.write('lib/secret', 'x\n');

  it.skipIf(skip !== undefined)('holding a file this user may not read: exit 2 at the source, for plan and run', async () => {
    chmodSync(rig.path('lib/secret'), 0o000);
    try {
      for (const command of ['plan', 'run']) {
        const ran = await shark(command, 'u.md');
        noCrash(ran.stderr);
        expect(ran.stderr).toContain('u.md:5:6: error: COPY source `lib` of environment tools holds lib/secret, which cannot be read: permission denied');
        expect(ran.code).toBe(2);
      }
    } finally {
      chmodSync(rig.path('lib/secret'), 0o644);
    }
  });

  it('a FIFO: exit 2 at the source, not a build failing on a file "not found in build context"', async () => {
    execFileSync('mkfifo', [rig.path('pipe')]);
    const ran = await rig.shark(['plan', 'f.md']);
    expect(ran.stderr).toContain('f.md:5:6: error: COPY source `pipe` of environment tools is a named pipe (FIFO): it cannot be copied into an image');
    expect(ran.code).toBe(2);
  });

  it('a FIFO that .dockerignore leaves out of a COPY . is not refused: it is never sent (it was exit 2)', async () => {
    const dir = new Rig('shark-fifo-ignored-');
    try {
      dir.write('sub/a', 'a\n');
      execFileSync('mkfifo', [dir.path('sub/pipe')]);
      dir.write('d.md', '```shark-build:ff\nFROM shark-test/busybox:latest\nCOPY . /app\n```\n\n```shark-run:ff\nls /app > /data/ls.txt\n```\n');
      expect((await dir.shark(['plan', 'd.md'])).stderr).toContain('holds sub/pipe, which is a named pipe (FIFO)');
      dir.write('.dockerignore', 'sub/pipe\n');
      const ran = await dir.shark(['plan', 'd.md']);
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});

/**
 * A COPY source that is there but left out of the context (by `.dockerignore`,
 * or because the document publishes into it): the engine finds nothing to
 * copy. Refused at the source by plan and run, as a missing one (run failed
 * the build saying the file was "no longer in the pipeline's directory").
 */
describe('a COPY source left out of the build context', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());

  rig.write('tool.sh', 'echo hi\n');
  rig.write('lib/a.sh', 'echo a\n');
  rig.write('.dockerignore', 'tool.sh\nlib/*.sh\n');
  rig.write('i.md', '```shark-build:m\nFROM shark-test/busybox:latest\nCOPY tool.sh /opt/tool.sh\n```\n\n```shark-run:m\nsh /opt/tool.sh > /data/out.txt\n```\n');
  rig.write('w.md', '```shark-build:m\nFROM shark-test/busybox:latest\nCOPY lib/*.sh /opt/\n```\n\n```shark-run:m\nls /opt > /data/out.txt\n```\n');
  rig.write('results/old.txt', 'published\n');
  rig.write('p.md', '```shark-build:m\nFROM shark-test/busybox:latest\nCOPY results/old.txt /opt/\n```\n\n```shark-run:m\nls /opt > /data/out.txt\n```\n\n```shark-publish:results\n/data/out.txt\n```\n');

  it('by .dockerignore: exit 2 at the source for plan and run, naming .dockerignore, and no run recorded', async () => {
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'i.md']);
      expect(ran.stderr).toContain('i.md:3:6: error: COPY source `tool.sh` of environment m is left out of the build context by .dockerignore: the engine would find nothing to copy');
      expect(ran.code).toBe(2);
    }
    const glob = await rig.shark(['plan', 'w.md']);
    expect(glob.stderr).toContain('w.md:3:6: error: COPY source `lib/*.sh` of environment m matches only what .dockerignore leaves out of the build context (lib/a.sh)');
    expect(glob.code).toBe(2);
    expect((await rig.shark(['runs', 'i.md'])).stdout).not.toMatch(/^\s*1\s/m);
  });

  it('in a directory the document publishes into: exit 2, saying published results are no part of an environment', async () => {
    const ran = await rig.shark(['plan', 'p.md']);
    expect(ran.stderr).toContain('p.md:3:6: error: COPY source `results/old.txt` of environment m is in results/, where the document publishes (shark-publish:results): what a run publishes is never part of an environment');
    expect(ran.code).toBe(2);
  });
});

/** Every bad COPY source of the document, each at its line: not the first one per run, so that they are fixed in one go. */
describe('several bad COPY sources', () => {
  const rig = new Rig();
  const outside = new Rig();
  afterAll(() => (rig.cleanup(), outside.cleanup()));

  outside.write('a', 's\n');
  outside.write('b', 't\n');
  rig.write('p.md', '# p\n\n```shark-build:m\nFROM shark-test/busybox:latest\nCOPY ka /opt/a\nCOPY kb gone.txt /opt/\n```\n\n```shark-build:n\nFROM shark-test/busybox:latest\nCOPY ka /opt/a\n```\n\n```shark-run:m\necho hi > /data/out.txt\n```\n');

  it('are all reported, each located, for plan and run (exit 2)', async () => {
    symlinkSync(outside.path('a'), rig.path('ka'));
    symlinkSync(outside.path('b'), rig.path('kb'));
    const link = (source: string, target: string): string => `COPY source \`${source}\` of environment m is a symbolic link to ${outside.path(target)}, outside the pipeline's directory`;
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code).toBe(2);
      const located = ran.stderr.split('\n').filter((l) => /^p\.md:\d+:\d+: error: /.test(l));
      expect(located.map((l) => l.replace(/: Docker sends.*$/, ''))).toEqual([
        `p.md:5:6: error: ${link('ka', 'a')}`,
        `p.md:6:6: error: ${link('kb', 'b')}`,
        `p.md:6:9: error: COPY source \`gone.txt\` of environment m does not exist (looked for ${rig.path('gone.txt')})`,
        `p.md:11:6: error: ${link('ka', 'a').replace('environment m', 'environment n')}`,
      ]);
      expect(ran.stderr).toContain('4 errors in p.md');
    }
  });
});
