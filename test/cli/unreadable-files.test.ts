import { chmodSync, copyFileSync, mkdirSync, utimesSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/** Files shark may not read: refused as bad input where the document names them, never an internal error. */
describe('unreadable inputs, {deps} files and programs', () => {
  const rig = new Rig();
  const { options, skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  rig.write('p.md', '---\ninputs:\n  f: /data/f.txt\n---\n# P\n\n```shark-run {id=p}\ncat /data/f.txt > /data/out.txt\n```\n');
  rig.write('q.md', '---\ninputs:\n  d: /data/d\n---\n# Q\n\n```shark-run {id=q}\nls /data/d > /data/list.txt\n```\n');
  rig.write('dep.md', '# D\n\n```shark-run {deps=dep.txt}\necho hi > /data/out.txt\n```\n');
  rig.write('tool.md', '# T\n\n```shark-run {id=t}\ntool > /data/out.txt\n```\n');
  rig.write('f.txt', 'f\n');
  rig.write('dep.txt', 'dep\n');
  rig.write('indir/a', 'a\n');
  rig.write('indir/b', 'b\n');
  rig.write('indir/sub/c', 'c\n');

  it.skipIf(skip !== undefined)('an input file that cannot be read is exit 2 at the input, for plan and run', async () => {
    chmodSync(rig.path('f.txt'), 0o000);
    try {
      for (const command of ['plan', 'run']) {
        const ran = await shark(command, 'p.md', '-i', 'f=f.txt');
        noCrash(ran.stderr);
        expect(ran.stderr).toContain('p.md:3:6: error: input `f` is bound to f.txt, which cannot be read: permission denied');
        expect(ran.code).toBe(2);
      }
    } finally {
      chmodSync(rig.path('f.txt'), 0o644);
    }
  });

  it('an input that fails to read (EIO, as /proc/self/mem gives) is exit 2 at the input, for plan and run, and leaves no run', async () => {
    for (const command of ['plan', 'run']) {
      const ran = await shark(command, 'p.md', '-i', 'f=/proc/self/mem');
      noCrash(ran.stderr);
      expect(ran.stderr).toContain('p.md:3:6: error: input `f` is bound to /proc/self/mem, which cannot be read: i/o error\n');
      expect(ran.code).toBe(2);
    }
    const runs = await shark('runs', 'p.md');
    expect(runs.stdout).not.toMatch(/failed/);
  });

  it.skipIf(skip !== undefined).each([
    ['a file', 'indir/b', 'indir/b'],
    ['a directory', 'indir/sub', 'indir/sub'],
  ])('%s inside an input directory that cannot be read is exit 2 at the input, for plan and run', async (_, rel, shown) => {
    chmodSync(rig.path(rel), 0o000);
    try {
      for (const command of ['plan', 'run']) {
        const ran = await shark(command, 'q.md', '-i', 'd=indir');
        noCrash(ran.stderr);
        expect(ran.stderr).toContain(`q.md:3:6: error: input \`d\` is bound to indir, which holds ${shown}, which cannot be read: permission denied`);
        expect(ran.code).toBe(2);
      }
    } finally {
      chmodSync(rig.path(rel), 0o755);
    }
  });

  it.skipIf(skip !== undefined)('a file among hundreds (hashed on worker threads) that cannot be read is exit 2, and shark exits', async () => {
    for (let i = 0; i < 400; i++) rig.write(`many/f${i}`, `${i}\n`);
    chmodSync(rig.path('many/f200'), 0o000);
    try {
      for (const command of ['plan', 'run']) {
        const ran = await rig.shark([command, 'q.md', '-i', 'd=many'], { ...options, timeoutMs: 20_000 });
        noCrash(ran.stderr);
        expect(ran.stderr).toContain('which holds many/f200, which cannot be read: permission denied');
        expect(ran.code).toBe(2);
      }
    } finally {
      chmodSync(rig.path('many/f200'), 0o644);
    }
  });

  it.skipIf(skip !== undefined)('a {deps} file that cannot be read is refused as a missing one is, at the option', async () => {
    chmodSync(rig.path('dep.txt'), 0o000);
    try {
      const plan = await shark('plan', 'dep.md');
      noCrash(plan.stderr);
      expect(plan.stdout).toContain('{deps=…}: dep.txt cannot be read: permission denied');
      const run = await shark('run', 'dep.md');
      noCrash(run.stderr);
      expect(run.stdout).toContain('dep.md:3:15: error: {deps=…}: dep.txt cannot be read: permission denied');
      expect(run.code).toBe(1);
    } finally {
      chmodSync(rig.path('dep.txt'), 0o644);
    }
  });

  it.skipIf(skip !== undefined)('a program that can be run but not read is keyed by its size and time: it runs, is cached, and a new one re-runs', async () => {
    mkdirSync(rig.path('bin'), { recursive: true });
    copyFileSync('/bin/true', rig.path('bin/tool'));
    chmodSync(rig.path('bin/tool'), 0o111);
    const withTool = { ...options, env: { ...options.env, PATH: `${rig.path('bin')}:${process.env['PATH'] ?? ''}` } };
    const first = await rig.shark(['run', 'tool.md'], withTool);
    noCrash(first.stderr);
    expect(first.code).toBe(0);
    const again = await rig.shark(['plan', 'tool.md'], withTool);
    expect(again.stdout).toContain('0 to run');
    utimesSync(rig.path('bin/tool'), new Date(), new Date(Date.now() + 5000));
    const changed = await rig.shark(['plan', 'tool.md'], withTool);
    noCrash(changed.stderr);
    expect(changed.stdout).toContain(`program ${rig.path('bin/tool')} changed`);
  });
});
