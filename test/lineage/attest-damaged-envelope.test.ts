import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from '../support/rig.js';
import { editStoreDatabase, signedTinyRig } from './fixture.js';

/**
 * An envelope row edited by hand in `.shark/shark.sqlite` into JSON that is
 * no DSSE envelope (`null`, a payload that is a number, a signature that is
 * not an object) is a problem of the job it is filed under, said by name:
 * never an internal error, and `attest` never prints it as if it were an envelope.
 */
describe('an envelope row that is not a DSSE envelope', () => {
  // One signed run for all: each case writes its own text over the report's row.
  let rig: Rig;
  beforeAll(async () => {
    rig = await signedTinyRig();
    expect((await rig.shark(['keygen', '-o', 'inst'])).code).toBe(0);
    editStoreDatabase(rig, "CREATE TABLE signed AS SELECT envelope FROM attestations WHERE job = 'report'");
  });
  afterAll(() => rig.cleanup());

  const DAMAGED = ['null', '[]', '"text"', '{}', '{not json', '{"payloadType":"application/vnd.in-toto+json","payload":5,"signatures":[]}',
    '{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":"x"}',
    '{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[null]}'];

  it.each(DAMAGED)('%s: verify, attest and sign name the job, exit 1', async (row) => {
    const text = row.replace(/'/g, "''");
    editStoreDatabase(rig, `UPDATE attestations SET envelope = '${text}' WHERE job = 'report'`);

    const verified = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(verified.stderr).not.toContain('internal error');
    expect(verified.stderr).toMatch(/^report: its stored envelope is damaged: /m);
    expect(verified.code).toBe(1);

    const attested = await rig.shark(['attest', 'p.md', '/data/report.txt']);
    expect(attested.stderr).toMatch(/report: its stored envelope is damaged: /);
    expect(attested.stdout).not.toContain('"payloadType":""');
    expect(attested.code).toBe(1);

    const signed = await rig.shark(['sign', 'p.md', '/data/report.txt', '--key', 'inst.key']);
    expect(signed.stderr).not.toContain('internal error');
    expect(signed.stderr).toMatch(/report: its stored envelope is damaged: .*not signing/);
    expect(signed.code).toBe(1);
  });

  it('a payload that is base64 of no JSON is refused by sign, not an internal error', async () => {
    editStoreDatabase(rig, `UPDATE attestations SET envelope = json_set((SELECT envelope FROM signed), '$.payload', 'bm90IGpzb24=') WHERE job = 'report'`);
    const signed = await rig.shark(['sign', 'p.md', '/data/report.txt', '--key', 'inst.key']);
    expect(signed.stderr).not.toContain('internal error');
    expect(signed.stderr).toMatch(/report: the payload is not JSON; not signing/);
    expect(signed.code).toBe(1);
  });
});
