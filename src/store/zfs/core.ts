import type { Metadata } from '../metadata.js';
import type { SnapshotId, TreeEntry } from '../snapshot-store.js';
import type { ZfsCatalog, ZfsRef } from './catalog.js';
import type { DataLinks } from './data-links.js';
import type { Place } from './mounts.js';

/** What the parts of the ZFS store share: its datasets, commands, catalog and how to find data. */
export interface ZfsCore extends Place {
  readonly meta: Metadata;
  readonly catalog: ZfsCatalog;
  readonly dataLinks: DataLinks;
  /** Where the bytes of a content id are, when they are stored whole somewhere. */
  locate(id: SnapshotId): ZfsRef | undefined;
  entries(id: SnapshotId): readonly TreeEntry[] | undefined;
}
