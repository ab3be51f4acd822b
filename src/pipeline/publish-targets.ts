import { basename, posix, resolve } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.js';
import { lockPathFor } from '../lockfile.js';
import { overlaps } from './data-path.js';
import { DEFAULT_PUBLISH_DIR, type Pipeline } from './pipeline.js';

/**
 * Where publishing may not write: a result renamed over the pipeline document
 * destroys it, and one inside the store corrupts it. Paths here are compared
 * as written, so the document check (relative to the pipeline's directory) and
 * the session's (absolute) share them; links are the publish step's to resolve.
 */
export interface Kept {
  readonly path: string;
  /** How a message names it: `would overwrite ${what}` or `would write into ${what}`. */
  readonly what: string;
  readonly inside: boolean;
}

/** Where `shark-publish[:DIR]` copies a /data path, relative to the pipeline's directory. */
export function publishedAt(dir: string, dataPath: string): string {
  return posix.normalize(posix.join(dir, dataPath.slice('/data/'.length)));
}

/** The store's directory beside the document when no other is given. */
export const DEFAULT_STORE = '.shark';

/** What the document alone shows publishing must spare: itself, its lock file, and the default store `.shark`. */
export function keptByDocument(file: string): Kept[] {
  return [
    { path: basename(file), what: 'the pipeline document', inside: false },
    { path: basename(lockPathFor(file)), what: 'the lock file', inside: false },
    { path: DEFAULT_STORE, what: `the store directory ${DEFAULT_STORE}`, inside: true },
  ];
}

/** The store directory of a session, by the path it is opened at. */
export function keptStore(dir: string, name: string): Kept {
  return { path: dir, what: `the store ${name}`, inside: true };
}

/** The kept path that writing `target` would replace, or write into, or undefined. */
export function clashOf(target: string, kept: readonly Kept[]): Kept | undefined {
  return kept.find((k) => overlaps(target, k.path));
}

/** A copy a publish block makes: where, of what, and the line that asks for it. */
export interface Published {
  readonly target: string;
  /** The block's directory, normalised. */
  readonly dir: string;
  readonly path: string;
  readonly line: number;
}

/** Two publishes whose copies are one place, or one inside the other. */
export function nestedMessage(dataPath: string, target: string, other: Published): string {
  const how = target === other.target ? 'to the same place as' : target.startsWith(other.target + '/') ? 'inside the copy of' : 'over the copy of';
  return `publishing ${dataPath} to ${target} writes ${how} ${other.path} (line ${other.line}, published to ${other.target}): publish each to a place of its own`;
}

/** `publishing /data/p.md to p.md would overwrite the pipeline document`. */
export function clashMessage(dataPath: string, target: string, kept: Kept): string {
  return `publishing ${dataPath} to ${target} would ${kept.inside ? 'write into' : 'overwrite'} ${kept.what}`;
}

/**
 * Publish targets inside a store the document does not name (`--store`,
 * `$SHARK_STORE`, shark.yaml): known once the session is, before anything runs.
 */
export function storeClashes(pipeline: Pipeline, pipelineDir: string, store: Kept): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const step of pipeline.steps) {
    if (step.kind !== 'publish') continue;
    for (const input of step.inputs) {
      const target = publishedAt(step.dir, input.path);
      if (clashOf(resolve(pipelineDir, target), [store]) !== undefined) {
        found.push(error(pipeline.document.file, input.at, clashMessage(input.path, target, store)));
      }
    }
  }
  return found;
}

/** Every directory the document's publish blocks copy into, and `_shark` (Shark's own, whatever document published there), absolute. */
export function publishDirs(pipeline: Pick<Pipeline, 'steps'>, pipelineDir: string): string[] {
  const dirs = pipeline.steps.flatMap((s) => (s.kind === 'publish' ? [resolve(pipelineDir, s.dir)] : []));
  return [...new Set([resolve(pipelineDir, DEFAULT_PUBLISH_DIR), ...dirs])];
}
