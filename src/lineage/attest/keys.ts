import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { readProblem } from '../../read-problem.js';
import { shownName } from '../../printable.js';
import { writeError } from '../../writable-path.js';

export type KeyResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Writes a file that must not exist yet, with the given mode from the start (a private key is never readable by others, not even briefly). */
function createExclusive(path: string, text: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    // Not writeSync, which may store part of the text on a full disk without an error.
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * The NAME a pair is written as: `-o x.key` (or `x.pub`) means `x`, not
 * `x.key.key`; a name with no file part (``, `dir/`, `.`) would write hidden
 * `.key` and `.pub` files, and is refused.
 */
export function keyPairName(given: string): KeyResult<string> {
  const name = given.replace(/\.(key|pub)$/, '');
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (last === '' || last === '.' || last === '..') {
    return { ok: false, message: `keygen -o \`${shownName(given)}\`: give a file name, such as -o shark (writes shark.key and shark.pub)` };
  }
  return { ok: true, value: name };
}

/** `NAME.key` (PKCS#8 PEM, 0600) and `NAME.pub` (SPKI PEM): an ed25519 pair; refuses to overwrite either. */
export function generateKeyFiles(given: string): KeyResult<{ key: string; pub: string }> {
  const named = keyPairName(given);
  if (!named.ok) return named;
  const key = `${named.value}.key`;
  const pub = `${named.value}.pub`;
  for (const p of [key, pub]) {
    // A link is there even when it leads nowhere: writing would go where it leads (and O_EXCL refuses it).
    let there: ReturnType<typeof lstatSync>;
    try {
      there = lstatSync(p, { throwIfNoEntry: false });
    } catch (e) {
      // A name too long, a loop of links on the way: said as the write would say it.
      return { ok: false, message: `cannot write the key pair: ${shownName(p)}: ${writeError(p, e)}` };
    }
    if (there !== undefined) return { ok: false, message: `${shownName(p)} exists${there.isSymbolicLink() && !existsSync(p) ? ' (a symbolic link to nothing)' : ''}; keygen never overwrites a key` };
  }
  const pair = generateKeyPairSync('ed25519');
  try {
    createExclusive(key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    try {
      createExclusive(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
    } catch (e) {
      unlinkSync(key);
      throw e;
    }
  } catch (e) {
    // As `cp` says it (`cannot create regular file 'k.key': Permission denied`), not Node's `EACCES: …, open 'k.key'`.
    const failed = (e as NodeJS.ErrnoException).path ?? key;
    return { ok: false, message: `cannot write the key pair: ${shownName(failed)}: ${writeError(failed, e)}` };
  }
  return { ok: true, value: { key, pub } };
}

/** Node's name of a key type as said in a sentence: `an RSA key`, `an EC key`, `a DSA key`. */
function keyKind(type: string | undefined): string {
  if (type === undefined) return 'a key of an unknown type';
  const name = type.startsWith('ed') ? `Ed${type.slice(2)}` : type.toUpperCase();
  return `${/^[AEFHILMNORSX]/.test(name) ? 'an' : 'a'} ${name} key`;
}

function readKey(path: string, kind: 'private' | 'public'): KeyResult<KeyObject> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, message: `cannot read the ${kind} key ${shownName(path)}: ${readProblem(e)}` };
  }
  // Node derives a public key from a private one: a trusted key given as the private file is a mistake to say.
  if (kind === 'public' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return { ok: false, message: `${shownName(path)} is a private key: give its public key (the .pub file shark keygen wrote beside it), which is what may be shared` };
  }
  // And the reverse: Node cannot read a public key as a private one, and 'not a PEM private key' would send the user hunting for a damaged file.
  if (kind === 'private' && /-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(text)) {
    return { ok: false, message: `${shownName(path)} is a public key: give the private key (the .key file shark keygen wrote beside it) to sign with` };
  }
  try {
    const key = kind === 'private' ? createPrivateKey(text) : createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') return { ok: false, message: `${shownName(path)} is ${keyKind(key.asymmetricKeyType)}, not an ed25519 one: Shark signs with ed25519 (shark keygen)` };
    return { ok: true, value: key };
  } catch {
    return { ok: false, message: `${shownName(path)} is not a PEM ${kind} key` };
  }
}

export const loadPrivateKey = (path: string): KeyResult<KeyObject> => readKey(path, 'private');
export const loadPublicKey = (path: string): KeyResult<KeyObject> => readKey(path, 'public');
