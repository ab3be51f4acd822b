import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** Longer than one argument of a program may be on Linux (128 KiB). */
const LONG = 'x'.repeat(140_000);

describe('a command longer than one argument may be', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig('shark-long-')));
  afterEach(() => rig.cleanup());

  it('runs on the host, and is cached under the key the plan made', async () => {
    rig.write('l.md', ['```shark-run', `printf %s ${LONG} > /data/long.txt`, '```', '', '```shark-publish', '/data/long.txt', '```', ''].join('\n'));
    expect((await rig.shark(['check', 'l.md'])).code).toBe(0);
    const ran = await rig.shark(['run', 'l.md']);
    expect(ran.stderr).not.toContain('Argument list too long');
    expect(ran.code).toBe(0);
    expect(rig.read('_shark/long.txt')).toBe(LONG);
    const plan = await rig.plan('l.md');
    expect(plan.summary).toEqual({ cached: 1, run: 0, blocked: 0 });
  });
});
