import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A relative `--store` or `$SHARK_STORE` names a place from the current
 * directory; jobs run in the document's directory, so the store must be
 * taken as an absolute path once, when it is read.
 */
describe('a relative --store or $SHARK_STORE with a document in another directory', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('sub/p.md', '# P\n\n```shark-run\necho hi > /data/o.txt\n```\n\n```shark-publish:out\n/data/o.txt\n```\n');
  });
  afterEach(() => rig.cleanup());

  it.each([
    ['--store S', ['--store', 'S'], {}],
    ['$SHARK_STORE=S', [], { SHARK_STORE: 'S' }],
  ])('%s: the job runs and the store is named by its absolute path', async (_, flags, env) => {
    const ran = await rig.shark(['run', 'sub/p.md', ...flags], { env });
    expect(ran.stdout + ran.stderr).not.toMatch(/Directory nonexistent|FAILED/);
    expect(ran.code).toBe(0);
    expect(rig.read('sub/out/o.txt')).toBe('hi\n');
    const store = join(realpathSync(rig.dir), 'S');
    expect(ran.stdout + ran.stderr).toContain(`store ${store}`);
    expect(rig.exists('S/shark.sqlite')).toBe(true);
    const again = await rig.shark(['plan', 'sub/p.md', ...flags], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/cached/);
  });

  it('a job sees $SHARK_STORE as the absolute path it names (it saw it relative, from the document\'s directory)', async () => {
    rig.write('sub/e.md', '# E\n\n```shark-run\necho "$SHARK_STORE" > /data/s.txt\n```\n\n```shark-publish:out\n/data/s.txt\n```\n');
    const ran = await rig.shark(['run', 'sub/e.md'], { env: { SHARK_STORE: 'S' } });
    expect(ran.code, ran.stderr).toBe(0);
    expect(rig.read('sub/out/s.txt')).toBe(`${join(realpathSync(rig.dir), 'S')}\n`);
  });
});
