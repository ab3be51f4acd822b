import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnapshotStore } from '../../store/snapshot-store.js';
import { sha256Of } from '../export/run-jobs.js';

/** An in-toto resource: a /data file and the SHA-256 of its bytes. */
export interface FileDigest {
  readonly name: string;
  readonly digest: { readonly sha256: string };
}

const hashFile = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const byName = (a: FileDigest, b: FileDigest): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Hashes every regular file under a host path, named as if `hostRoot` were `dataPath`. */
function walk(hostRoot: string, dataPath: string): FileDigest[] {
  const st = lstatSync(hostRoot);
  if (st.isDirectory()) return readdirSync(hostRoot).flatMap((n) => walk(join(hostRoot, n), `${dataPath}/${n}`));
  return st.isFile() ? [{ name: dataPath, digest: { sha256: hashFile(hostRoot) } }] : [];
}

/**
 * A snapshot as files with digests. A directory is one subject per file
 * (named by its /data path), so anyone can check each with sha256sum;
 * symbolic links are not subjects. Content ids that are already SHA-256 of
 * the bytes are used as they are; anything else (another store's ids) is
 * exported and hashed.
 */
export async function digestsOf(store: SnapshotStore, id: string, path: string): Promise<FileDigest[]> {
  const base = path.replace(/\/$/, '');
  const entries = store.entries(id);
  if (entries !== undefined) {
    const all = await Promise.all(entries.map((e) => digestsOf(store, e.id, `${base}/${e.name}`)));
    return all.flat().sort(byName);
  }
  if (id.startsWith('link:')) return [];
  const sha = sha256Of(id);
  return sha !== undefined ? [{ name: base, digest: { sha256: sha } }] : storedDigests(store, id, base);
}

/** The digests of the bytes the store holds now, read back (what `verify` compares signed subjects with). */
export async function storedDigests(store: SnapshotStore, id: string, path: string): Promise<FileDigest[]> {
  const found: FileDigest[] = [];
  if (readInPlace(store, id, path.replace(/\/$/, ''), found)) return found.sort(byName);
  const tmp = mkdtempSync(join(tmpdir(), 'shark-verify-'));
  try {
    await store.exportTo(id, join(tmp, 'x'));
    return walk(join(tmp, 'x'), path.replace(/\/$/, '')).sort(byName);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The digests read from the store's own files where it keeps each file as
 * one (`objectPath`: the CAS store), with no copy: `verify` of a total over
 * thousands of jobs exported each job's outputs to a temporary directory
 * first. False when some file is not kept so (another store, or unsound
 * bytes): then the snapshot is exported, as before.
 */
function readInPlace(store: SnapshotStore, id: string, name: string, found: FileDigest[]): boolean {
  if (id.startsWith('link:')) return true;
  const entries = store.entries(id);
  if (entries !== undefined) return entries.every((e) => readInPlace(store, e.id, `${name}/${e.name}`, found));
  const file = store.objectPath?.(id);
  if (file === undefined) return false;
  found.push({ name, digest: { sha256: hashFile(file) } });
  return true;
}
