import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A link in place of a folder of the store is never walked into: gc deleted what it led to, fsck --repair moved it into the store. */
let rig: Rig;
let victim: string;
beforeEach(async () => {
  rig = new Rig('shark-store-folder-links-');
  victim = rig.path('outside');
  mkdirSync(victim);
  writeFileSync(join(victim, 'notes.txt'), 'my notes\n');
  writeFileSync(join(victim, 'a'.repeat(62)), 'named like an object\n');
  mkdirSync(join(victim, 'ws-99999-project'));
  rig.write('p.md', '```shark-run\nseq 1 10 > /data/a.txt\n```\n');
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
});
afterEach(() => rig.cleanup());

it('gc and fsck --repair leave a linked object folder\'s target alone, and say to remove the link', async () => {
  symlinkSync(victim, rig.path('.shark/objects/ab'));
  const gc = await rig.shark(['gc', 'p.md', '--delete']);
  expect(gc.stderr).toContain('it is a symbolic link, which the store never follows');
  const fsck = await rig.shark(['fsck', 'p.md', '--repair']);
  expect(fsck.stdout + fsck.stderr).toContain('a symbolic link in place of a folder of the store, never followed');
  expect(readdirSync(victim).sort()).toEqual(['a'.repeat(62), 'notes.txt', 'ws-99999-project']);
  // The link itself is removed (it said it was repaired, and left it): fsck then finds the store sound.
  expect(fsck.stdout).toContain('1 symbolic link in place of a folder of the store removed (not what it leads to)');
  expect(readdirSync(rig.path('.shark/objects'))).not.toContain('ab');
  expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
});

it('gc leaves a linked tmp/ folder\'s target alone (it removed a host folder named like a dead run\'s workspace)', async () => {
  rmSync(rig.path('.shark/tmp'), { recursive: true, force: true });
  symlinkSync(victim, rig.path('.shark/tmp'));
  await rig.shark(['gc', 'p.md', '--delete']);
  expect(readdirSync(victim)).toContain('ws-99999-project');
});
