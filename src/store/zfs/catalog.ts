import type { Metadata } from '../metadata.js';
import type { SnapshotId } from '../snapshot-store.js';
import type { Node } from './scan.js';

/**
 * The catalog of the ZFS store, in the metadata database: which snapshots
 * Shark made, and where the bytes of each content are.
 *
 * Ids handed out are content ids (scan.ts). A location, `zfs:GUID:/path`, is
 * the path of a file or directory inside the snapshot whose GUID it carries
 * (`zfs get guid`, which survives renames); the catalog keeps one location
 * per content. A commit whose content is stored already keeps no copy, and
 * the same data has the same id whichever job made it and however often it
 * was collected and made again. A directory's entries live in the shared
 * tree table (tree-table.ts), so a directory stored whole and the same
 * directory composed of items are one id.
 */

export interface ZfsRef {
  readonly guid: string;
  /** Absolute inside the snapshot, e.g. `/data/out`. */
  readonly path: string;
}

export interface SnapshotRow {
  readonly guid: string;
  readonly name: string;
  readonly dataset: string;
}

function locationId(guid: string, path: string): string {
  return `zfs:${guid}:${path}`;
}

function parseLocation(id: string): ZfsRef | undefined {
  const m = /^zfs:(\d+):(\/.*)$/s.exec(id);
  return m === null ? undefined : { guid: m[1]!, path: m[2]! };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS zfs_snapshots (guid TEXT PRIMARY KEY, name TEXT NOT NULL, dataset TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS zfs_objects (content TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, guid TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS zfs_objects_guid ON zfs_objects (guid);
`;

export class ZfsCatalog {
  private readonly stmts;

  constructor(private readonly meta: Metadata) {
    meta.db.exec(SCHEMA);
    const db = meta.db;
    this.stmts = {
      snapshot: db.prepare<[string], SnapshotRow>('SELECT guid, name, dataset FROM zfs_snapshots WHERE guid = ?'),
      snapshots: db.prepare<[], SnapshotRow>('SELECT guid, name, dataset FROM zfs_snapshots'),
      putSnapshot: db.prepare('INSERT OR REPLACE INTO zfs_snapshots (guid, name, dataset) VALUES (?, ?, ?)'),
      byContent: db.prepare<[string], { id: string }>('SELECT id FROM zfs_objects WHERE content = ?'),
      inSnapshot: db.prepare<[string], { content: string; id: string }>('SELECT content, id FROM zfs_objects WHERE guid = ?'),
      putObject: db.prepare('INSERT OR REPLACE INTO zfs_objects (content, id, guid) VALUES (?, ?, ?)'),
      dropObject: db.prepare('DELETE FROM zfs_objects WHERE content = ?'),
      dropObjects: db.prepare('DELETE FROM zfs_objects WHERE guid = ?'),
      dropSnapshot: db.prepare('DELETE FROM zfs_snapshots WHERE guid = ?'),
    };
  }

  snapshot(guid: string): SnapshotRow | undefined {
    return this.stmts.snapshot.get(guid);
  }

  snapshots(): SnapshotRow[] {
    return this.stmts.snapshots.all();
  }

  /** Where the bytes of `content` are, if that snapshot still exists. */
  location(content: SnapshotId, live: (guid: string) => boolean): ZfsRef | undefined {
    const row = this.stmts.byContent.get(content);
    const ref = row === undefined ? undefined : parseLocation(row.id);
    return ref !== undefined && live(ref.guid) ? ref : undefined;
  }

  /** The contents whose recorded location is in snapshot `guid`, with their paths. */
  contentsOf(guid: string): { content: SnapshotId; path: string }[] {
    return this.stmts.inSnapshot.all(guid).map((r) => ({ content: r.content, path: parseLocation(r.id)?.path ?? '' }));
  }

  /**
   * Records a new snapshot holding `node` at `path`, in one transaction: a
   * location for every content not stored yet (also by a concurrent commit),
   * and the entries of every directory.
   */
  record(snap: SnapshotRow, path: string, node: Node, live: (guid: string) => boolean): void {
    const assign = (n: Node, p: string): void => {
      if (n.kind === 'link') return;
      if (this.location(n.content, live) === undefined) this.stmts.putObject.run(n.content, locationId(snap.guid, p), snap.guid);
      if (n.kind === 'dir') for (const c of n.children) assign(c.node, `${p}/${c.name}`);
    };
    this.meta.db.transaction(() => {
      this.stmts.putSnapshot.run(snap.guid, snap.name, snap.dataset);
      assign(node, path);
      this.putTrees(node);
    }).immediate();
  }

  /** The entries of every directory in `node`, for `entries` and composed trees. */
  putTrees(node: Node): void {
    if (node.kind !== 'dir') return;
    for (const c of node.children) this.putTrees(c.node);
    this.meta.trees.put(node.content, () => JSON.stringify(node.children.map((c) => ({ name: c.name, id: c.node.content }))));
  }

  /** Forgets where `contents` are (their data is bad or gone); returns the snapshots they were in. */
  drop(contents: readonly SnapshotId[]): Set<string> {
    const guids = new Set<string>();
    this.meta.db.transaction(() => {
      for (const c of contents) {
        const row = this.stmts.byContent.get(c);
        const ref = row === undefined ? undefined : parseLocation(row.id);
        if (ref !== undefined) guids.add(ref.guid);
        this.stmts.dropObject.run(c);
      }
    })();
    return guids;
  }

  /** Forgets destroyed snapshots and everything stored in them. */
  forget(guids: Iterable<string>): void {
    this.meta.db.transaction(() => {
      for (const g of guids) {
        this.stmts.dropObjects.run(g);
        this.stmts.dropSnapshot.run(g);
      }
    })();
  }
}
