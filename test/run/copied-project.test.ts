import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

const PIPELINE = `---
inputs:
  items: /data/items/
---
# Per item

\`\`\`shark-run
echo made >> ../counter && tr a-z A-Z < /data/items/* > /data/up/+
\`\`\`

## Total

\`\`\`shark-run
echo made >> ../counter && cd /data/up/ && cat * > /data/all.txt
\`\`\`
`;

/** Every object file of a CAS store. */
function objects(store: string): string[] {
  const dir = join(store, 'objects');
  return readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)));
}

describe('a project copied with cp -r (new inodes and times for every stored file)', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('src/p.md', PIPELINE);
    for (const name of ['a', 'b', 'c']) rig.write(`src/items/${name}.txt`, `${name}\n`);
  });
  afterEach(() => rig.cleanup());

  it('finds its results cached once their bytes are hashed again, and runs nothing', async () => {
    expect((await rig.shark(['run', 'p.md', '-i', 'items=items'], { cwd: 'src' })).code).toBe(0);
    expect(rig.lines()).toHaveLength(4);
    expect(spawnSync('cp', ['-r', rig.path('src'), rig.path('copy')]).status).toBe(0);
    // cp -r gives each object the time of the copy: none shows the stored one any longer.
    expect(objects(rig.path('copy/.shark')).every((f) => statSync(f).mtimeMs !== 1000)).toBe(true);
    const plan = await rig.shark(['plan', 'p.md', '-i', 'items=items'], { cwd: 'copy' });
    expect(plan.stdout).not.toMatch(/no longer in the store/);
    expect(toRun(await rig.plan('copy/p.md', '-i', `items=${rig.path('copy/items')}`))).toEqual([]);
    const run = await rig.shark(['run', 'p.md', '-i', 'items=items'], { cwd: 'copy' });
    expect(run.stdout).toMatch(/ok: 0 run, 4 cached/);
    expect(rig.lines()).toHaveLength(4);
  });

  it('still runs again what a stored file no longer holds, the same size but other bytes', async () => {
    expect((await rig.shark(['run', 'p.md', '-i', 'items=items'], { cwd: 'src' })).code).toBe(0);
    expect(spawnSync('cp', ['-r', rig.path('src'), rig.path('copy')]).status).toBe(0);
    // all.txt holds "A\nB\nC\n": the one object of six bytes.
    const all = objects(rig.path('copy/.shark')).find((f) => statSync(f).size === 6)!;
    chmodSync(all, 0o644);
    writeFileSync(all, 'X\nY\nZ\n');
    const plan = await rig.plan('copy/p.md', '-i', `items=${rig.path('copy/items')}`);
    expect(toRun(plan)).toEqual(['total']);
    const run = await rig.shark(['run', 'p.md', '-i', 'items=items'], { cwd: 'copy' });
    expect(run.stdout).toMatch(/ok: 1 run, 3 cached/);
  });
});
