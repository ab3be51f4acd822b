import { namesData } from '../safe-path.js';
import type { SnapshotId, TreeEntry } from '../snapshot-store.js';

/**
 * Which stored directories hold, at any depth, a link into /data. A job
 * gets such a link relative to where it is placed (`placedLinkTarget`), as on
 * the directory store, so that it leads to the job's own copy and never to
 * the host's /data; a snapshot holds it as stored (`/data/...`), so such a
 * directory cannot be bound in whole. A directory's entries never change:
 * each is looked at once per process.
 */
export class DataLinks {
  private readonly known = new Map<SnapshotId, boolean>();

  constructor(private readonly entries: (id: SnapshotId) => readonly TreeEntry[] | undefined) {}

  within(id: SnapshotId): boolean {
    let holds = this.known.get(id);
    if (holds === undefined) {
      holds = (this.entries(id) ?? []).some((e) =>
        e.id.startsWith('link:') ? namesData(e.id.slice('link:'.length)) : e.id.startsWith('tree:') && this.within(e.id));
      this.known.set(id, holds);
    }
    return holds;
  }
}
