import { symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

const doc = (who: string): string => `# P\n\n\`\`\`shark-run\necho project ${who} > /data/out.txt\n\`\`\`\n`;

/**
 * A shared store linked into each project (`store -> /scratch/lab-store`)
 * is one store: its identity and the places of the documents it records are
 * taken from its real path, not from the link.
 */
describe('a store reached through a symbolic link', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('gc of pipelines named together, one naming the store by a link, frees neither one\'s result', async () => {
    rig.write('shared/.keep', '');
    rig.write('pA/shark.yaml', `store: ${rig.path('shared')}\n`);
    rig.write('pA/p.md', doc('A'));
    rig.write('pB/shark.yaml', 'store: st\n');
    rig.write('pB/p.md', doc('B'));
    symlinkSync(rig.path('shared'), rig.path('pB/st'), 'dir');
    expect((await rig.shark(['run', 'pA/p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'pB/p.md'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'pA/p.md', 'pB/p.md', '--delete']);
    expect(gc.stderr).toBe('');
    expect(gc.code).toBe(0);
    // One pass over the one store, keeping both.
    expect(gc.stdout.match(/keeping/g)?.length).toBe(1);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('pA/p.md'))).toEqual([]);
    expect(toRun(await rig.plan('pB/p.md'))).toEqual([]);
  });

  it('two projects each linking the shared store as store/: runs, lineage and logs of one never show the other\'s', async () => {
    rig.write('shared/.keep', '');
    for (const p of ['A', 'B']) {
      rig.write(`proj${p}/shark.yaml`, 'store: store\n');
      rig.write(`proj${p}/p.md`, doc(p));
      symlinkSync(rig.path('shared'), rig.path(`proj${p}/store`), 'dir');
    }
    expect((await rig.shark(['run', 'projA/p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'projB/p.md'])).code).toBe(0);
    const runs = await rig.shark(['runs', 'projA/p.md']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^\s*1\b/m);
    expect(runs.stdout).not.toMatch(/^\s*2\b/m);
    const lineage = await rig.shark(['lineage', 'projA/p.md', '/data/out.txt']);
    expect(lineage.stdout).toContain('echo project A');
    expect(lineage.stdout).not.toContain('project B');
    const gc = await rig.shark(['gc', 'projA/p.md', 'projB/p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    expect(toRun(await rig.plan('projA/p.md'))).toEqual([]);
    expect(toRun(await rig.plan('projB/p.md'))).toEqual([]);
  });
});
