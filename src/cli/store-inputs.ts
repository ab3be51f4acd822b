import { readlinkSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.js';
import { localPath } from '../imports/file-importer.js';
import { followedLinkTo } from '../imports/local-links.js';
import type { GivenPlaces } from '../pipeline/given-frontmatter.js';
import { STORE_CHANGES } from '../pipeline/import-clause.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { realPath } from '../real-path.js';
import type { PlainListings } from '../store/listing-rows.js';
import type { SnapshotStore } from '../store/snapshot-store.js';

/**
 * Inputs bound to the store, to a directory holding it (`-i src=.` beside
 * `.shark/`), to a place inside it, or to a directory with a link that is
 * followed there (`local-links.ts`): what they hold changes as Shark works
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
  listings?: PlainListings,
): Diagnostic[] {
  const storeDir = realPath(store.metaDir);
  const names = new Map([...pipeline.inputs].map(([name, path]) => [path, name]));
  const found: Diagnostic[] = [];
  for (const [dataPath, host] of hostInputs) {
    const how = overStore(realPath(host), storeDir, store.location);
    const link = how === undefined ? linkToStore(host, storeDir, store.location, 'bind', listings) : undefined;
    if (how === undefined && link === undefined) continue;
    const name = names.get(dataPath) ?? dataPath;
    const message = `input \`${name}\` is bound to ${bindings.get(name) ?? host}, which ${how !== undefined ? `${how}: what it holds changes as Shark works; bind a directory apart from the store (or move the store with --store)` : link!}`;
    const placed = places?.inputs.get(name);
    found.push(placed !== undefined ? error(places!.file, placed, message)
      : error(pipeline.document.file, pipeline.document.frontmatter?.inputs.get(name)?.at ?? { line: 1, col: 1 }, message));
  }
  return found;
}

/**
 * Local imports whose source is the store, holds it, is inside it, as the
 * file system resolves them (a link to `.`, an absolute path, `--store`), or
 * holds a link the import follows there:
 * the copy would be made into a job's workspace inside the store (`cp`'s
 * EINVAL, after a run was recorded), and the data changes as Shark works.
 * The default store as written is the document's to refuse (`import-clause.ts`).
 */
export function importsOverStore(pipeline: Pipeline, pipelineDir: string, store: Pick<SnapshotStore, 'metaDir' | 'location'>, listings?: PlainListings): Diagnostic[] {
  const storeDir = realPath(store.metaDir);
  const found: Diagnostic[] = [];
  for (const step of pipeline.steps) {
    if (step.kind !== 'import' || step.clause.source.scheme !== 'file') continue;
    const source = localPath(step.clause, pipelineDir);
    const how = overStore(realPath(source), storeDir, store.location);
    if (how !== undefined) found.push(error(pipeline.document.file, step.at, `local import \`${step.clause.raw}\` ${how}: ${STORE_CHANGES} (or move the store with --store)`));
    const link = how === undefined ? linkToStore(source, storeDir, store.location, 'import', listings) : undefined;
    if (link !== undefined) found.push(error(pipeline.document.file, step.at, `local import \`${step.clause.raw}\` ${link}`));
  }
  return found;
}

/**
 * How a link the import of the local directory `source` follows out of it
 * (`local-links.ts`) reaches the store, or undefined: a copy of what it leads
 * to would be a copy of the store, as for a source holding it.
 */
function linkToStore(source: string, storeDir: string, location: string, verb: 'import' | 'bind', listings: PlainListings | undefined): string | undefined {
  let how: string | undefined;
  const link = followedLinkTo(source, (to) => (how = overStore(to, storeDir, location)) !== undefined, listings);
  if (link === undefined) return undefined;
  return `follows the symbolic link ${link} (to \`${readlinkSync(link)}\`), which ${how === 'is the store' ? `is the store ${location}` : how!}: what it holds changes as Shark works; remove the link, or ${verb} a directory without it`;
}

/** How the real path `path` stands to the store at `storeDir`, or undefined when apart. */
function overStore(path: string, storeDir: string, location: string): string | undefined {
  return path === storeDir ? 'is the store'
    : inside(storeDir, path) ? `holds the store ${location}`
    : inside(path, storeDir) ? `is inside the store ${location}`
    : undefined;
}

/** `path` is strictly inside `dir` (any directory, `/` too). */
function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
