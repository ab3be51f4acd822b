import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse, envelope.md). */
export interface Envelope {
  readonly payloadType: string;
  /** Base64 of the serialized body. */
  readonly payload: string;
  readonly signatures: readonly { readonly keyid?: string; readonly sig: string }[];
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The pre-authentication encoding: what is signed, binding the payload type to the body. */
export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

/** Standard or URL-safe base64, as the protocol requires verifiers to accept; undefined when it is neither. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** A key's id: the SHA-256 of its public key (SPKI, DER). A hint only; verification tries every trusted key. */
export function keyIdOf(key: KeyObject): string {
  let id = keyIds.get(key);
  if (id === undefined) {
    const pub = key.type === 'private' ? createPublicKey(key) : key;
    keyIds.set(key, (id = `sha256:${createHashHex(pub.export({ type: 'spki', format: 'der' }))}`));
  }
  return id;
}

/** Worked out once per key: `verify` checks thousands of envelopes against the same few keys. */
const keyIds = new WeakMap<KeyObject, string>();

const createHashHex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Ed25519 signs the message itself; an ECDSA key (the specification's test vector) signs its SHA-256, as r‖s. */
function algorithmFor(key: KeyObject): { alg: string | null; dsaEncoding?: 'ieee-p1363' } {
  return key.asymmetricKeyType === 'ec' ? { alg: 'sha256', dsaEncoding: 'ieee-p1363' } : { alg: null };
}

function signBytes(data: Buffer, key: KeyObject): Buffer {
  const { alg, dsaEncoding } = algorithmFor(key);
  return sign(alg, data, dsaEncoding === undefined ? key : { key, dsaEncoding });
}

/** Signs a body into a new envelope. */
export function signEnvelope(payloadType: string, body: Buffer, key: KeyObject): Envelope {
  return { payloadType, payload: body.toString('base64'), signatures: [{ keyid: keyIdOf(key), sig: signBytes(pae(payloadType, body), key).toString('base64') }] };
}

/** The envelope with one more signature over the same PAE (co-signing); unchanged when that key already signed. */
export function addSignature(envelope: Envelope, key: KeyObject): { envelope: Envelope; added: boolean } {
  const body = decodeBase64(envelope.payload);
  if (body === undefined) return { envelope, added: false };
  if (verifyEnvelope(envelope, [createPublicKey(key)]).accepted.length > 0) return { envelope, added: false };
  const sig = signBytes(pae(envelope.payloadType, body), key).toString('base64');
  return { envelope: { ...envelope, signatures: [...envelope.signatures, { keyid: keyIdOf(key), sig }] }, added: true };
}

/**
 * Which of the trusted keys signed the envelope: every signature is checked
 * against every key (keyid is not trusted), and a key counts once however
 * many of its signatures there are: the `(t, n)` rule of the protocol.
 */
export function verifyEnvelope(envelope: Envelope, keys: readonly KeyObject[]): { accepted: string[] } {
  const body = decodeBase64(envelope.payload);
  if (body === undefined) return { accepted: [] };
  const message = pae(envelope.payloadType, body);
  const accepted = new Set<string>();
  for (const s of envelope.signatures) {
    const sig = decodeBase64(s.sig);
    if (sig === undefined) continue;
    for (const key of keys) {
      const { alg, dsaEncoding } = algorithmFor(key);
      let ok = false;
      try {
        ok = verify(alg, message, dsaEncoding === undefined ? key : { key, dsaEncoding }, sig);
      } catch {
        // A signature of the wrong shape for this key is simply not this key's.
      }
      if (ok) accepted.add(keyIdOf(key));
    }
  }
  return { accepted: [...accepted] };
}
