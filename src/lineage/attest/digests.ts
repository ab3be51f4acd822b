import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeScratchDir } from '../../scratch-dir.js';
import { sortEntries, treeId } from '../../store/content-id.js';
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
  if (sha !== undefined) return [{ name: base, digest: { sha256: sha } }];
  const stored = await storedDigests(store, id, base);
  const gone = [...stored.unsound, ...stored.freed];
  if (gone.length > 0) throw new Error(unsoundMessage(gone[0]!));
  return stored.digests;
}

/** The bytes a store holds now, read back: each sound file's digest, and the /data paths whose bytes it cannot give. */
export interface StoredBytes {
  readonly digests: FileDigest[];
  /** Missing or corrupt in the store (what `fsck` reports): neither a match nor a mismatch, a problem of its own. */
  readonly unsound: string[];
  /**
   * Freed by `shark gc` on purpose (an older run's data the document no
   * longer reuses): not damage, and `fsck` rightly finds nothing.
   */
  readonly freed: string[];
  /**
   * Directories whose recorded entries no longer hash to their ids: a name
   * or a link's target edited in the store's records since (links are no
   * subjects, so only this tells that one was retargeted).
   */
  readonly misrecorded: string[];
}

/**
 * What `verify` and `sign` say of stored bytes they cannot read back: fsck
 * finds them all, unless `fsck --repair` already dropped the result made of
 * them (`repaired`), which only running its job again makes anew.
 */
export const unsoundMessage = (path: string, repaired = false): string => repaired
  ? `the stored bytes of ${path} are missing or corrupt: \`shark fsck --repair\` dropped the result; run the pipeline again (\`shark run --sign KEY\`) to recompute it`
  : `the stored bytes of ${path} are missing or corrupt (run \`shark fsck\`)`;

/** What they say of a directory whose record in the store was edited (`StoredBytes.misrecorded`). */
export const misrecordedMessage = (path: string): string =>
  `the store's record of the directory ${path} was changed since it was stored: its entries (names, links) no longer hash to its id (run \`shark fsck\`)`;

/** What they say of stored bytes gc freed: which run made them, and why they are gone. */
export const freedMessage = (path: string, run: number): string =>
  `the stored bytes of ${path} were freed by \`shark gc\` (run ${run} made them; gc keeps only what the document may still reuse)`;

/** The digests of the bytes the store holds now, read back (what `verify` compares signed subjects with). */
export async function storedDigests(store: SnapshotStore, id: string, path: string): Promise<StoredBytes> {
  const found: StoredBytes = { digests: [], unsound: [], freed: [], misrecorded: [] };
  const name = path.replace(/\/$/, '');
  recheckTrees(store, id, name, found.misrecorded);
  if (store.objectPath !== undefined) readInPlace(store, id, name, found);
  else await readExported(store, id, name, found);
  found.digests.sort(byName);
  return found;
}

/** `storedDigests` of each output of a job (path to id), together. */
export async function storedOutputs(store: SnapshotStore, outputs: Readonly<Record<string, string>>): Promise<StoredBytes> {
  const all = await Promise.all(Object.entries(outputs).map(([p, id]) => storedDigests(store, id, p)));
  return {
    digests: all.flatMap((b) => b.digests), unsound: all.flatMap((b) => b.unsound), freed: all.flatMap((b) => b.freed),
    misrecorded: all.flatMap((b) => b.misrecorded),
  };
}

/** Each directory at or below `id` whose recorded entries hash to another id than its own, by /data path. */
function recheckTrees(store: SnapshotStore, id: string, name: string, out: string[]): void {
  const entries = store.entries(id);
  if (entries === undefined) return;
  if (treeId(sortEntries(entries)) !== id) out.push(name);
  for (const e of entries) recheckTrees(store, e.id, `${name}/${e.name}`, out);
}

/**
 * A store that does not keep each file as one (ZFS) exports the snapshot to
 * a temporary directory to hash it; a snapshot it cannot export is unsound
 * as a whole.
 */
async function readExported(store: SnapshotStore, id: string, name: string, found: StoredBytes): Promise<void> {
  const tmp = makeScratchDir('shark-verify-');
  try {
    await store.exportTo(id, join(tmp, 'x'));
    found.digests.push(...walk(join(tmp, 'x'), name));
  } catch {
    (store.freed?.(id) === 'gc' ? found.freed : found.unsound).push(name);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The digests read from the store's own files where it keeps each file as
 * one (`objectPath`: the CAS store), with no copy: `verify` of a total over
 * thousands of jobs exported each job's outputs to a temporary directory
 * first. A file (or directory) the store cannot give sound bytes of is named
 * by its /data path in `freed` when gc freed it, else in `unsound`.
 */
function readInPlace(store: SnapshotStore, id: string, name: string, found: StoredBytes): void {
  if (id.startsWith('link:')) return;
  const entries = store.entries(id);
  if (entries !== undefined) {
    for (const e of entries) readInPlace(store, e.id, `${name}/${e.name}`, found);
    return;
  }
  const file = store.objectPath?.(id);
  if (file !== undefined) found.digests.push({ name, digest: { sha256: hashFile(file) } });
  else (store.freed?.(id) === 'gc' ? found.freed : found.unsound).push(name);
}
