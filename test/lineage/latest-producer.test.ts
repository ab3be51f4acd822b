import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * Without `--run`, a path's lineage (and `attest`, `verify` of it) is that
 * of the latest run that produced the path: a later run with targets, or
 * of an `-e AXIS=V` subset, that did not touch it hides no earlier one.
 */
const TARGETS = `# M

\`\`\`shark-run
echo x > /data/x.txt
\`\`\`

## Check

\`\`\`shark-run {manual}
echo ok > /data/check.txt
\`\`\`
`;

const SWEEP = `---
TAXA: [AVES, MAMMALIA]
---
# T

\`\`\`shark-run
echo "%{TAXA}" > /data/taxa/%{TAXA}.txt
\`\`\`
`;

interface Node { run: number; command: string }

describe('lineage, attest and verify without --run after a run that did not make the path', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-latest-producer-');
    rig.write('p.md', TARGETS);
    rig.write('s.md', SWEEP);
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', 'check', '--sign', 'k.key'])).code).toBe(0);
    expect((await rig.shark(['run', 's.md'])).code).toBe(0);
    expect((await rig.shark(['run', 's.md', '-e', 'TAXA=AVES'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  const lineage = async (file: string, path: string): Promise<Node> => {
    const ran = await rig.shark(['lineage', file, path, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as Node;
  };

  it('answers for the run with targets what it made, and for the rest the run before', async () => {
    expect(await lineage('p.md', '/data/check.txt')).toMatchObject({ run: 2, command: 'echo ok > /data/check.txt' });
    expect(await lineage('p.md', '/data/x.txt')).toMatchObject({ run: 1, command: 'echo x > /data/x.txt' });
  });

  it('attests and verifies a result an earlier run made', async () => {
    const attest = await rig.shark(['attest', 'p.md', '/data/x.txt']);
    expect(attest.code, attest.stderr).toBe(0);
    expect(attest.stdout.trim().split('\n')).toHaveLength(1);
    const verify = await rig.shark(['verify', 'p.md', '/data/x.txt', '--key', 'k.pub']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('/data/x.txt: verified 1 envelope');
  });

  it('answers for the value an -e AXIS=V run left out from the run that made it', async () => {
    const ids = JSON.parse((await rig.shark(['runs', 's.md', '--json'])).stdout) as { runs: { run: number }[] };
    const full = ids.runs[1]!.run;
    expect((await lineage('s.md', '/data/taxa/MAMMALIA.txt')).run).toBe(full);
  });

  it('still says when no run produced the path, exit 1', async () => {
    const none = await rig.shark(['lineage', 'p.md', '/data/nothing.txt']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('shark: no run of this pipeline produced /data/nothing.txt\n');
  });

  it('exports the latest run that recorded a job, as before', async () => {
    const crate = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(crate.code, crate.stderr).toBe(0);
    expect(crate.stdout).toMatch(/^crate: run 2, 1 job,/);
  });
});
