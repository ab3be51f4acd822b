import { join } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.js';
import { isUnder } from '../pipeline/data-path.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { EntriesOf } from './trees.js';

/**
 * An input bound inside another input's directory (tmf.md:
 * `boundary: /data/tmf/project_boundaries/123.geojson` beside
 * `projects: /data/tmf/project_boundaries`) is laid over that directory:
 * steps reading the directory see both. It must agree with the directory:
 * each of its files the very bytes of the directory's file of that name, or
 * a name the directory lacks. Otherwise two bindings give one path two
 * contents: bad input, refused at the inner input's entry before any job
 * (plan and run alike), as an input that does not exist is. Only bound
 * inputs whose ids are known (`ids`, by /data path) are compared.
 */
export function nestedInputProblem(
  pipeline: Pipeline,
  bindings: ReadonlyMap<string, string>,
  ids: ReadonlyMap<string, SnapshotId>,
  entriesOf: EntriesOf,
): Diagnostic | undefined {
  const bound = [...pipeline.inputs].filter(([, path]) => ids.has(path));
  for (const [innerName, innerPath] of bound) {
    for (const [outerName, outerPath] of bound) {
      if (!isUnder(innerPath, outerPath)) continue;
      const rel = innerPath.slice(outerPath.length + 1);
      const found = clash(ids.get(outerPath)!, rel, ids.get(innerPath)!, entriesOf);
      if (found === undefined) continue;
      const innerHost = bindings.get(innerName) ?? innerPath;
      const outerHost = bindings.get(outerName) ?? outerPath;
      const outer = `input \`${outerName}\` (${outerPath})`;
      const message = found.kind === 'file-above'
        ? `input \`${innerName}\` is bound to ${innerHost}, inside ${outer}, but ${join(outerHost, found.rel)} is a file, not a directory`
        : `input \`${innerName}\` is bound to ${innerHost}, ${found.rel === '' ? 'which' : `whose ${join(innerHost, found.rel)}`} differs from ${join(outerHost, rel, found.rel)} in ${outer}: an input inside another input's directory must be the same as what that directory holds there, or a name it lacks`;
      const fm = pipeline.document.frontmatter;
      const at = (name: string) => fm?.inputs.get(name)?.at ?? { line: 1, col: 1 };
      return error(pipeline.document.file, at(innerName), message, [{ at: at(outerName), message: `input \`${outerName}\` is declared here` }]);
    }
  }
  return undefined;
}

type Clash = { readonly kind: 'file-above' | 'differs'; readonly rel: string };

/**
 * Where `inner`, laid at `rel` in the tree `outer`, disagrees with it: a
 * file of `outer` on the way to `rel` (`rel` from `outer`), or a name both
 * hold with different content where not both are directories (`rel` from
 * `inner`, '' for `inner` itself). Undefined when they agree.
 */
function clash(outer: SnapshotId, rel: string, inner: SnapshotId, entriesOf: EntriesOf): Clash | undefined {
  const names = rel.split('/');
  let here = outer;
  for (const [n, name] of names.entries()) {
    const entries = entriesOf(here);
    if (entries === undefined) return { kind: 'file-above', rel: names.slice(0, n).join('/') };
    const entry = entries.find((e) => e.name === name);
    if (entry === undefined) return undefined;
    here = entry.id;
  }
  const rest = differing(here, inner, entriesOf);
  return rest === undefined ? undefined : { kind: 'differs', rel: rest };
}

function differing(there: SnapshotId, inner: SnapshotId, entriesOf: EntriesOf): string | undefined {
  if (there === inner) return undefined;
  const theirs = entriesOf(there);
  const mine = entriesOf(inner);
  if (theirs === undefined || mine === undefined) return '';
  for (const e of mine) {
    const other = theirs.find((t) => t.name === e.name);
    if (other === undefined) continue;
    const below = differing(other.id, e.id, entriesOf);
    if (below !== undefined) return below === '' ? e.name : `${e.name}/${below}`;
  }
  return undefined;
}
