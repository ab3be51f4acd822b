import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A local path holding spaces ("My Documents", "run 1.csv") is imported as a percent-encoded file: URI. */
const doc = (source: string): string => ['```shark-import', `${source} /data/ab.csv`, '```', '', '```shark-run', 'cat /data/ab.csv > /data/copy.csv', '```', ''].join('\n');

describe('a local import of a path holding spaces', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-import-spaces-');
    rig.write('my inputs/a b.csv', 'x,y\n');
  });
  afterEach(() => rig.cleanup());

  it('runs with file:my%20inputs/a%20b.csv', async () => {
    rig.write('p.md', doc('file:my%20inputs/a%20b.csv'));
    const run = await rig.shark(['run', 'p.md']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await rig.shark(['plan', 'p.md'])).stdout).toContain('cached');
    const script = await rig.shark(['plan', 'p.md', '--script']);
    expect(script.stdout).toContain("'my inputs/a b.csv'");
  });

  it('says how to write it when it is quoted', async () => {
    rig.write('p.md', doc('"my inputs/a b.csv"'));
    const check = await rig.shark(['check', 'p.md']);
    expect(check.code).toBe(2);
    expect(check.stderr.split('\n')[0]).toBe('p.md:2:1: error: import lines are split at spaces: write a path holding spaces as a file: URI, each space as %20 (`file:my%20inputs/a%20b.csv`)');
  });
});
