import { chmodSync, mkdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * A publish directory Shark may not write in fails the publish step in one
 * line naming that directory, as `cp` would: never Node's `EACCES:
 * permission denied, copyfile '…/objects/…' -> '…shark-tmp-…'`.
 */

const doc = (dir: string, path: string): string =>
  `# p\n\n\`\`\`shark-run\nmkdir -p /data/sub; echo hi > ${path}\n\`\`\`\n\n\`\`\`shark-publish:${dir}\n${path}\n\`\`\`\n`;

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-publish-unwritable-')));
afterEach(() => rig.cleanup());

describe('publishing where Shark may not write', () => {
  it.each([
    ['into a read-only publish directory', 'pub', '/data/out.txt', 'pub'],
    ['a new directory inside a read-only one', 'pub/new', '/data/out.txt', 'pub'],
    ['into a read-only directory inside it', 'pub', '/data/sub/out.txt', 'pub/sub'],
  ])('%s says which directory, exit 1', async (_, dir, path, shut) => {
    const { skip, shark } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', doc(dir, path));
    mkdirSync(rig.path(shut), { recursive: true });
    chmodSync(rig.path('pub'), 0o777);
    chmodSync(rig.path(shut), 0o555);
    const ran = await shark('run', 'p.md');
    noCrash(ran.stderr);
    const out = ran.stdout + ran.stderr;
    expect(out).toContain(`p.md:7:1: error: cannot publish ${path} to ${rig.path(dir)}${path.slice('/data'.length)}: cannot write in ${rig.path(shut)}: permission denied`);
    expect(out).not.toMatch(/EACCES|copyfile|mkdir '|shark-tmp/);
    expect(ran.code).toBe(1);
  });
});
