import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { editStoreDatabase, INPUTS, signedTinyRig } from './fixture.js';

/**
 * `plan` and `run` find a cached job's outputs through the index of outputs
 * (`result_outputs`), while `lineage`, `verify` and the exports read the
 * result: a row of that index edited by hand made a run publish other bytes
 * than every record of the job named, and `verify` and `fsck` said nothing.
 */
describe('a row of the index of outputs that disagrees with its result', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await signedTinyRig();
    // The report's index row pointed at the bytes of another job's output.
    editStoreDatabase(rig, `UPDATE result_outputs SET id = (SELECT id FROM result_outputs WHERE path = '/data/upper.txt')
      WHERE path = '/data/report.txt'`);
  });
  afterEach(() => rig.cleanup());

  it('fails verify, naming the job, the path and both ids', async () => {
    const ran = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).not.toContain('verified');
    expect(ran.stderr).toMatch(/^report: the store's index of outputs, .* gives other outputs than its stored result \(\/data\/report\.txt: stored [0-9a-f]{8}…, indexed [0-9a-f]{8}…\): run `shark fsck --repair`$/m);
  });

  it('is a problem fsck reports (exit 1, JSON `index`), and --repair writes it again so the next run publishes the right bytes', async () => {
    const found = await rig.shark(['fsck', 'p.md']);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/^index +[0-9a-f]{64} +job report: the index of outputs gives \/data\/report\.txt as [0-9a-f]{8}…, its result records [0-9a-f]{8}…/m);
    const json = JSON.parse((await rig.shark(['fsck', 'p.md', '--json'])).stdout) as { problems: { problem: string; detail: string }[]; results: number };
    expect(json.problems.map((p) => p.problem)).toEqual(['index']);
    expect(json.results).toBe(0);

    const repaired = await rig.shark(['fsck', 'p.md', '--repair']);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain('repaired: 1 row of the index of outputs written again from its result (nothing dropped');
    expect((await rig.shark(['fsck', 'p.md'])).stdout).toContain('ok: no missing or corrupt data');
    expect((await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub'])).code).toBe(0);

    const before = readFileSync(rig.path('_shark/report.txt'), 'utf8');
    const again = await rig.shark(['run', 'p.md', ...INPUTS]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 run, \d+ cached/);
    expect(readFileSync(rig.path('_shark/report.txt'), 'utf8')).toBe(before);
  });

  it("a replaced result's kept version (result_history) is checked too", async () => {
    editStoreDatabase(rig, `INSERT INTO result_history_outputs (key, run_id, path, id) VALUES ('${'f'.repeat(64)}', 1, '/data/x.txt', 'sha256:${'0'.repeat(64)}')`);
    const found = await rig.shark(['fsck', 'p.md', '--json']);
    const problems = (JSON.parse(found.stdout) as { problems: { problem: string; detail: string }[] }).problems;
    expect(problems.filter((p) => p.problem === 'index').map((p) => p.detail)).toContainEqual(expect.stringMatching(/^the result ffffffff… \(run 1's version\): the index of outputs gives \/data\/x\.txt as 00000000…, its result records nothing/));
  });
});
