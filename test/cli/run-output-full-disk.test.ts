import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/lockfile/atomic-write.js';
import { Rig } from '../support/rig.js';
import { mountSmallDisk } from '../support/small-disk.js';

/**
 * A file written whole (the executed document of `run -o`, the lock file)
 * onto a disk with less room than it needs (a 64 KiB tmpfs, root only): one
 * write(2) of a long text stores what fits and returns its count, without an
 * error, so a writer that did not look at the count renamed half a file into
 * place and said nothing. It must fail, leaving neither half a file nor its
 * temporary one.
 */
const rig = new Rig('shark-output-full-');
const disk = rig.path('small');
const skip = mountSmallDisk(disk, '64k');

describe.skipIf(skip !== undefined)(`writing a whole file to a full disk${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  afterAll(() => {
    spawnSync('umount', [disk]);
    rig.cleanup();
  });

  it('writeAtomically fails rather than putting half the text in place', () => {
    expect(() => writeAtomically(`${disk}/big.txt`, 'x'.repeat(200_000))).toThrow(/ENOSPC|no space/);
    expect(readdirSync(disk)).toEqual([]);
  });

  it('run -o whose document does not fit says so and leaves no half-written document', async () => {
    // Each item's result is a line of the executed document: ~300 of them, more than the disk holds.
    mkdirSync(rig.path('in'));
    for (let i = 0; i < 300; i++) writeFileSync(rig.path(`in/item${i}.txt`), `${i}\n`);
    rig.write('p.md', '# p\n\n```shark-import\nfile:in/ /data/in/\n```\n\n```shark-run\ncat /data/in/*.txt > /data/out/+\n```\n');
    // Room left for about half of it.
    writeFileSync(`${disk}/filler`, Buffer.alloc(40_000));
    const ran = await rig.shark(['run', 'p.md', '-o', `${disk}/out.md`]);
    expect(ran.stdout + ran.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(ran.stderr).toMatch(/^shark: error: cannot write .*out\.md: .*no space left on device/);
    expect(ran.code).not.toBe(0);
    expect(existsSync(`${disk}/out.md`)).toBe(false);
    expect(readdirSync(disk)).toEqual(['filler']);
  });
});
