import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { contextsTaking } from '../build-context.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import { localPath } from '../imports/file-importer.js';
import { linkLeadingTo } from '../imports/local-links.js';
import { depsOption } from '../plan/host-tools.js';
import { keyedDirectory, localFileBase, namedLocalFiles } from '../plan/local-files.js';
import { DEFAULT_STORE } from '../pipeline/publish-targets.js';
import { readProblem } from '../read-problem.js';

/** Where a local file named on the command line is looked up: given relative to `cwd`, keyed relative to `pipelineDir`. */
export interface LocalPlaces {
  readonly pipelineDir: string;
  readonly cwd: string;
}

/**
 * A file on the host that steps' keys hold: `path` as it is shown (relative
 * to the document's directory when inside it), `abs` where it is; `dir` for
 * a directory (a local import's source or one in it, one a step names).
 */
export interface LocalFile {
  readonly path: string;
  readonly abs: string;
  readonly dir?: true;
}

/** `local file PATH`, or `local directory PATH`: how impact names it. */
export function localNamed(file: Pick<LocalFile, 'path' | 'dir'>): string {
  return `local ${file.dir === true ? 'directory' : 'file'} ${file.path}`;
}

/**
 * `text` as a file of the host that some step keys on (a `{deps}` file, a
 * file its command names, one a local import copies), or a directory (a
 * local import's source, one in it, one a command names), if it is one; why it
 * cannot be looked at, when that fails other than for its absence (`f/x`
 * where f is a file, a loop of links): bad input, not a bug.
 */
export function localFileTarget(pipeline: Pipeline, text: string, places: LocalPlaces): LocalFile | { readonly unreadable: string } | undefined {
  const abs = resolve(places.cwd, text);
  let found;
  try {
    found = statSync(abs, { throwIfNoEntry: false });
  } catch (e) {
    return { unreadable: readProblem(e) };
  }
  if (found === undefined || !(found.isFile() || found.isDirectory())) return undefined;
  const file: LocalFile = { path: shownAt(places.pipelineDir, abs), abs, ...(found.isDirectory() ? { dir: true as const } : {}) };
  return pipeline.steps.some((s) => localReason(pipeline, s, file, places.pipelineDir) !== undefined) ? file : undefined;
}

/** A host path as impact shows it: relative to the document's directory when inside it. */
function shownAt(pipelineDir: string, abs: string): string {
  const rel = relative(pipelineDir, abs);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

/**
 * Why `step`'s key changes with `file`, as `plan` keys it: a `{deps}` file
 * (relative to the document's directory), a word of its command naming it
 * (relative to where the command runs), or a local import whose source is
 * it or a directory holding it, or that follows a link to it (or to a
 * directory holding it) out of its directory (`local-links.ts`).
 */
export function localReason(pipeline: Pick<Pipeline, 'steps' | 'environments'>, step: Step, file: LocalFile, pipelineDir: string): string | undefined {
  if (step.kind === 'run') {
    const copied = step.env === undefined ? undefined : contextsTaking(pipeline, pipelineDir, file.abs).find((t) => t.env === step.env);
    if (copied !== undefined) return `runs in ${copied.env}, whose image copies ${localNamed(file)} (${copied.source})`;
    if (depsOption(step).some((d) => resolve(pipelineDir, d) === file.abs)) return `uses ${localNamed(file)} ({deps})`;
    const base = localFileBase(pipelineDir, step);
    const named = namedLocalFiles(base, step).map((w) => resolve(base, w));
    const store = join(pipelineDir, DEFAULT_STORE);
    // A directory named whole is keyed only as `plan` keys one (not the document's own, `ls ./`).
    if (named.includes(file.abs) && (file.dir !== true || keyedDirectory(pipeline, pipelineDir, store, file.abs))) return `uses ${localNamed(file)}`;
    const dir = named.find((d) => file.abs.startsWith(d + sep) && keyedDirectory(pipeline, pipelineDir, store, d));
    if (dir !== undefined) return `uses ${localNamed(file)} (in the directory ${shownAt(pipelineDir, dir)})`;
    return undefined;
  }
  if (step.kind === 'import' && step.clause.source.scheme === 'file') {
    const source = localPath(step.clause, pipelineDir);
    const inside = relative(source, file.abs);
    if (inside === '' || !(inside.startsWith('..') || isAbsolute(inside))) return `imports ${localNamed(file)}`;
    const via = linkLeadingTo(source, file.abs);
    if (via !== undefined) return `imports ${localNamed(file)} (through the link ${shownAt(pipelineDir, via)})`;
  }
  return undefined;
}

/**
 * Where a local file lands in /data through the local import that copies it
 * (the import's destination, and the file's path below its source), when it
 * is inside that source: what reads that path is all that may run again,
 * not every reader of what the import brings in. Undefined otherwise (a
 * link's target, no import).
 */
export function landedAt(step: Step, file: LocalFile, pipelineDir: string): string | undefined {
  if (step.kind !== 'import' || step.clause.source.scheme !== 'file') return undefined;
  const inside = relative(localPath(step.clause, pipelineDir), file.abs);
  if (inside.startsWith('..') || isAbsolute(inside)) return undefined;
  const dest = step.outputs[0]?.path;
  if (dest === undefined) return undefined;
  return inside === '' ? dest : `${dest}/${inside.split(sep).join('/')}`;
}
