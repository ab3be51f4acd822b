import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { Rig } from '../support/rig.js';

const PIPELINE = ['```shark-run', 'echo ran >> counter; echo a > /data/a.txt', '```', ''].join('\n');

describe('run -o to a path the executed document cannot be written to', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-run-output-');
    rig.write('p.md', PIPELINE);
    mkdirSync(rig.path('outdir'));
  });
  afterEach(() => rig.cleanup());

  for (const [out, why] of [['outdir', 'it is a directory'], ['.', 'it is a directory'], ['..', 'it is a directory'], ['missing/x.md', 'no such directory missing']] as const) {
    it(`refuses -o ${out} before anything runs, in one line`, async () => {
      const ran = await rig.shark(['run', 'p.md', '-o', out]);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toBe(`shark: error: cannot write ${out}: ${why}\n`);
      expect(rig.count()).toBe(0);
      expect(readdirSync(rig.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(readdirSync(rig.path('outdir'))).toEqual([]);
    });
  }

  it('still writes a good path', async () => {
    expect((await rig.shark(['run', 'p.md', '-o', 'outdir/ex.md'])).code).toBe(0);
    expect(rig.read('outdir/ex.md')).toContain('<!-- shark: ');
    expect(readdirSync(rig.path('outdir'))).toEqual(['ex.md']);
  });
});
