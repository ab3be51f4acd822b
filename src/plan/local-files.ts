import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { globContext, isPattern } from '../build-context.js';
import { holds } from '../imports/local-links.js';
import { publishDirs } from '../pipeline/publish-targets.js';
import { realPath } from '../real-path.js';
import type { Pipeline, RunStep, Step } from '../pipeline/pipeline.js';
import { contentIdOfTree } from '../store/content-id.js';
import { hashHostFiles } from '../store/hash-files.js';
import { treeMemo, type Session } from './session.js';

/** The directory a run step's local file words are relative to: the document's, or the host directory its `cd` names. */
export function localFileBase(pipelineDir: string, step: RunStep): string {
  return step.cwd === undefined || step.cwd.startsWith('/data') ? pipelineDir
    : isAbsolute(step.cwd) ? step.cwd : resolve(pipelineDir, step.cwd);
}

/**
 * The paths a run step's local file words name below `base`: a word as
 * written, a pattern (`lib/*.py`) as the paths it matches now. Only a host
 * step's: a container sees its image's files and /data, never the host's
 * (a script it runs is in the image, which its key holds).
 */
export function namedLocalFiles(base: string, step: RunStep): string[] {
  if (step.env !== undefined) return [];
  const named = step.localFiles
    .filter((w) => !isAbsolute(w) || !PSEUDO_ROOTS.some((r) => w === r || w.startsWith(`${r}/`)))
    .flatMap((w) => (isPattern(w) ? globContext(base, w, true) : [w]));
  return [...new Set(named)];
}

/** Where the system keeps its programs and state: a directory there is not the project's. */
const SYSTEM_ROOTS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/etc', '/opt', '/var', '/boot', '/snap', '/nix', '/proc', '/sys', '/dev', '/run'];

/** Pseudo file systems: what reads as a file there is the kernel's state, new at each read. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev', '/run'];

/**
 * Local files and directories a step's command names (scripts, configs,
 * templates), with content ids: part of its key. A file is keyed by its
 * bytes (`sha256:`), a directory by its tree (`tree:`, as `/data` inputs
 * are). A directory holding the document, the store or a publish directory
 * is left out (what a run writes there would change the key), and so is one
 * of the system's (`../../usr/`), or one that cannot be read whole (a
 * special file, no permission).
 */
export async function stepFiles(session: Session, step: Step): Promise<[string, string][]> {
  if (step.kind !== 'run') return [];
  const base = localFileBase(session.pipelineDir, step);
  const found: [string, string][] = [];
  for (const rel of namedLocalFiles(base, step)) {
    // Awaited only for a directory: a step decided without a pause keeps its place in the order jobs start in.
    const got = localFileId(session, base, rel);
    const id = got instanceof Promise ? await got : got;
    if (id !== undefined) found.push([rel, id]);
  }
  return found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * The id a local file word `rel` gives a key, read below `base` now:
 * undefined where it names no file or directory keyed. A file's at once; a
 * directory's, whose files are hashed, later.
 */
export function localFileId(session: Session, base: string, rel: string): string | undefined | Promise<string | undefined> {
  const abs = resolve(base, rel);
  const st = statSync(abs, { throwIfNoEntry: false });
  // Not a file here: an argument that only looks like a path.
  if (st?.isFile() === true) return `sha256:${session.meta.hashFile(abs)}`;
  // A directory named absolute is the host's (`find /usr …`), too large to read at each plan: bind it as an input to key it.
  return st?.isDirectory() === true && !isAbsolute(rel) ? directoryId(session, abs) : undefined;
}

async function directoryId(session: Session, abs: string): Promise<string | undefined> {
  const dir = realPath(abs);
  if (!keyedDirectory(session.pipeline, session.pipelineDir, session.store.metaDir, dir)) return undefined;
  try {
    return await contentIdOfTree(dir, (files) => hashHostFiles(session.meta, files), undefined, treeMemo(session));
  } catch {
    return undefined;
  }
}

/**
 * Whether a host directory a step names is keyed by its content: not one
 * holding the document, nor the store or a publish directory, nor inside them.
 */
export function keyedDirectory(pipeline: Pick<Pipeline, 'steps'>, pipelineDir: string, storeDir: string, dir: string): boolean {
  const real = realPath(dir);
  // The system's own (a name that leads there through `..` or a link: `../../usr/`): the host's, as an absolute one.
  // A project kept there itself (`/opt/work/p.md`) keys its own directories.
  const home = realPath(pipelineDir);
  if (SYSTEM_ROOTS.some((r) => holds(r, real) && !holds(r, home))) return false;
  const written = [storeDir, ...publishDirs(pipeline, pipelineDir)].map(realPath);
  return !holds(real, home) && !written.some((w) => holds(real, w) || holds(w, real));
}

/**
 * Whether a local file a step's key held is one its command still names,
 * but no longer there (`stepFiles` leaves it out): a script gone from
 * beside the document is missing, not "no longer used".
 */
export function missingLocalFile(session: Session, step: Step): (rel: string) => boolean {
  if (step.kind !== 'run') return () => false;
  return (rel) => step.localFiles.includes(rel) && statSync(resolve(localFileBase(session.pipelineDir, step), rel), { throwIfNoEntry: false }) === undefined;
}
