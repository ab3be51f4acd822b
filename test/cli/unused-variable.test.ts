import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const DOC = '---\nCURVE: 0.25\n---\n# C\n\n```shark-run\necho "$CURVE" > /data/c.txt\n```\n';

describe('-e of a variable the document neither declares nor uses', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
  });
  afterEach(() => rig.cleanup());

  it('warns, naming the variable it is near, when it looks like a typo (every job would run again for it)', async () => {
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'p.md', '-e', 'CUVRE=0.3']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, command).toBe('shark: warning: -e CUVRE: the document neither declares nor uses `CUVRE` (did you mean `CURVE`?); it is still in every job\'s environment and key, so every job runs again\n');
    }
  });

  it('says nothing of one the document uses, nor of one near no name of it (read by the programs: OMP_NUM_THREADS)', async () => {
    for (const env of ['CURVE=0.3', 'OMP_NUM_THREADS=4']) {
      const r = await rig.shark(['plan', 'p.md', '-e', env]);
      expect([r.code, r.stderr], env).toEqual([0, '']);
    }
  });
});
