import { execFileSync } from 'node:child_process';
import { chmodSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTree } from '../../src/store/owner-access.js';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/** Local imports and inputs shark may not read: refused at the document before any run is recorded (exit 2). */
describe('unreadable local imports, and inputs refused before the run', () => {
  const rig = new Rig();
  const { skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  rig.write('q.md', '# Imp\n\n```shark-import\nfile:s.txt /data/s.txt\n```\n\n```shark-run {id=c}\ncat /data/s.txt > /data/c.txt\n```\n');
  rig.write('d.md', '# Dir\n\n```shark-import\nfile:local/ /data/loc/\n```\n\n```shark-run {id=c}\nls /data/loc > /data/c.txt\n```\n');
  rig.write('p.md', '---\ninputs:\n  one: /data/one.txt\n---\n# I\n\n```shark-run {id=c}\ncat /data/one.txt > /data/copy.txt\n```\n');
  rig.write('s.txt', 's\n');
  rig.write('local/ok', 'ok\n');
  rig.write('local/secret', 'x\n');
  rig.write('one.txt', '1\n');
  rig.write('l.md', '# Link\n\n```shark-import\nfile:linked/ /data/loc/\n```\n\n```shark-run {id=c}\nls /data/loc > /data/c.txt\n```\n');
  rig.write('linked/ok', 'ok\n');
  rig.write('drive/secret', 'x\n');
  symlinkSync('../drive/secret', rig.path('linked/secret'));
  rig.write('two.txt', '2\n');

  it.skipIf(skip !== undefined).each([
    ['a file', 'q.md', 's.txt', 'q.md:4:1: error: local import `file:s.txt` cannot be read: permission denied'],
    ['a file inside a directory', 'd.md', 'local/secret', 'd.md:4:1: error: local import `file:local/` holds local/secret, which cannot be read: permission denied'],
    ['a file a link inside a directory leads to', 'l.md', 'drive/secret', `l.md:4:1: error: local import \`file:linked/\` leads through a symbolic link to ${rig.path('drive/secret')}, which cannot be read: permission denied`],
  ])('%s imported that cannot be read is exit 2 at the import, for plan and run, and records no run', async (_, doc, rel, expected) => {
    chmodSync(rig.path(rel), 0o000);
    try {
      for (const command of ['plan', 'run']) {
        const ran = await shark(command, doc);
        noCrash(ran.stderr);
        expect(ran.stderr).toContain(expected);
        expect(ran.code).toBe(2);
      }
      const runs = await shark('runs', doc);
      expect(runs.stdout).not.toMatch(/interrupted|\sfailed\s/);
    } finally {
      chmodSync(rig.path(rel), 0o644);
    }
  });

  it.skipIf(skip !== undefined)('an unreadable input refused by run does not become the latest run', async () => {
    const good = await shark('run', 'p.md', '-i', 'one=one.txt');
    expect(good.code).toBe(0);
    chmodSync(rig.path('two.txt'), 0o000);
    try {
      const refused = await shark('run', 'p.md', '-i', 'one=two.txt');
      noCrash(refused.stderr);
      expect(refused.stderr).toContain('p.md:3:8: error: input `one` is bound to two.txt, which cannot be read: permission denied');
      expect(refused.code).toBe(2);
    } finally {
      chmodSync(rig.path('two.txt'), 0o644);
    }
    const runs = await shark('runs', 'p.md');
    expect(runs.stdout.trim().split('\n').slice(1)).toEqual([expect.stringMatching(/^1\s+ok\s/)]);
    const lineage = await shark('lineage', 'p.md', '/data/copy.txt');
    expect(lineage.code).toBe(0);
  });

  it('a local directory holding a path too long to name is exit 2 at the import, for plan and run (was an internal error, ENAMETOOLONG)', async () => {
    // 70 directories of 60 bytes: each name is fine, the path to the file is past PATH_MAX.
    execFileSync('python3', ['-c', 'import os, sys\nos.makedirs(sys.argv[1])\nos.chdir(sys.argv[1])\nfor _ in range(70): os.mkdir("d" * 60); os.chdir("d" * 60)\nopen("f", "w").write("deep")', rig.path('deep')]);
    rig.write('deep.md', '# Deep\n\n```shark-import\ndeep/ /data/deep/\n```\n\n```shark-run {id=c}\nls /data/deep/ > /data/c.txt\n```\n');
    try {
      for (const command of ['plan', 'run']) {
        const ran = await rig.shark([command, 'deep.md']);
        expect(ran.stderr).not.toContain('internal error');
        expect(ran.stderr).toMatch(/^deep\.md:4:1: error: local import `deep\/` holds deep\/d{60}\/.*, which cannot be read: file name too long$/m);
        expect(ran.code).toBe(2);
      }
    } finally {
      removeTree(rig.path('deep'));
    }
  });
});

