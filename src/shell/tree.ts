import { lstatSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { sortEntries, treeId } from '../store/content-id.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { objectId } from '../store/object-file.js';
import { refuseSpecial } from '../store/special-file.js';
import { textLink, textNames } from '../store/storable.js';
import { appendAll } from '../fold.js';

/** A directory (or file) as it is after a command: content ids all the way down, the ones a store would give. */
export interface Scan {
  readonly id: SnapshotId;
  readonly children?: ReadonlyMap<string, Scan>;
}

/**
 * The tree hash of a working view, through the stat cache (`hashFile`): the
 * default store's snapshot. What the store cannot keep is thrown as the store
 * refuses it: a FIFO, a socket or a device (`SpecialFileError`, never opened),
 * a name or a link target that is not UTF-8 (`NotTextError`).
 */
export function scanTree(path: string, hashFile: (path: string, st: BigIntStats) => string): Scan {
  const st = lstatSync(path, { bigint: true });
  if (st.isSymbolicLink()) return { id: `link:${textLink(path)}` };
  if (st.isDirectory()) {
    const children = new Map<string, Scan>();
    for (const name of textNames(path).sort()) children.set(name, scanTree(join(path, name), hashFile));
    return { id: treeId(sortEntries([...children].map(([name, s]) => ({ name, id: s.id })))), children };
  }
  refuseSpecial(path, st);
  return { id: objectId(hashFile(path, st), (st.mode & 0o111n) !== 0n) };
}

/** Records every directory of a scan as a tree of the store (bottom up); its files must be stored already. */
export function storeScan(scan: Scan, composeTree: (entries: readonly TreeEntry[]) => SnapshotId): SnapshotId {
  if (scan.children === undefined) return scan.id;
  return composeTree([...scan.children].map(([name, s]) => ({ name, id: storeScan(s, composeTree) })));
}

export interface Change {
  readonly path: string;
  readonly kind: 'created' | 'changed' | 'deleted';
}

/**
 * What a command did to `/data`: the smallest paths that differ between the
 * snapshot before (a stored tree) and the scan after. A new or removed
 * directory is one change; a directory in both is compared entry by entry.
 */
export function diffTrees(
  before: SnapshotId | undefined,
  after: Scan | undefined,
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  path = '/data',
): Change[] {
  if (before === after?.id) return [];
  if (before === undefined) return [{ path, kind: 'created' }];
  const old = entriesOf(before);
  // /data itself is never what went: a command that emptied it deleted each of its entries (the last file, by name).
  if (after === undefined && path === '/data' && old !== undefined) return old.map((e) => ({ path: `${path}/${e.name}`, kind: 'deleted' }));
  if (after === undefined) return [{ path, kind: 'deleted' }];
  if (old === undefined || after.children === undefined) return [{ path, kind: 'changed' }];
  const changes: Change[] = [];
  // By name: a directory of n entries is compared in n lookups, not n searches of its list.
  const was = new Map(old.map((e) => [e.name, e.id]));
  const names = new Set([...was.keys(), ...after.children.keys()]);
  for (const name of [...names].sort()) {
    appendAll(changes, diffTrees(was.get(name), after.children.get(name), entriesOf, `${path}/${name}`));
  }
  return changes;
}

/** A stored tree with `id` placed at `path` (directories on the way made as needed): how FILE's results make one /data. */
export function placeAt(
  root: SnapshotId | undefined,
  path: string,
  id: SnapshotId,
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  composeTree: (entries: readonly TreeEntry[]) => SnapshotId,
): SnapshotId {
  const [name, ...rest] = path.split('/').slice(2).filter((n) => n !== '');
  if (name === undefined) return id;
  const entries = root === undefined ? [] : [...(entriesOf(root) ?? [])];
  const at = entries.findIndex((e) => e.name === name);
  const child = placeAt(at >= 0 ? entries[at]!.id : undefined, `/data/${rest.join('/')}`, id, entriesOf, composeTree);
  if (at >= 0) entries[at] = { name, id: child };
  else entries.push({ name, id: child });
  return composeTree(sortEntries(entries));
}

/** The id at `path` in the stored tree `root` (how FILE's results sit in /data), or undefined when nothing is there. */
export function idAt(root: SnapshotId | undefined, path: string, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined): SnapshotId | undefined {
  let id = root;
  for (const name of path.split('/').slice(2).filter((n) => n !== '')) id = id === undefined ? undefined : entriesOf(id)?.find((e) => e.name === name)?.id;
  return id;
}
