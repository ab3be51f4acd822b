import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pae, verifyEnvelope, type Envelope } from '../../src/lineage/attest/dsse.js';

/** The example in the DSSE specification (protocol.md, "Test Vectors"): ECDSA P-256, SHA-256, r‖s. */
const VECTOR = {
  envelope: {
    payload: 'aGVsbG8gd29ybGQ=',
    payloadType: 'http://example.com/HelloWorld',
    signatures: [{ sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==' }],
  } satisfies Envelope,
  pae: 'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
  x: 46950820868899156662930047687818585632848591499744589407958293238635476079160n,
  y: 5640078356564379163099075877009565129882514886557779369047442380624545832820n,
};

const b64url = (n: bigint): string => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url');
const vectorKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(VECTOR.x), y: b64url(VECTOR.y) }, format: 'jwk' });

describe('DSSE', () => {
  it('encodes the pre-authentication encoding as the specification', () => {
    expect(pae(VECTOR.envelope.payloadType, Buffer.from('hello world')).toString()).toBe(VECTOR.pae);
    expect(pae('a', Buffer.alloc(0)).toString()).toBe('DSSEv1 1 a 0 ');
    // Lengths are of bytes, not characters.
    expect(pae('é', Buffer.from('€')).toString()).toBe('DSSEv1 2 é 3 €');
  });

  it("verifies the specification's test vector, and rejects it altered", () => {
    expect(verifyEnvelope(VECTOR.envelope, [vectorKey]).accepted).toHaveLength(1);
    const urlSafe = { ...VECTOR.envelope, signatures: [{ sig: Buffer.from(VECTOR.envelope.signatures[0]!.sig, 'base64').toString('base64url') }] };
    expect(verifyEnvelope(urlSafe, [vectorKey]).accepted).toHaveLength(1);
    const tampered = { ...VECTOR.envelope, payload: Buffer.from('hello World').toString('base64') };
    expect(verifyEnvelope(tampered, [vectorKey]).accepted).toHaveLength(0);
    const retyped = { ...VECTOR.envelope, payloadType: 'http://example.com/HelloWorld2' };
    expect(verifyEnvelope(retyped, [vectorKey]).accepted).toHaveLength(0);
  });
});
