import { chmodSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/** A file `why` or `diff` is asked about that Shark may not read is said as every unreadable file is, not in Node's words. */
describe('why and diff of a file that cannot be read', () => {
  const rig = new Rig();
  const { skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  beforeAll(async () => {
    if (skip !== undefined) return;
    rig.write('p.md', '# P\n\n```shark-run {id=a}\necho hi > /data/out.txt\n```\n');
    expect((await shark('run', 'p.md')).code).toBe(0);
    rig.write('u.md', 'u\n');
    chmodSync(rig.path('u.md'), 0o000);
    rig.write('d/ok', 'ok\n');
    rig.write('d/x', 'x\n');
    chmodSync(rig.path('d/x'), 0o000);
    mkdirSync(rig.path('shut'));
    rig.write('shut/f', 'f\n');
    chmodSync(rig.path('shut'), 0o000);
  });

  it.skipIf(skip !== undefined).each([
    ['u.md', 'u.md cannot be read: permission denied'],
    ['d', 'd holds d/x, which cannot be read: permission denied'],
    ['shut/f', 'shut/f cannot be read: permission denied'],
  ])('why %s: one line, exit 2', async (path, said) => {
    const ran = await shark('why', path);
    noCrash(ran.stderr);
    expect(ran.stderr).toBe(`shark: error: ${said}\n`);
    expect(ran.code).toBe(2);
  });

  it.skipIf(skip !== undefined)('diff p.md u.md u.md: one line, exit 2', async () => {
    const ran = await shark('diff', 'p.md', 'u.md', 'u.md');
    noCrash(ran.stderr);
    expect(ran.stderr).toBe('shark: error: u.md cannot be read: permission denied\n');
    expect(ran.code).toBe(2);
  });
});
