import { isUnder } from '../pipeline/data-path.js';
import { dataTarget } from '../store/safe-path.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { ownerOf, type Entry } from './history.js';

/**
 * The final outputs the publish block lists, with the outputs that links
 * among them lead to (`ln -s /data/y.txt /data/latest`): `shark run` refuses
 * to publish a link into /data whose target is not published beside it, and
 * the step that made the link reads its target, so it is no final output.
 * A target among FILE's results (`baseOutputs`) is no step's output, but the
 * saved document writes it all the same: it is published beside the link too.
 * `ids` holds the session's outputs and FILE's results.
 */
export function linkedOutputs(
  history: readonly Entry[], final: readonly string[], ids: ReadonlyMap<string, SnapshotId>, entries: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  baseOutputs: readonly string[],
): string[] {
  const out = [...final];
  const covered = (path: string): boolean => out.some((p) => p === path || isUnder(path, p));
  const writtenAt = (path: string): string | undefined => ownerOf(history, path)?.output ?? baseOutputs.find((o) => o === path || isUnder(path, o));
  for (let i = 0; i < out.length; i++) {
    const id = ids.get(out[i]!);
    if (id === undefined) continue;
    for (const target of linkTargets(id, entries)) {
      const output = covered(target) ? undefined : writtenAt(target);
      if (output !== undefined && !covered(output)) out.push(output);
    }
  }
  return out;
}

/** The /data paths the links in a snapshot lead to. */
function linkTargets(id: SnapshotId, entries: (id: SnapshotId) => readonly TreeEntry[] | undefined): string[] {
  if (id.startsWith('link:')) {
    const target = dataTarget(id.slice('link:'.length));
    return target === undefined ? [] : [target];
  }
  return (entries(id) ?? []).flatMap((e) => linkTargets(e.id, entries));
}
