import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyFiles, loadPrivateKey, loadPublicKey } from '../../src/lineage/attest/keys.js';

describe('the keys a signature is checked with', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shark-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuse a private key given where a trusted public key goes, naming the public one to give', () => {
    const pair = generateKeyFiles(join(dir, 'k'));
    expect(pair.ok).toBe(true);
    const { key, pub } = (pair as { ok: true; value: { key: string; pub: string } }).value;
    expect(loadPublicKey(pub).ok).toBe(true);
    expect(loadPrivateKey(key).ok).toBe(true);
    expect(loadPublicKey(key)).toEqual({ ok: false, message: `${key} is a private key: give its public key (the .pub file shark keygen wrote beside it), which is what may be shared` });
  });

  it('refuse a key of another algorithm in plain words (not `a rsa key`)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = join(dir, 'ec.key');
    const pub = join(dir, 'ec.pub');
    writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    expect(loadPrivateKey(key)).toEqual({ ok: false, message: `${key} is an EC key, not an ed25519 one: Shark signs with ed25519 (shark keygen)` });
    expect(loadPublicKey(pub)).toEqual({ ok: false, message: `${pub} is an EC key, not an ed25519 one: Shark signs with ed25519 (shark keygen)` });
  });
});
