import { chmodSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { INPUTS, editStoreDatabase, objectPath, signedTinyRig } from './fixture.js';

/** What `verify` says is what is true, and its advice is what helps. */
describe('verify says what is wrong, once', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await signedTinyRig();
  });
  afterEach(() => rig.cleanup());

  const verify = (key = 'shark.pub'): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    rig.shark(['verify', 'p.md', '/data/report.txt', '--key', key]);

  it("trusting only the co-signer's key: each upstream job is said to lack a trusted signature, its readers' inputs are not blamed", async () => {
    expect((await rig.shark(['keygen', '-o', 'inst'])).code).toBe(0);
    expect((await rig.shark(['sign', 'p.md', '/data/report.txt', '--key', 'inst.key'])).code).toBe(0);
    const ran = await verify('inst.pub');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^prepare: no trusted key signed its envelope/m);
    expect(ran.stderr).toMatch(/^measure\[a\.txt\]: no trusted key signed its envelope/m);
    expect(ran.stderr).not.toContain('is not a subject of an upstream envelope');
    expect(ran.stderr).toContain('does not verify: 3 problems in the envelopes of 4 jobs');
  });

  it("an envelope filed under another run is said to be so, not that the job ran without --sign", async () => {
    editStoreDatabase(rig, `UPDATE attestations SET run_id = 5 WHERE job = 'report'`);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).not.toContain('without --sign');
    expect(ran.stderr).toMatch(/^report: its envelope is about this result \(run 1\), but the store files it under run 5$/m);
  });

  it('after fsck --repair, advises running the pipeline again, not fsck; once run again it verifies', async () => {
    const lineage = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/upper.txt', '--json'])).stdout) as { outputs: Record<string, string> };
    const object = objectPath(rig, lineage.outputs['/data/upper.txt']!);
    chmodSync(object, 0o644);
    writeFileSync(object, 'damaged\n');
    const damaged = await verify();
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('prepare: the stored bytes of /data/upper.txt are missing or corrupt (run `shark fsck`)');
    expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
    const repaired = await verify();
    expect(repaired.code).toBe(1);
    expect(repaired.stderr).not.toContain('run `shark fsck`');
    expect(repaired.stderr).toMatch(/^prepare: the stored bytes of \/data\/upper\.txt are missing or corrupt: `shark fsck --repair` dropped the result; run the pipeline again \(`shark run --sign KEY`\) to recompute it$/m);
    const again = await rig.shark(['run', 'p.md', ...INPUTS, '--sign', 'shark.key']);
    expect(again.code, again.stderr).toBe(0);
    const ok = await verify();
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});
