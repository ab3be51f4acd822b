import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** `run` writes new bytes each time it runs; `run-2` copies them. */
const PIPELINE = `\`\`\`shark-run
cat /proc/sys/kernel/random/uuid > /data/t.txt
\`\`\`

\`\`\`shark-run
cat /data/t.txt > /data/u.txt
\`\`\`
`;

describe('an envelope is about the result it was signed for', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-attest-binding-');
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['keygen', '-o', 'me'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--sign', 'me.key'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('a forced re-run without --sign has no envelope: attest prints none of the old ones, verify does not blame the stored bytes', async () => {
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--force', 'run'])).code).toBe(0);
    const attest = await rig.shark(['attest', 'p.md', '/data/u.txt']);
    expect(attest.code).toBe(1);
    expect(attest.stdout).toBe('');
    expect(attest.stderr).toContain('no envelope for run-2, run ');
    const verify = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('run: no envelope (it ran without --sign)');
    expect(verify.stderr).not.toContain('does not match the stored bytes');
    // Signed again, it verifies again.
    expect((await rig.shark(['run', 'p.md', '--force', 'run', '--sign', 'me.key'])).code).toBe(0);
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub'])).code).toBe(0);
  });
});
