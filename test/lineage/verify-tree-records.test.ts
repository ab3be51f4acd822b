import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { editStoreDatabase } from './fixture.js';

/**
 * Links are no subjects of an envelope (a subject is a file's bytes): what
 * says where a link in a signed directory leads is the directory's id, which
 * its recorded entries must still hash to.
 */
let rig: Rig;
beforeEach(async () => {
  rig = new Rig('shark-verify-trees-');
  rig.write('p.md', ['```shark-run', 'mkdir -p /data/out/sub && echo h > /data/out/sub/h.txt && ln -s h.txt /data/out/sub/ln', '```', ''].join('\n'));
  expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
  expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
});
afterEach(() => rig.cleanup());

const verify = () => rig.shark(['verify', 'p.md', '/data/out', '--key', 'k.pub']);

it('verify fails when a link in a signed directory is retargeted in the store\'s records (it verified)', async () => {
  expect((await verify()).code).toBe(0);
  editStoreDatabase(rig, "UPDATE trees SET entries = replace(entries, 'link:h.txt', 'link:/etc/shadow')");
  const ran = await verify();
  expect(ran.code).toBe(1);
  expect(ran.stderr).toContain("run: the store's record of the directory /data/out/sub was changed since it was stored: its entries (names, links) no longer hash to its id");
  // A co-signer will not vouch for it either.
  const co = await rig.shark(['sign', 'p.md', '/data/out', '--key', 'k.key']);
  expect(co.code).not.toBe(0);
  expect(co.stderr).toContain('/data/out/sub was changed since it was stored');
});

it('verify says a deleted envelope is missing, not that the job ran without --sign (it did)', async () => {
  editStoreDatabase(rig, 'DELETE FROM attestations');
  const ran = await verify();
  expect(ran.code).toBe(1);
  expect(ran.stderr).toContain('run: no envelope is stored for its result (it ran without --sign, or the envelope was removed)');
});
