import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';
import { objectWith } from '../support/objects.js';

/**
 * Something else in place of the store's `quarantine/` (a file, a link):
 * `fsck --repair` said `EEXIST … mkdir` as an internal error (exit 70), a
 * run healing an object failed its job with the same words, and a link
 * there had the damaged object moved out of the store to wherever it led.
 */

const PIPELINE = `# quarantine

\`\`\`shark-run
echo one > /data/single.txt
\`\`\`

\`\`\`shark-run
cat /data/single.txt > /data/copy.txt
\`\`\`
`;

let rig: Rig;
let object: string;
beforeEach(async () => {
  rig = new Rig('shark-quarantine-folder-');
  rig.write('p.md', PIPELINE);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  object = objectWith(rig, 'one\n');
  chmodSync(object, 0o644);
  writeFileSync(object, 'two\n');
  chmodSync(object, 0o444);
});
afterEach(() => rig.cleanup());

describe('a quarantine folder that is not a folder', () => {
  it('is said by fsck --repair, which changes nothing, exit 2', async () => {
    rig.write('.shark/quarantine', 'mine\n');
    const r = await rig.shark(['fsck', 'p.md', '--repair']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/^shark: error: cannot move damaged data aside: \S+\/\.shark\/quarantine is not a directory \(remove it/m);
    expect(r.code).toBe(2);
    expect(rig.read('.shark/quarantine')).toBe('mine\n');
    expect(existsSync(object)).toBe(true);
    // Nothing was dropped: the damage is still found.
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(1);
  });

  it('is never followed when it is a link', async () => {
    const elsewhere = rig.path('elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, rig.path('.shark/quarantine'));
    const r = await rig.shark(['fsck', 'p.md', '--repair']);
    expect(r.stderr).toMatch(/cannot move damaged data aside: \S+\/\.shark\/quarantine is a symbolic link, which the store never follows \(remove it/);
    expect(r.code).toBe(2);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('fails a run that heals an object with the reason, and the run after it removed heals it', async () => {
    rmSync(object);
    symlinkSync('/etc/passwd', object);
    rig.write('.shark/quarantine', 'mine\n');
    const r = await rig.shark(['run', 'p.md']);
    expect(r.stdout + r.stderr).toMatch(/cannot move damaged data aside: \S+ is not a directory/);
    expect(r.stdout + r.stderr).not.toMatch(/EEXIST/);
    expect(r.code).toBe(1);
    rmSync(rig.path('.shark/quarantine'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
  });

  // The object's record was dropped before the move that failed: an object without one is trusted (stored by an older
  // Shark), and the next plan took the bytes a job had written through its hard link for the stored ones.
  it('never leaves the data a job changed in place trusted', async () => {
    rig.write('p.md', `# q\n\n\`\`\`shark-run\necho hello > /data/a.txt\n\`\`\`\n\n\`\`\`shark-run\ncat /data/a.txt > /data/b.txt; sh -c 'echo evil >> "$1"' sh /data/a.txt\n\`\`\`\n`);
    rig.write('.shark/quarantine', 'mine\n');
    const r = await rig.shark(['run', 'p.md']);
    expect(r.stdout).toMatch(/cannot move damaged data aside/);
    expect(r.code).toBe(1);
    expect(toRun(await rig.plan('p.md'))).toContain('q');
  });
});
