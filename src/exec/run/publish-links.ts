import { resolve } from 'node:path';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { shownName } from '../../printable.js';
import { dataTarget } from '../../store/safe-path.js';
import type { SnapshotId, TreeEntry } from '../../store/snapshot-store.js';

/**
 * The /data paths the document's publish blocks copy into the directory
 * `root` (absolute): each lands at `root` + its path below /data, so a link
 * into one of them, written relative, leads to its published copy.
 */
export function publishedInto(pipeline: Pick<Pipeline, 'steps'>, pipelineDir: string, root: string): string[] {
  return pipeline.steps.flatMap((s) => (s.kind === 'publish' && resolve(pipelineDir, s.dir) === root ? s.inputs.map((i) => i.path.replace(/(.)\/$/, '$1')) : []));
}

/**
 * Why publishing the data `id` (at /data path `at`) into a directory that
 * receives only `published` is refused, or undefined: a link in it into a
 * /data path none of them holds. Written relative (as a job gets it), it
 * would lead to whatever is at that place of the publish directory (nothing,
 * a stale copy, a file of yours); written as stored, to the host's /data.
 * Links that are not into /data are the job's, kept as it made them.
 */
export function strayLink(
  entries: (id: SnapshotId) => readonly TreeEntry[] | undefined, id: SnapshotId, at: string, published: readonly string[], dir: string,
): string | undefined {
  if (id.startsWith('link:')) {
    const target = dataTarget(id.slice('link:'.length));
    if (target === undefined || published.some((p) => target === p || target.startsWith(`${p}/`))) return undefined;
    return `${shownName(at)} is a link to ${shownName(target)}, which no shark-publish block publishes to ${shownName(dir)}: `
      + 'publish that path there too, or copy it in the step rather than link to it';
  }
  for (const e of entries(id) ?? []) {
    const why = strayLink(entries, e.id, `${at}/${e.name}`, published, dir);
    if (why !== undefined) return why;
  }
  return undefined;
}
