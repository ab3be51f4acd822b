import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/**
 * Shark run as root (`sudo shark run`) in a store another user made: the
 * objects were given to the store's owner, but the folders the run made
 * (`objects/3c`, `logs/2`) and a database it made were root's, and the
 * owner's next run was refused (`permission denied`), which neither they nor
 * `fsck --repair` could undo.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-root-run-owner-')));
afterEach(() => rig.cleanup());

/** Every entry of the store down to `depth`, with a uid other than `uid`. */
function notOwnedBy(dir: string, uid: number, depth: number): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const at = join(dir, name);
    const st = lstatSync(at);
    if (st.uid !== uid) out.push(at);
    if (st.isDirectory() && depth > 1) out.push(...notOwnedBy(at, uid, depth - 1));
  }
  return out;
}

it('gives the folders a root run makes in a user\'s store to the store\'s owner: the owner runs again', async () => {
  const as = unprivileged(rig);
  if (as.skip !== undefined || process.getuid?.() !== 0) return;
  const doc = (word: string): string => `\`\`\`shark-run\necho ${word} > /data/a.txt\n\`\`\`\n`;
  rig.write('p.md', doc('a'));
  expect((await as.shark('run', 'p.md')).code).toBe(0);
  rig.write('p.md', doc('b'));
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  rig.write('p.md', doc('c'));
  const again = await as.shark('run', 'p.md');
  noCrash(again.stderr);
  expect([again.code, again.stderr]).toEqual([0, '']);
  expect(notOwnedBy(rig.path('.shark'), 65534, 2)).toEqual([]);
});
