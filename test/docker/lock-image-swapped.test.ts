import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, run, scratch, shark, unique } from './rig.js';

/** A lock file whose environments name each other's images (a bad hand merge): each runs in its own image, never the other's. */
describeDocker('a lock naming another environment\'s image', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-docker-swapped-');
    writeFileSync(join(tmp.dir, 'p.md'), [
      '```shark-build:one', `FROM ${BASE}`, `RUN echo ${unique('one')} > /which`, '```', '',
      '```shark-build:two', `FROM ${BASE}`, `RUN echo ${unique('two')} > /which`, '```', '',
      '```shark-run:one', 'cat /which > /data/one.txt', '```', '',
      '```shark-run:two', 'cat /which > /data/two.txt', '```', '',
      '```shark-publish', '/data/one.txt /data/two.txt', '```', '',
    ].join('\n'));
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('is not trusted: plan and run take the image built for each environment\'s inputs (run ran one step in the other\'s image)', async () => {
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    const first = readFileSync(join(tmp.dir, '_shark', 'one.txt'), 'utf8');
    const lockPath = join(tmp.dir, 'p.lock.json');
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { environments: Record<string, { image: string }> };
    const [a, b] = [lock.environments['one']!.image, lock.environments['two']!.image];
    lock.environments['one']!.image = b;
    lock.environments['two']!.image = a;
    writeFileSync(lockPath, JSON.stringify(lock, null, 2));
    const plan = await shark(['plan', 'p.md'], tmp.dir);
    // The images built from these inputs are still tagged: plan and run use them again, not the lock's.
    expect(plan.stdout).toMatch(/^cached +run +p\.md:\d+\s*$/m);
    const again = await run('p.md', tmp.dir);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.started).toEqual([]);
    expect(readFileSync(join(tmp.dir, '_shark', 'one.txt'), 'utf8')).toBe(first);
  });
});
