import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A publish directory Shark may not write in is refused before anything
 * runs (exit 2, at the publish block), as a missing input is: found only at
 * the end, it cost every step of the run. One that becomes unwritable while
 * the run goes on fails the publish step in one line naming that directory,
 * as `cp` would: never Node's `EACCES: permission denied, copyfile
 * '…/objects/…' -> '…shark-tmp-…'`.
 */

const doc = (dir: string, path: string, before = '', options = ''): string =>
  `# p\n\n\`\`\`shark-run\n${before}mkdir -p /data/sub; echo hi > ${path}\n\`\`\`\n\n\`\`\`shark-publish:${dir}${options}\n${path}\n\`\`\`\n`;

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-publish-unwritable-')));
afterEach(() => rig.cleanup());

/** The run's step appends to `counter`: whether it ran. */
const counted = (dir: string, path: string, options = ''): string => doc(dir, path, `echo ran >> ${rig.path('counter')}; `, options);

describe('publishing where Shark may not write', () => {
  it.each([
    ['into a read-only publish directory', 'pub', '/data/out.txt', 'pub'],
    ['a new directory inside a read-only one', 'pub/new', '/data/out.txt', 'pub'],
    ['into a read-only directory inside it', 'pub', '/data/sub/out.txt', 'pub/sub'],
  ])('%s is refused before anything runs, naming the directory, exit 2', async (_, dir, path, shut) => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', counted(dir, path));
    mkdirSync(rig.path(shut), { recursive: true });
    chmodSync(rig.path('pub'), 0o777);
    chmodSync(rig.path(shut), 0o555);
    const message = `p.md:8:1: error: cannot publish ${path} to ${rig.path(dir)}${path.slice('/data'.length)}: cannot write in ${rig.path(shut)}: permission denied`;
    const ran = await shark('run', 'p.md');
    noCrash(ran.stderr);
    expect(ran.stderr).toContain(message);
    expect(ran.stdout + ran.stderr).not.toMatch(/EACCES|copyfile|mkdir '|shark-tmp/);
    expect(ran.code).toBe(2);
    // A plan writes nothing there: it is still made, and says what run would stop on.
    const planned = await shark('plan', 'p.md');
    expect(planned.stderr).toContain(`${message.replace(': error: ', ': warning: ')} (\`shark run\` would stop here)`);
    expect([planned.code, planned.stdout]).toEqual([0, expect.stringMatching(/to run/)]);
    expect(rig.count()).toBe(0);
  });

  it('the default _shark/ beside a read-only document directory is refused before anything runs', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', counted('_shark', '/data/out.txt'));
    expect((await shark('plan', 'p.md')).code).toBe(0); // makes the store
    chmodSync(rig.dir, 0o555);
    try {
      const ran = await shark('run', 'p.md');
      noCrash(ran.stderr);
      expect(ran.stderr).toContain(`p.md:8:1: error: cannot publish /data/out.txt to ${rig.path('_shark/out.txt')}: cannot write in ${rig.dir}: permission denied`);
      expect(ran.code).toBe(2);
      expect(rig.count()).toBe(0);
    } finally {
      chmodSync(rig.dir, 0o777);
    }
  });

  it.each([
    ['a {manual} publish block the run does not reach', ' {manual}', []],
    ['a {skip} publish block', ' {skip}', []],
    ['a publish block the targets do not need', '', ['other']],
  ])('%s is not refused', async (_, options, targets) => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    const other = `## other\n\n\`\`\`shark-run\necho ran >> ${rig.path('counter')}; echo o > /data/other.txt\n\`\`\`\n`;
    rig.write('p.md', counted('pub', '/data/out.txt', options as string) + (targets.length > 0 ? other : ''));
    mkdirSync(rig.path('pub'));
    chmodSync(rig.path('pub'), 0o555);
    const ran = await shark('run', 'p.md', ...(targets as string[]));
    noCrash(ran.stderr);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.count()).toBe(1);
  });

  it('a publish directory that does not exist yet, inside a writable one, is fine', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', counted('pub/new/deeper', '/data/sub/out.txt'));
    mkdirSync(rig.path('pub'));
    chmodSync(rig.path('pub'), 0o777);
    const ran = await shark('run', 'p.md');
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('pub/new/deeper/sub/out.txt')).toBe('hi\n');
  });

  it('a directory made read-only while the run goes on fails the publish, naming it, exit 1', async () => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    // A host step, as the same user: what it does to the host directory happens after the run's checks.
    rig.write('p.md', doc('pub/ro', '/data/out.txt', `mkdir -p ${rig.path('pub/ro')}; chmod 555 ${rig.path('pub/ro')}; `));
    const ran = await shark('run', 'p.md');
    noCrash(ran.stderr);
    const out = ran.stdout + ran.stderr;
    expect(out).toContain(`p.md:8:1: error: cannot publish /data/out.txt to ${rig.path('pub/ro/out.txt')}: cannot write in ${rig.path('pub/ro')}: permission denied`);
    expect(out).not.toMatch(/EACCES|copyfile|mkdir '|shark-tmp/);
    expect(ran.code).toBe(1);
  });

  it('a publish directory that is a link leading nowhere (a disk not mounted) is refused before anything runs, saying so', async () => {
    rig.write('p.md', counted('', '/data/out.txt'));
    symlinkSync('../not-mounted', rig.path('_shark'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`p.md:8:1: error: cannot publish /data/out.txt to ${rig.path('_shark/out.txt')}: ${rig.path('_shark')} is a symbolic link to ../not-mounted, which leads nowhere`);
    // Before anything ran: it was found after the jobs, as a file where a directory is to be. No store made for it either.
    expect(rig.exists('counter')).toBe(false);
    expect(rig.exists('.shark')).toBe(false);
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(`warning: cannot publish /data/out.txt to ${rig.path('_shark/out.txt')}: ${rig.path('_shark')} is a symbolic link to ../not-mounted, which leads nowhere`);
  });
});
