import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A colleague's store, which this user may read but not write: the commands
 * that only read answer from it, those that write say so in one line.
 */
const PIPELINE = '# Shared\n\n```shark-import\nin/ /data/in/\n```\n\n## Map\n\n```shark-run\ncp /data/in/*.txt /data/out/+\n```\n';

describe('a store read-only to the user', () => {
  const rig = new Rig('shark-read-only-store-');
  const { skip, shark } = unprivileged(rig);
  beforeAll(async () => {
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    // Run by its owner (the tests' user): `.shark/` and its database are not writable by `nobody`.
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it.skipIf(skip !== undefined)('is read by runs, plan, lineage, logs, fsck and a gc dry run', async () => {
    const before = readdirSync(rig.path('.shark')).sort();
    const runs = await shark('runs', 'p.md');
    noCrash(runs.stderr);
    expect(runs.stdout).toMatch(/^1 +ok /m);
    const plan = await shark('plan', 'p.md');
    noCrash(plan.stderr);
    expect(plan.stdout).toContain('3 jobs: 3 cached, 0 to run');
    const lineage = await shark('lineage', 'p.md', '/data/out/a.txt');
    expect(lineage.stdout).toMatch(/^map\[a\.txt\]/);
    expect((await shark('logs', 'p.md', 'map')).code).toBe(0);
    const fsck = await shark('fsck');
    noCrash(fsck.stderr);
    expect(fsck.code).toBe(0);
    expect((await shark('gc', 'p.md')).stdout).toContain('would free 0 objects');
    expect(readdirSync(rig.path('.shark')).sort()).toEqual(before);
  });

  it.skipIf(skip !== undefined)('refuses run, gc --delete and fsck --repair in one line, exit 2', async () => {
    rig.write('in/c.txt', 'c\n');
    for (const args of [['run', 'p.md'], ['gc', 'p.md', '--delete'], ['fsck', '--repair']]) {
      const ran = await shark(...args);
      noCrash(ran.stderr);
      expect(ran.stderr).toMatch(/^shark: error: the store at \S*\.shark is read-only to you: `shark \w+[^`]*` writes to it \(run it as the store's owner, or give it a store of its own: --store DIR\)\n$/);
      expect(ran.code).toBe(2);
    }
    expect((await rig.shark(['plan', 'p.md'])).stdout).toContain('1 to run');
  });
});
