import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** An empty store or pipeline argument is no path: it must not put a store's files in the current directory. */
describe('empty --store, $SHARK_STORE and pipeline arguments', () => {
  const rig = new Rig();
  rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/x\n```\n');
  afterAll(() => rig.cleanup());
  const here = (): string[] => readdirSync(rig.dir).filter((f) => f !== 'p.md' && f !== '.shark').sort();

  it('an empty $SHARK_STORE counts as unset: the store is .shark/ beside the pipeline', async () => {
    const ran = await rig.shark(['run', 'p.md'], { env: { SHARK_STORE: '' } });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(rig.exists('.shark/shark.sqlite')).toBe(true);
    expect(here()).toEqual([]);
    for (const command of [['plan', 'p.md'], ['gc', 'p.md'], ['fsck'], ['runs', 'p.md']]) {
      const again = await rig.shark(command, { env: { SHARK_STORE: '' } });
      expect({ command, code: again.code, stderr: again.stderr }).toEqual({ command, code: 0, stderr: '' });
    }
    expect(here()).toEqual([]);
  });

  it.each([
    [['run', 'p.md', '--store', '']],
    [['run', 'p.md', '--store=']],
    [['plan', 'p.md', '--store', '']],
    [['gc', 'p.md', '--store', '']],
    [['fsck', '--store', '']],
    [['why', 'p.md', '--store', '']],
  ])('shark %j is a usage error (exit 2) and makes nothing', async (args) => {
    const ran = await rig.shark(args);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^shark: error: .*--store.* empty/);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(here()).toEqual([]);
  });

  it.each([[['gc', '']], [['gc', 'p.md', '']], [['fsck', '']], [['run', '']], [['plan', '']], [['runs', '']]])(
    'shark %j (an empty pipeline argument) is a usage error (exit 2)',
    async (args) => {
      const ran = await rig.shark(args);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(/^shark: error: .*empty/);
      expect(ran.stderr).not.toMatch(/no store|\n\s+at /);
      expect(here()).toEqual([]);
    },
  );
});
