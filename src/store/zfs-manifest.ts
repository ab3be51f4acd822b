import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, symlinkSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { treeId } from './content-id.js';
import { hashFileSync } from './hash.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId, TreeEntry } from './snapshot-store.js';

/**
 * The per-file manifest of the ZFS store, and the catalog that keeps it.
 *
 * A committed output's id is `zfs:GUID:/path`: the path of a file or directory
 * inside the snapshot whose GUID it carries. Every node is also hashed when
 * committed (the content ids of the content-addressed store: `sha256:`,
 * `sha256x:`, `link:`, `tree:`), and the catalog keeps one location per
 * content. A commit whose content is already stored returns that location,
 * and a directory's entries name the location of each item's content, so the
 * same data has the same id run after run: a re-run step that writes the same
 * 999 of 1,000 items leaves 999 map jobs cached. Ingested host data keeps its
 * content id (the planner predicts it without storing anything); the catalog
 * says where its bytes are.
 */

/** A file, symbolic link or directory as scanned, with its content id. */
export type Node =
  | { readonly kind: 'file'; readonly content: string }
  | { readonly kind: 'link'; readonly content: string }
  | { readonly kind: 'dir'; readonly content: string; readonly children: readonly { name: string; node: Node }[] };

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The tree hash of `content-id.ts`, over the children's content ids. */
function treeContent(children: readonly { name: string; node: Node }[]): string {
  return treeId(children.map((c) => ({ name: c.name, id: c.node.content })));
}

/**
 * Hashes what is at `path` without following symbolic links. `hashFile`
 * decides how a file is read (plain for a workspace, stat-cached for a host
 * file).
 */
export function scan(path: string, hashFile: (path: string) => string = hashFileSync): Node {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return { kind: 'link', content: `link:${readlinkSync(path)}` };
  if (st.isDirectory()) {
    const children = readdirSync(path)
      .map((name) => ({ name, node: scan(join(path, name), hashFile) }))
      .sort(byName);
    return { kind: 'dir', content: treeContent(children), children };
  }
  if (!st.isFile()) throw new Error(`${path}: only files, directories and symbolic links can be stored`);
  const exec = (st.mode & 0o111) !== 0;
  return { kind: 'file', content: `${exec ? 'sha256x' : 'sha256'}:${hashFile(path)}` };
}

/**
 * Like `scan`, for a host path through the stat cache: the content ids the
 * planner predicts for frontmatter inputs (`contentId`), which is what
 * `ingest` must return.
 */
export function scanHost(path: string, meta: Metadata): Node {
  return scan(path, (p) => meta.hashFile(p));
}

const CHUNK = 4 * 1024 * 1024;

/** Copies a file and returns the SHA-256 of the bytes written: one read for both. */
export function copyHashing(from: string, to: string, mode: number): string {
  const buffer = Buffer.allocUnsafe(CHUNK);
  const hash = createHash('sha256');
  const src = openSync(from, 'r');
  try {
    const dst = openSync(to, 'wx', mode);
    try {
      for (;;) {
        const n = readSync(src, buffer, 0, CHUNK, null);
        if (n === 0) break;
        const chunk = n === CHUNK ? buffer : buffer.subarray(0, n);
        hash.update(chunk);
        for (let off = 0; off < n; ) off += writeSync(dst, chunk, off, n - off);
      }
    } finally {
      closeSync(dst);
    }
  } finally {
    closeSync(src);
  }
  return hash.digest('hex');
}

export interface ZfsRef {
  readonly guid: string;
  /** Absolute inside the snapshot, e.g. `/data/out`. */
  readonly path: string;
}

export function zfsId(guid: string, path: string): SnapshotId {
  return `zfs:${guid}:${path}`;
}

export function parseZfsId(id: SnapshotId): ZfsRef | undefined {
  const m = /^zfs:(\d+):(\/.*)$/s.exec(id);
  return m === null ? undefined : { guid: m[1]!, path: m[2]! };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS zfs_snapshots (guid TEXT PRIMARY KEY, name TEXT NOT NULL, dataset TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS zfs_objects (content TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, guid TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS zfs_objects_guid ON zfs_objects (guid);
CREATE TABLE IF NOT EXISTS zfs_dirs (id TEXT PRIMARY KEY, guid TEXT NOT NULL, entries TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS zfs_dirs_guid ON zfs_dirs (guid);
`;

/**
 * The ZFS store's tables in the metadata database: which snapshots Shark
 * made, the canonical id of each content, and the entries of each directory.
 */
export class ZfsCatalog {
  private readonly stmts;
  private readonly dirs = new Map<string, readonly TreeEntry[]>();

  constructor(private readonly meta: Metadata) {
    meta.db.exec(SCHEMA);
    const db = meta.db;
    this.stmts = {
      snapshot: db.prepare<[string], { name: string; dataset: string }>('SELECT name, dataset FROM zfs_snapshots WHERE guid = ?'),
      snapshots: db.prepare<[], { guid: string; name: string; dataset: string }>('SELECT guid, name, dataset FROM zfs_snapshots'),
      putSnapshot: db.prepare('INSERT OR REPLACE INTO zfs_snapshots (guid, name, dataset) VALUES (?, ?, ?)'),
      byContent: db.prepare<[string], { id: string; guid: string }>('SELECT id, guid FROM zfs_objects WHERE content = ?'),
      byId: db.prepare<[string], { content: string }>('SELECT content FROM zfs_objects WHERE id = ?'),
      putObject: db.prepare('INSERT OR REPLACE INTO zfs_objects (content, id, guid) VALUES (?, ?, ?)'),
      dir: db.prepare<[string], { entries: string }>('SELECT entries FROM zfs_dirs WHERE id = ?'),
      putDir: db.prepare('INSERT OR IGNORE INTO zfs_dirs (id, guid, entries) VALUES (?, ?, ?)'),
      dropObjects: db.prepare('DELETE FROM zfs_objects WHERE guid = ?'),
      dropDirs: db.prepare('DELETE FROM zfs_dirs WHERE guid = ?'),
      dropSnapshot: db.prepare('DELETE FROM zfs_snapshots WHERE guid = ?'),
    };
  }

  snapshot(guid: string): { name: string; dataset: string } | undefined {
    return this.stmts.snapshot.get(guid);
  }

  snapshots(): { guid: string; name: string; dataset: string }[] {
    return this.stmts.snapshots.all();
  }

  /** The `zfs:` id already holding `content`, if its snapshot still exists. */
  location(content: string, live: (guid: string) => boolean): SnapshotId | undefined {
    const row = this.stmts.byContent.get(content);
    return row !== undefined && live(row.guid) ? row.id : undefined;
  }

  isObject(id: SnapshotId): boolean {
    return this.stmts.byId.get(id) !== undefined;
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    let entries = this.dirs.get(id);
    if (entries === undefined) {
      const text = this.stmts.dir.get(id)?.entries;
      if (text === undefined) return undefined;
      entries = JSON.parse(text) as TreeEntry[];
      this.dirs.set(id, entries);
    }
    return entries;
  }

  /**
   * Records a new snapshot holding `node` at `path`, in one transaction, and
   * returns the id of `node`: the location of its content when that was
   * already stored (also by a concurrent commit), otherwise `zfs:GUID:path`.
   */
  record(snap: { guid: string; name: string; dataset: string }, path: string, node: Node, live: (guid: string) => boolean): SnapshotId {
    const assign = (n: Node, p: string): SnapshotId => {
      if (n.kind === 'link') return n.content;
      const existing = this.location(n.content, live);
      if (existing !== undefined) return existing;
      const id = zfsId(snap.guid, p);
      if (n.kind === 'dir') {
        const entries = n.children.map((c) => ({ name: c.name, id: assign(c.node, `${p}/${c.name}`) }));
        this.stmts.putDir.run(id, snap.guid, JSON.stringify(entries));
      }
      this.stmts.putObject.run(n.content, id, snap.guid);
      return id;
    };
    return this.meta.db.transaction(() => {
      this.stmts.putSnapshot.run(snap.guid, snap.name, snap.dataset);
      return assign(node, path);
    }).immediate();
  }

  /** Forgets destroyed snapshots and everything stored in them. */
  forget(guids: readonly string[]): void {
    this.meta.db.transaction(() => {
      for (const g of guids) {
        this.stmts.dropObjects.run(g);
        this.stmts.dropDirs.run(g);
        this.stmts.dropSnapshot.run(g);
      }
    })();
    this.dirs.clear();
  }
}

/** Copies host data (symbolic links as links, like `contentId`) and hashes it in the same pass. */
export function copyIn(from: string, to: string): Node {
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(from);
    symlinkSync(target, to);
    return { kind: 'link', content: `link:${target}` };
  }
  if (st.isDirectory()) {
    mkdirSync(to);
    const children = readdirSync(from)
      .map((name) => ({ name, node: copyIn(join(from, name), join(to, name)) }))
      .sort(byName);
    return { kind: 'dir', content: treeId(children.map((c) => ({ name: c.name, id: c.node.content }))), children };
  }
  if (!st.isFile()) throw new Error(`${from}: only files, directories and symbolic links can be stored`);
  const exec = (st.mode & 0o111) !== 0;
  const hex = copyHashing(from, to, exec ? 0o755 : 0o644);
  chmodSync(to, exec ? 0o755 : 0o644); // the umask may have cleared bits
  return { kind: 'file', content: `${exec ? 'sha256x' : 'sha256'}:${hex}` };
}

export function makeWritable(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, st.mode | 0o200);
  if (st.isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}
