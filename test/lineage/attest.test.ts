import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { chmodSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pae } from '../../src/lineage/attest/dsse.js';
import { Rig } from '../support/rig.js';
import { INPUTS, tinyRig } from './fixture.js';

interface Envelope { payload: string; payloadType: string; signatures: { keyid?: string; sig: string }[] }
interface Statement {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: {
    buildDefinition: { buildType: string; externalParameters: { command: string }; resolvedDependencies: { name: string; digest: { sha256: string } }[] };
    runDetails: { metadata: { invocationId: string } };
  };
}

const statementOf = (e: Envelope): Statement => JSON.parse(Buffer.from(e.payload, 'base64').toString()) as Statement;
const sha = (text: string): string => execFileSync('sha256sum', { input: text, encoding: 'utf8' }).split(' ')[0]!;

describe('signatures at each stage', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = tinyRig();
    expect((await rig.shark(['keygen', '-o', 'shark'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  const attest = async (): Promise<Envelope[]> => {
    const ran = await rig.shark(['attest', 'p.md', '/data/report.txt']);
    expect(ran.code, ran.stderr).toBe(0);
    return ran.stdout.trim().split('\n').map((l) => JSON.parse(l) as Envelope);
  };
  /** Rewrites the stored envelope of the job that made `path`. */
  const rewrite = (path: string, change: (e: Envelope) => Envelope): void => {
    const db = new Database(rig.path('.shark/shark.sqlite'));
    try {
      const rows = db.prepare<[], { key: string; envelope: string }>('SELECT key, envelope FROM attestations').all();
      const row = rows.find((r) => statementOf(JSON.parse(r.envelope) as Envelope).subject.some((s) => s.name === path))!;
      db.prepare('UPDATE attestations SET envelope = ? WHERE key = ?').run(JSON.stringify(change(JSON.parse(row.envelope) as Envelope)), row.key);
    } finally {
      db.close();
    }
  };
  const signedRun = async (): Promise<void> => {
    const ran = await rig.shark(['run', 'p.md', ...INPUTS, '--sign', 'shark.key']);
    expect(ran.code, ran.stderr).toBe(0);
  };

  it('keygen writes an ed25519 pair, the private key 0600, and never overwrites', async () => {
    expect(rig.read('shark.key')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(rig.read('shark.pub')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(rig.path('shark.key')).mode & 0o777).toBe(0o600);
    expect(execFileSync('openssl', ['pkey', '-in', rig.path('shark.key'), '-noout', '-text'], { encoding: 'utf8' })).toContain('ED25519');
    const before = rig.read('shark.key');
    const again = await rig.shark(['keygen', '-o', 'shark']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists');
    expect(rig.read('shark.key')).toBe(before);
  });

  it('run --sign writes an in-toto statement per job, signed in a DSSE envelope that openssl verifies', async () => {
    await signedRun();
    const envelopes = await attest();
    expect(envelopes).toHaveLength(4);
    const statements = envelopes.map(statementOf);
    for (const [i, e] of envelopes.entries()) {
      expect(e.payloadType).toBe('application/vnd.in-toto+json');
      const s = statements[i]!;
      expect(s._type).toBe('https://in-toto.io/Statement/v1');
      expect(s.predicateType).toBe('https://slsa.dev/provenance/v1');
      writeFileSync(rig.path('pae.bin'), pae(e.payloadType, Buffer.from(e.payload, 'base64')));
      writeFileSync(rig.path('sig.bin'), Buffer.from(e.signatures[0]!.sig, 'base64'));
      const out = execFileSync('openssl', ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', rig.path('shark.pub'), '-sigfile', rig.path('sig.bin'), '-in', rig.path('pae.bin')], { encoding: 'utf8' });
      expect(out).toContain('Signature Verified Successfully');
    }
    const report = statements[0]!;
    expect(report.subject).toEqual([{ name: '/data/report.txt', digest: { sha256: sha(rig.read('_shark/report.txt')) } }]);
    expect(report.predicate.buildDefinition.buildType).toMatch(/^https:\/\/.*shark/);
    expect(report.predicate.buildDefinition.externalParameters.command).toBe('cd /data/sizes/ && cat * /data/upper.txt > /data/report.txt');
    expect(report.predicate.buildDefinition.resolvedDependencies.map((d) => d.name)).toEqual(expect.arrayContaining(['/data/sizes/a.txt', '/data/sizes/b.txt', '/data/upper.txt']));
    expect(report.predicate.runDetails.metadata.invocationId).toMatch(/run\/1\/job\/report$/);
    const measured = statements.find((s) => s.subject[0]!.name === '/data/sizes/a.txt')!;
    expect(measured.predicate.buildDefinition.resolvedDependencies).toEqual(expect.arrayContaining([{ name: '/data/ranges/a.txt', digest: { sha256: sha('range a\n') } }]));
    const ok = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toContain('4 envelopes');
  });

  it('reads the key from SHARK_SIGNING_KEY; a run without a key signs nothing', async () => {
    const plain = await rig.shark(['run', 'p.md', ...INPUTS]);
    expect(plain.code).toBe(0);
    const none = await rig.shark(['attest', 'p.md', '/data/report.txt']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no envelope');
    const unsigned = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(unsigned.code).toBe(1);
    rig.write('raw.txt', 'other\n');
    const ran = await rig.shark(['run', 'p.md', ...INPUTS], { env: { SHARK_SIGNING_KEY: rig.path('shark.key') } });
    expect(ran.code).toBe(0);
    const partly = await rig.shark(['attest', 'p.md', '/data/upper.txt']);
    expect(partly.code).toBe(0);
    expect(partly.stdout.trim().split('\n')).toHaveLength(1);
    const bad = await rig.shark(['run', 'p.md', ...INPUTS, '--sign', 'nope.key']);
    expect(bad.code).toBe(2);
  });

  it('a tampered payload fails verify with exit 1 and a message', async () => {
    await signedRun();
    rewrite('/data/upper.txt', (e) => {
      const s = statementOf(e);
      s.predicate.buildDefinition.externalParameters.command = 'echo innocent';
      return { ...e, payload: Buffer.from(JSON.stringify(s)).toString('base64') };
    });
    const ran = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/prepare: no trusted key signed/);
  });

  it('a swapped subject digest fails verify, even signed again with the same key', async () => {
    await signedRun();
    const key = createPrivateKey(rig.read('shark.key'));
    rewrite('/data/upper.txt', (e) => {
      const s = statementOf(e);
      s.subject[0]!.digest.sha256 = sha('HELLO EVERYONE\n');
      const body = Buffer.from(JSON.stringify(s));
      return { ...e, payload: body.toString('base64'), signatures: [{ ...e.signatures[0]!, sig: sign(null, pae(e.payloadType, body), key).toString('base64') }] };
    });
    const ran = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('/data/upper.txt');
    expect(ran.stderr).toMatch(/does not match the stored bytes/);
    expect(ran.stderr).toMatch(/report: input \/data\/upper.txt .* is not a subject/);
  });

  it('stored bytes changed or deleted are a problem of the job that made them, not a crash; sign refuses', async () => {
    await signedRun();
    const hex = sha('HELLO WORLD\n');
    const object = rig.path(`.shark/objects/${hex.slice(0, 2)}/${hex.slice(2)}`);
    chmodSync(object, 0o644);
    writeFileSync(object, 'tampered\n');
    const corrupt = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(corrupt.code, corrupt.stderr).toBe(1);
    expect(corrupt.stderr).toMatch(/prepare: the stored bytes of \/data\/upper.txt are missing or corrupt/);
    expect(corrupt.stderr).not.toMatch(/internal error|shark-verify-/);
    const sign = await rig.shark(['sign', 'p.md', '/data/upper.txt', '--key', 'shark.key']);
    expect(sign.code, sign.stderr).toBe(1);
    expect(sign.stderr).toMatch(/prepare: the stored bytes of \/data\/upper.txt are missing or corrupt.*; not signing/);
    rmSync(object);
    const missing = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub']);
    expect(missing.code, missing.stderr).toBe(1);
    expect(missing.stderr).toMatch(/prepare: the stored bytes of \/data\/upper.txt are missing or corrupt/);
  });

  it('a wrong key fails verify', async () => {
    await signedRun();
    await rig.shark(['keygen', '-o', 'other']);
    const ran = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'other.pub']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('no trusted key signed');
  });

  it('an institution co-signs the final result: --threshold 2 passes only then', async () => {
    await signedRun();
    await rig.shark(['keygen', '-o', 'institution']);
    const both = ['--key', 'shark.pub', '--key', 'institution.pub', '--threshold', '2'];
    const before = await rig.shark(['verify', 'p.md', '/data/report.txt', ...both]);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/report: signed by 1 trusted key, 2 required/);
    const signed = await rig.shark(['sign', 'p.md', '/data/report.txt', '--key', 'institution.key']);
    expect(signed.code, signed.stderr).toBe(0);
    const after = await rig.shark(['verify', 'p.md', '/data/report.txt', ...both]);
    expect(after.code, after.stderr).toBe(0);
    // The same key twice is one key.
    const same = await rig.shark(['verify', 'p.md', '/data/report.txt', '--key', 'shark.pub', '--key', 'shark.pub', '--threshold', '2']);
    expect(same.code).toBe(1);
    const [top] = await attest();
    expect(top!.signatures).toHaveLength(2);
    writeFileSync(rig.path('pae.bin'), pae(top!.payloadType, Buffer.from(top!.payload, 'base64')));
    writeFileSync(rig.path('sig.bin'), Buffer.from(top!.signatures[1]!.sig, 'base64'));
    execFileSync('openssl', ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', rig.path('institution.pub'), '-sigfile', rig.path('sig.bin'), '-in', rig.path('pae.bin')]);
    expect((await rig.shark(['verify', 'p.md', '/data/report.txt'])).code).toBe(2);
  });
});

describe('keygen -o NAME', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('refuses an empty name or a directory (exit 2, nothing written); takes NAME.key or NAME.pub as NAME', async () => {
    for (const name of ['', 'sub/', '.', 'sub/..']) {
      const ran = await rig.shark(['keygen', '-o', name]);
      expect([name, ran.code, ran.stderr]).toEqual([name, 2, expect.stringMatching(/^shark: error: keygen -o .*: give a file name/)]);
    }
    expect(readdirSync(rig.dir)).toEqual([]);
    const key = await rig.shark(['keygen', '-o', 'x.key']);
    expect([key.code, key.stdout]).toEqual([0, 'wrote x.key (private: keep it secret) and x.pub (give it to whoever verifies)\n']);
    expect((await rig.shark(['keygen', '-o', 'y.pub'])).code).toBe(0);
    expect(readdirSync(rig.dir).sort()).toEqual(['x.key', 'x.pub', 'y.key', 'y.pub']);
  });

  it('verify counts one envelope as one', async () => {
    rig.write('one.md', '```shark-run\necho 1 > /data/one.txt\n```\n');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['run', 'one.md', '--sign', 'k.key'])).code).toBe(0);
    const ran = await rig.shark(['verify', 'one.md', '/data/one.txt', '--key', 'k.pub']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(ran.stdout).toMatch(/^\/data\/one\.txt: verified 1 envelope \(/);
  });

  it('a key that is a directory, or missing, is named in plain words (exit 2)', async () => {
    rig.write('one.md', '```shark-run\necho 1 > /data/one.txt\n```\n');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['run', 'one.md', '--sign', 'k.key'])).code).toBe(0);
    rig.write('keys/k.pub', rig.read('k.pub'));
    const dir = await rig.shark(['verify', 'one.md', '/data/one.txt', '--key', 'keys']);
    expect([dir.code, dir.stderr]).toEqual([2, 'shark: error: cannot read the public key keys: is a directory\n']);
    const missing = await rig.shark(['verify', 'one.md', '/data/one.txt', '--key', 'nope.pub']);
    expect([missing.code, missing.stderr]).toEqual([2, 'shark: error: cannot read the public key nope.pub: no such file\n']);
    const signDir = await rig.shark(['run', 'one.md', '--sign', 'keys']);
    expect([signDir.code, signDir.stderr]).toEqual([2, 'shark: error: cannot read the private key keys: is a directory\n']);
  });

  it('a public key given to sign, or to run --sign, is named for what it is (exit 2), as verify names a private one', async () => {
    rig.write('one.md', '```shark-run\necho 1 > /data/one.txt\n```\n');
    expect((await rig.shark(['keygen', '-o', 'alice'])).code).toBe(0);
    expect((await rig.shark(['run', 'one.md', '--sign', 'alice.key'])).code).toBe(0);
    const said = 'shark: error: alice.pub is a public key: give the private key (the .key file shark keygen wrote beside it) to sign with\n';
    const sign = await rig.shark(['sign', 'one.md', '/data/one.txt', '--key', 'alice.pub']);
    expect([sign.code, sign.stderr]).toEqual([2, said]);
    const run = await rig.shark(['run', 'one.md', '--sign', 'alice.pub']);
    expect([run.code, run.stderr]).toEqual([2, said]);
  });
});
