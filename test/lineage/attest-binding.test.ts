import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { storeSql } from '../support/store-db.js';

/** `run` writes new bytes each time it runs; `run-2` copies them. */
const PIPELINE = `\`\`\`shark-run
cat /proc/sys/kernel/random/uuid > /data/t.txt
\`\`\`

\`\`\`shark-run
cat /data/t.txt > /data/u.txt
\`\`\`
`;

/** A rig whose pipeline ran once, signed with the key `me`. */
async function signedRun(prefix: string): Promise<Rig> {
  const rig = new Rig(prefix);
  rig.write('p.md', PIPELINE);
  expect((await rig.shark(['keygen', '-o', 'me'])).code).toBe(0);
  expect((await rig.shark(['run', 'p.md', '--sign', 'me.key'])).code).toBe(0);
  return rig;
}

describe('an envelope is about the result it was signed for', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await signedRun('shark-attest-binding-');
  });
  afterEach(() => rig.cleanup());

  it('a forced re-run without --sign has no envelope: attest prints none of the old ones, verify does not blame the stored bytes', async () => {
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--force', 'run'])).code).toBe(0);
    const attest = await rig.shark(['attest', 'p.md', '/data/u.txt']);
    expect(attest.code).toBe(1);
    expect(attest.stdout).toBe('');
    expect(attest.stderr).toContain('no envelope for run-2, run ');
    // `run --sign` alone would find them cached and sign nothing: the hint says how to sign them.
    expect(attest.stderr).toContain('signs only the jobs it runs, not cached ones: run these again with `--sign KEY --force run-2,run`');
    const verify = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('run: no envelope (it ran without --sign)');
    expect(verify.stderr).not.toContain('does not match the stored bytes');
    // Signed again, it verifies again.
    expect((await rig.shark(['run', 'p.md', '--force', 'run', '--sign', 'me.key'])).code).toBe(0);
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub'])).code).toBe(0);
  });
});

describe('verify checks that an envelope is about the job it verifies', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await signedRun('shark-attest-swap-');
  });
  afterEach(() => rig.cleanup());

  const sql = (statement: string): void => storeSql(rig, statement);

  it("an envelope of another key (another command, the same bytes) put in the job's place fails, exit 1", async () => {
    // Another command, the same output bytes: run-2 runs again under a new key and is signed anew.
    rig.write('p.md', PIPELINE.replace('cat /data/t.txt > /data/u.txt', 'cat /data/t.txt | cat > /data/u.txt'));
    expect((await rig.shark(['run', 'p.md', '--sign', 'me.key'])).code).toBe(0);
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub'])).code).toBe(0);
    sql(`UPDATE attestations SET envelope = (SELECT envelope FROM attestations WHERE job = 'run-2' AND run_id = 1) WHERE job = 'run-2' AND run_id = 2`);
    const verify = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/^run-2: its envelope is about another job \(cache key [0-9a-f]{8}…, run 1\), not this one \(cache key [0-9a-f]{8}…, run 2\)$/m);
    // Nor does an institution co-sign it.
    const sign = await rig.shark(['sign', 'p.md', '/data/u.txt', '--key', 'me.key']);
    expect(sign.code).toBe(1);
    expect(sign.stderr).toContain('its envelope is about another job');
  });

  it("an envelope of the same key's replaced result, relabelled as the new one's, fails", async () => {
    expect((await rig.shark(['run', 'p.md', '--force', 'run'])).code).toBe(0);
    sql(`UPDATE attestations SET run_id = 2 WHERE job = 'run'`);
    const verify = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/^run: its envelope is of another result of this job \(made by run 1\), not of the one run 2 made$/m);
  });

  it('a result made again with --force and --sign keeps the earlier result its own envelope: both runs verify', async () => {
    expect((await rig.shark(['run', 'p.md', '--force', 'run', '--sign', 'me.key'])).code).toBe(0);
    const latest = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub']);
    expect(latest.stdout + latest.stderr).toMatch(/verified/);
    expect(latest.code).toBe(0);
    // The first run's result, as a paper citing it would ask: its envelope was not replaced by the second's.
    const first = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub', '--run', '1']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const attest = await rig.shark(['attest', 'p.md', '/data/u.txt', '--run', '1']);
    expect(attest.code).toBe(0);
    expect(attest.stdout.trim().split('\n').map((l) => JSON.parse(l) as { payload: string }).some((e) => Buffer.from(e.payload, 'base64').toString().includes('/run/1/job/'))).toBe(true);
    const unknown = await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub', '--run', '9']);
    expect(unknown.code).toBe(2);
  });

  it("a store an older Shark signed (one envelope per key) still verifies, and keeps each run's envelope from then on", async () => {
    sql(`CREATE TABLE old (key TEXT PRIMARY KEY, run_id INTEGER NOT NULL, job TEXT NOT NULL, envelope TEXT NOT NULL, updated INTEGER NOT NULL);
      INSERT INTO old SELECT key, run_id, job, envelope, updated FROM attestations; DROP TABLE attestations; ALTER TABLE old RENAME TO attestations;`);
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--force', 'run', '--sign', 'me.key'])).code).toBe(0);
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub', '--run', '1'])).code).toBe(0);
    expect((await rig.shark(['verify', 'p.md', '/data/u.txt', '--key', 'me.pub', '--run', '2'])).code).toBe(0);
  });
});
