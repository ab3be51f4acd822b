import { isUnder } from '../pipeline/data-path.js';
import { dataTarget } from '../store/safe-path.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { ownerOf, type Entry } from './history.js';

/**
 * The final outputs the publish block lists, with the outputs that links
 * among them lead to (`ln -s /data/y.txt /data/latest`): `shark run` refuses
 * to publish a link into /data whose target is not published beside it, and
 * the step that made the link reads its target, so it is no final output.
 */
export function linkedOutputs(
  history: readonly Entry[], final: readonly string[], ids: ReadonlyMap<string, SnapshotId>, entries: (id: SnapshotId) => readonly TreeEntry[] | undefined,
): string[] {
  const out = [...final];
  const covered = (path: string): boolean => out.some((p) => p === path || isUnder(path, p));
  for (let i = 0; i < out.length; i++) {
    const id = ids.get(out[i]!);
    if (id === undefined) continue;
    for (const target of linkTargets(id, entries)) {
      const owner = covered(target) ? undefined : ownerOf(history, target);
      if (owner !== undefined && !covered(owner.output)) out.push(owner.output);
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
