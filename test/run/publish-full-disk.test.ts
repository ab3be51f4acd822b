import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { publishFailure } from '../../src/exec/run/publish-guard.js';
import { Rig } from '../support/rig.js';
import { mountSmallDisk } from '../support/small-disk.js';

/**
 * A publish directory on a disk that fills as the copy is made (a 1 MiB
 * tmpfs, root only): the publish fails in one line naming the directory, as
 * `cp` would (never Node's `ENOSPC: …, copyfile '…/objects/…' ->
 * '….shark-tmp-…'`), and takes its half-made copy away with it, so the disk
 * is not left full of a copy nobody will finish.
 */
const PIPELINE = `# p

\`\`\`shark-run
mkdir -p /data/out && echo hi > /data/out/a.txt && head -c 3000000 /dev/zero > /data/out/big.bin
\`\`\`

\`\`\`shark-publish:pub
/data/out/
\`\`\`
`;

const rig = new Rig('shark-publish-full-');
const pub = rig.path('pub');
const skip = mountSmallDisk(pub, '1m');

describe.skipIf(skip !== undefined)(`publishing to a full disk${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  afterAll(() => {
    spawnSync('umount', [pub]);
    rig.cleanup();
  });

  it('fails the publish in words, leaves no half-made copy, and the next run with room publishes', async () => {
    rig.write('p.md', PIPELINE);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.stdout + ran.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(ran.code).toBe(1);
    // At the path's line in the block, not its fence.
    expect(ran.stdout).toContain(`p.md:8:1: error: cannot publish /data/out to ${pub}/out: cannot write in ${pub}: no space left on device`);
    expect(ran.stdout).not.toMatch(/ENOSPC|copyfile|shark-tmp/);
    expect(readdirSync(pub)).toEqual([]);
    expect(spawnSync('mount', ['-o', 'remount,size=8m', pub]).status).toBe(0);
    const again = await rig.shark(['run', 'p.md']);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/ok: 0 run, 1 cached/)]);
    expect(readdirSync(rig.path('pub/out')).sort()).toEqual(['a.txt', 'big.bin']);
  });
});

describe('a publish that failed as its copy was made, in words', () => {
  const failed = (code: string, message: string): Error => Object.assign(new Error(`${code}: ${message}, copyfile '/s/.shark/objects/ab/cd' -> '/p/_shark/out.shark-tmp-1/a'`), { code });

  it('names the directory whose disk is full, or whose quota is reached, not the store object', () => {
    expect(publishFailure('/tmp/p/_shark/out', failed('ENOSPC', 'no space left on device'))).toBe('cannot write in /tmp/p/_shark: no space left on device');
    expect(publishFailure('/tmp/p/_shark/out', failed('EDQUOT', 'disk quota exceeded'))).toBe('cannot write in /tmp/p/_shark: disk quota exceeded');
  });

  it('says the publish directory was removed meanwhile (rm -rf _shark during the run)', () => {
    const gone = rig.path('gone/_shark');
    expect(publishFailure(`${gone}/out`, failed('ENOENT', 'no such file or directory'))).toBe(`${gone} was removed while the copy was made`);
  });
});
