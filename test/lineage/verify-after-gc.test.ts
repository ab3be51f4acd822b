import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * `gc` keeps a kept `{precious}` result and the inputs its key records, not
 * the whole output of the old upstream job that wrote them (the bytes the
 * latest run reuses are what it keeps). `verify` follows the kept result to
 * that old job: data `gc` freed on purpose is said to be freed, not missing
 * or corrupt, and the chain is still checked by its digests.
 */
const PRECIOUS = `# PM

${fence}shark-run
mkdir -p /data/in/; for i in a b; do echo "$i v1" > /data/in/$i.txt; done
${fence}

## Keep

${fence}shark-run {precious}
wc -c < /data/in/*.txt > /data/kept/+
${fence}

## Sum

${fence}shark-run
ls /data/kept/ > /data/sum.txt; cat /data/kept/a.txt >> /data/sum.txt
${fence}
`;

describe('verify after gc --delete', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-verify-gc-');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  const run = async (): Promise<void> => {
    const ran = await rig.shark(['run', 'p.md', '--sign', 'k.key']);
    expect(ran.code, ran.stderr).toBe(0);
  };

  it('verifies a kept {precious} chain whose old upstream output gc freed, saying so', async () => {
    rig.write('p.md', PRECIOUS);
    await run();
    rig.write('p.md', PRECIOUS.replace('v1', 'version2').replace('for i in a b', 'for i in a b c'));
    await run();
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
    const verified = await rig.shark(['verify', 'p.md', '/data/sum.txt', '--key', 'k.pub']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('/data/sum.txt: verified 6 envelopes');
    expect(verified.stdout).toContain('pm: the stored bytes of /data/in were freed by `shark gc` (run 1 made them; gc keeps only what the document may still reuse): its subjects were not hashed again');
    expect(verified.stdout).not.toContain('fsck');
  });

  it('says the result itself was freed by gc, exit 1, not that it is corrupt', async () => {
    rig.write('p.md', '# G\n\n```shark-run\necho x > /data/x.txt\n```\n');
    await run();
    rig.write('p.md', '# G\n\n```shark-run\necho y > /data/y.txt\n```\n');
    await run();
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    const verified = await rig.shark(['verify', 'p.md', '/data/x.txt', '--key', 'k.pub']);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toContain('g: the stored bytes of /data/x.txt were freed by `shark gc` (run 1 made them; gc keeps only what the document may still reuse)');
    expect(verified.stderr).not.toContain('fsck');
  });
});
