import { readlinkSync, readFileSync, existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A link a job made into its own /data is stored as `/data/...` and given to
 * later jobs relative, so that it resolves to their copy. A published or
 * exported copy gets it the same way: relative, never the host's `/data`.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-publish-links-')));
afterEach(() => rig.cleanup());

const run = '```shark-run\nmkdir -p /data/out /data/raw && echo hi > /data/out/plain && echo raw > /data/raw/x'
  + ' && ln -s /data/out/plain /data/out/l && ln -s /data/raw/x /data/out/r && ln -s plain /data/out/rel && ln -s /etc/hostname /data/out/abs\n```\n';

describe('shark-publish of a link into /data', () => {
  it('writes it relative to the published copy, as jobs get it', async () => {
    rig.write('p.md', `# p\n\n${run}\n\`\`\`shark-publish\n/data/out\n/data/raw\n\`\`\`\n`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(readlinkSync(rig.path('_shark/out/l'))).toBe('plain');
    expect(readFileSync(rig.path('_shark/out/l'), 'utf8')).toBe('hi\n');
    expect(readlinkSync(rig.path('_shark/out/r'))).toBe('../raw/x');
    expect(readFileSync(rig.path('_shark/out/r'), 'utf8')).toBe('raw\n');
    // Links that are not into /data are the job's as it made them.
    expect(readlinkSync(rig.path('_shark/out/rel'))).toBe('plain');
    expect(readlinkSync(rig.path('_shark/out/abs'))).toBe('/etc/hostname');
  });

  it('finds the target published by another block into the same directory', async () => {
    rig.write('p.md', `# p\n\n${run}\n\`\`\`shark-publish\n/data/out\n\`\`\`\n\n\`\`\`shark-publish\n/data/raw/x\n\`\`\`\n`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(readFileSync(rig.path('_shark/out/r'), 'utf8')).toBe('raw\n');
  });

  it('refuses one whose target is not published there, writing nothing of it', async () => {
    rig.write('p.md', `# p\n\n${run}\n\`\`\`shark-publish\n/data/out\n\`\`\`\n\n\`\`\`shark-publish:elsewhere\n/data/raw\n\`\`\`\n`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/out to ${rig.path('_shark/out')}: /data/out/r is a link to /data/raw/x, which no shark-publish block publishes to _shark`);
    expect(existsSync(rig.path('_shark/out'))).toBe(false);
  });

  it('stores a link to /data as such when the store\'s path holds a space (the job saw /data under an alias, and the link led there)', async () => {
    const doc = `# p\n\n${run}\n\`\`\`shark-run\ncat /data/out/l > /data/copy.txt\n\`\`\`\n\n\`\`\`shark-publish\n/data/out\n/data/raw\n/data/copy.txt\n\`\`\`\n`;
    rig.write('sp ace/p.md', doc.replace(' && ln -s /etc/hostname /data/out/abs', ''));
    const ran = await rig.shark(['run', 'p.md'], { cwd: 'sp ace' });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(readlinkSync(rig.path('sp ace/_shark/out/l'))).toBe('plain');
    expect(readFileSync(rig.path('sp ace/_shark/copy.txt'), 'utf8')).toBe('hi\n');
  });

  it('writes a published link itself relative too', async () => {
    rig.write('p.md', `# p\n\n${run}\n\`\`\`shark-publish\n/data/out/l\n/data/out/plain\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(readlinkSync(rig.path('_shark/out/l'))).toBe('plain');
  });
});

describe('shark export crate of a link into /data', () => {
  it('writes it relative to the crate\'s copy', async () => {
    // Without the link out of /data: a host job given one is refused (test/run/host-input-links).
    const inside = run.replace(' && ln -s /etc/hostname /data/out/abs', '');
    rig.write('p.md', `# p\n\n${inside}\n\`\`\`shark-run\ncat /data/out/ /data/raw/ /data/out/l /data/out/r > /data/sum.txt 2>/dev/null; cat /data/out/l /data/out/r > /data/sum.txt\n\`\`\`\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(readlinkSync(rig.path('crate/data/out/l'))).toBe('plain');
    expect(readlinkSync(rig.path('crate/data/out/r'))).toBe('../raw/x');
    expect(readFileSync(rig.path('crate/data/out/r'), 'utf8')).toBe('raw\n');
  });
});
