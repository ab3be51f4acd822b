import { realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.js';
import type { GivenPlaces } from '../pipeline/given-frontmatter.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SnapshotStore } from '../store/snapshot-store.js';

/**
 * Inputs bound to the store, to a directory holding it (`-i src=.` beside
 * `.shark/`) or to a place inside it: what they hold changes as Shark works
 * (objects, logs, workspaces), so they would be new on every run, and
 * hashing them reads the store. Each one an error at its entry (or at the
 * shark.yaml line that bound it), as one that does not exist is; publish
 * and `-o` refuse the store alike.
 */
export function inputsOverStore(
  pipeline: Pipeline,
  hostInputs: ReadonlyMap<string, string>,
  bindings: ReadonlyMap<string, string>,
  store: Pick<SnapshotStore, 'metaDir' | 'location'>,
  places: GivenPlaces | undefined,
): Diagnostic[] {
  const storeDir = real(store.metaDir);
  const names = new Map([...pipeline.inputs].map(([name, path]) => [path, name]));
  const found: Diagnostic[] = [];
  for (const [dataPath, host] of hostInputs) {
    const bound = real(host);
    const how = bound === storeDir ? 'which is the store'
      : inside(storeDir, bound) ? `which holds the store ${store.location}`
      : inside(bound, storeDir) ? `which is inside the store ${store.location}`
      : undefined;
    if (how === undefined) continue;
    const name = names.get(dataPath) ?? dataPath;
    const message = `input \`${name}\` is bound to ${bindings.get(name) ?? host}, ${how}: what it holds changes as Shark works; bind a directory apart from the store (or move the store with --store)`;
    const placed = places?.inputs.get(name);
    found.push(placed !== undefined ? error(places!.file, placed, message)
      : error(pipeline.document.file, pipeline.document.frontmatter?.inputs.get(name)?.at ?? { line: 1, col: 1 }, message));
  }
  return found;
}

function real(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** `path` is strictly inside `dir` (any directory, `/` too). */
function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
