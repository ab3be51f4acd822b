import { existsSync, lstatSync, type BigIntStats } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.js';
import type { ImportContext, ResolveOutcome } from '../imports/importer.js';
import { LocalLinkError, LocalLinks } from '../imports/local-links.js';
import { importerFor } from '../imports/registry.js';
import { importLockKey, type LockFile } from '../lockfile.js';
import { valueProblem, type GivenPlaces } from '../pipeline/given-frontmatter.js';
import type { ImportStep, Pipeline } from '../pipeline/pipeline.js';
import { contentId, contentIdOfTree, entryOn, type LinkFollower } from '../store/content-id.js';
import { storedTreeMemo, type TreeMemo } from '../store/dir-fingerprint.js';
import { hashHostFiles, type HostFile } from '../store/hash-files.js';
import { followNamed, linkLoop } from '../store/named-path.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, SnapshotStore, TreeEntry } from '../store/snapshot-store.js';
import { SpecialFileError, specialKind } from '../store/special-file.js';
import { ADVICE, NotTextError } from '../store/storable.js';
import { unreadableAt } from '../store/unreadable.js';
import { isUnder } from '../pipeline/data-path.js';
import { DataState } from './data-state.js';
import { nestedInputProblem } from './nested-inputs.js';
import type { EnvironmentView } from './environment.js';

/** Everything a plan or a run of one pipeline works with. */
export interface Session {
  readonly pipeline: Pipeline;
  /** Absolute path of the pipeline document: runs are recorded under it. */
  readonly pipelinePath: string;
  readonly pipelineDir: string;
  readonly store: SnapshotStore;
  readonly meta: Metadata;
  readonly envs: EnvironmentView;
  readonly lock: LockFile;
  readonly lockPath: string;
  /** Frontmatter variables and `-e NAME=VALUE`, sorted by name. */
  readonly variables: readonly (readonly [string, string])[];
  /** `-i NAME=PATH`: host paths bound to frontmatter inputs. */
  readonly bindings: ReadonlyMap<string, string>;
  readonly refresh: boolean;
  /**
   * The PATH host steps run with (Shark's own): their programs are resolved
   * on it for their keys (`plan/host-tools.ts`). Absent: no directory, so
   * every program named by a bare word reads as missing.
   */
  readonly hostPath?: string;
}

/**
 * Host paths for every frontmatter input, or one error each for those not
 * bound (unless `unboundAllowed`: `shark config` shows them unbound); one a
 * config file bound is located there (`places`).
 */
export function inputBindings(
  session: Pick<Session, 'pipeline' | 'bindings' | 'pipelineDir'>,
  { places, unboundAllowed = false }: { places?: GivenPlaces | undefined; unboundAllowed?: boolean } = {},
): { paths: Map<string, string>; diagnostics: Diagnostic[] } {
  const paths = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const fm = session.pipeline.document.frontmatter;
  for (const [name, dataPath] of session.pipeline.inputs) {
    const entry = fm?.inputs.get(name);
    const at = entry?.at ?? { line: 1, col: 1 };
    // Where a binding's own problem is said: at the config file's entry for it, when that gave it.
    const placed = places?.inputs.get(name);
    const bindingError = (message: string): Diagnostic => (placed === undefined ? error(session.pipeline.document.file, at, message) : error(places!.file, placed, message));
    const host = session.bindings.get(name);
    if (host === undefined) {
      if (unboundAllowed || entry?.optional === true) continue;
      diagnostics.push(error(session.pipeline.document.file, at, notBound(name, dataPath)));
      continue;
    }
    const abs = followNamed(resolve(host));
    if (!existsSync(abs)) {
      diagnostics.push(bindingError(`input \`${name}\` is bound to ${host}, which ${linkLoop(abs) ?? 'does not exist'}`));
      continue;
    }
    // Followed to what it names (it exists): no link.
    const st = lstatSync(abs);
    const kind = specialKind(st);
    if (kind !== undefined) {
      diagnostics.push(error(session.pipeline.document.file, at, refusedInput(name, host, kind)));
      continue;
    }
    const asDirectory = directoryUse(session.pipeline, entry?.path, dataPath);
    if (asDirectory !== undefined && !st.isDirectory()) {
      diagnostics.push(bindingError(`input \`${name}\` (${entry?.path ?? dataPath}) is a directory${asDirectory}, but is bound to ${host}, a file: bind a directory`));
      continue;
    }
    paths.set(dataPath, abs);
  }
  for (const name of session.bindings.keys()) {
    if (session.pipeline.inputs.has(name)) continue;
    diagnostics.push(valueProblem(session.pipeline.document.file, fm?.at ?? { line: 1, col: 1 }, places, 'inputs', name, `-i ${name}=…`, `the frontmatter declares no input \`${name}\``));
  }
  return { paths, diagnostics };
}

/**
 * Whether the document takes input `dataPath` for a directory, and why when
 * its entry does not say so with a final `/` (` (a map reads /data/in/*)`):
 * a file bound to it would fail each job that reads it.
 */
function directoryUse(pipeline: Pipeline, declared: string | undefined, dataPath: string): string | undefined {
  if (declared?.endsWith('/') === true) return '';
  for (const step of pipeline.steps) {
    for (const input of step.inputs) {
      if (input.path === dataPath && input.pattern !== undefined) return ` (a map reads ${dataPath}/${input.pattern})`;
      if (input.path === dataPath && input.isDir) return ` (read as ${dataPath}/ at line ${input.at.line})`;
      if (input.path.startsWith(`${dataPath}/`)) return ` (read as ${input.path} at line ${input.at.line})`;
    }
  }
  return undefined;
}

/** Why an input holding a FIFO, a socket or a device (`inside` it, or bound to one) is refused: it would be opened to be read. */
function refusedInput(name: string, host: string, kind: string, inside?: string): string {
  const what = inside === undefined ? `${host}, ${kind}` : `${host}, which holds ${inside}, ${kind}`;
  return `input \`${name}\` is bound to ${what}: only files, directories and symbolic links can be inputs`;
}

/**
 * A host input refused while it was read (a FIFO deep inside it): invalid input, as one that does not exist (exit 2).
 * `others`: more found by the same look (every bad COPY source), reported with it.
 */
export class InvalidInput extends Error {
  constructor(readonly diagnostic: Diagnostic, readonly others: readonly Diagnostic[] = []) {
    super(diagnostic.message);
  }
}

/**
 * `read` (hashing or storing) of the host input bound at `dataPath`, given
 * how to take the links inside it: those leading out of it are followed, as
 * a local import's are (the user's own data: `local-links.ts`). A FIFO,
 * socket or device found in it, a link that cannot be followed (leading
 * nowhere, round a loop), or a file or directory it cannot read
 * (permission denied, an i/o error: `unreadableAt`), is thrown as `InvalidInput`
 * at the input's frontmatter entry, named as bound (`-i items=in`: `in/ff`).
 */
export async function readingInput<T>(session: Pick<Session, 'pipeline' | 'bindings'>, dataPath: string, host: string, read: (links: LinkFollower) => Promise<T>): Promise<T> {
  try {
    return await read(LocalLinks.of(host));
  } catch (e) {
    const unreadable = unreadableAt(e, host);
    const path = e instanceof SpecialFileError || e instanceof NotTextError ? e.path : unreadable?.path;
    if (path === undefined && !(e instanceof LocalLinkError)) throw e;
    const { pipeline } = session;
    const name = [...pipeline.inputs].find(([, p]) => p === dataPath)![0];
    const bound = session.bindings.get(name) ?? host;
    const inside = path === undefined || path === host ? undefined : join(bound, relative(host, path));
    const at = pipeline.document.frontmatter?.inputs.get(name)?.at ?? { line: 1, col: 1 };
    const message = e instanceof LocalLinkError ? `input \`${name}\` is bound to ${bound}: ${e.message}`
      : e instanceof SpecialFileError ? refusedInput(name, bound, e.kind, inside)
      : e instanceof NotTextError ? `input \`${name}\` is bound to ${bound}, ${inside === undefined ? '' : `which holds ${inside}, which `}${e.why}: ${ADVICE.text}`
      : unreadableInput(name, bound, unreadable!.why, inside);
    throw new InvalidInput(error(pipeline.document.file, at, message));
  }
}

/** Why an input that holds (or is) what Shark cannot read is refused: as a missing one, it cannot be hashed. */
function unreadableInput(name: string, host: string, why: string, inside?: string): string {
  return `input \`${name}\` is bound to ${host}, ${inside === undefined ? '' : `which holds ${inside}, `}which cannot be read: ${why}`;
}

/**
 * A data state seeded with the frontmatter inputs' content ids (computed
 * through the stat cache, nothing stored): what `plan` needs.
 */
export function seededState(session: Session, hostInputs: ReadonlyMap<string, string>): DataState {
  const hostTrees = new Map<SnapshotId, readonly TreeEntry[]>();
  const state = new DataState(
    (id) => hostTrees.get(id) ?? session.store.entries(id),
    (entries) => session.store.composeTree(entries),
  );
  const hashFile = (p: string, st: BigIntStats): string => session.meta.hashFile(p, st);
  const remember = (path: string, links: LinkFollower | undefined): SnapshotId => {
    const c = contentId(path, hashFile, links);
    if (c.entries !== undefined) {
      hostTrees.set(c.id, c.entries);
      for (const e of c.entries) {
        if (!e.id.startsWith('tree:')) continue;
        const on = entryOn(join(path, e.name), links);
        remember(on.path, on.links);
      }
    }
    return c.id;
  };
  seedInputs(state, session, new Map([...hostInputs].map(([dataPath, host]) => [dataPath, remember(host, LocalLinks.of(host))])));
  return state;
}

/**
 * `seededState`, with the inputs' files hashed many at a time: the stat
 * cache read in batches and a first plan's hashing spread over every core.
 * What `plan` uses; a map over a million files is seeded in seconds when
 * the stat cache is warm. A FIFO, socket or device in an input is
 * `InvalidInput`.
 */
export async function seedState(session: Session, hostInputs: ReadonlyMap<string, string>): Promise<DataState> {
  const hostTrees = new Map<SnapshotId, readonly TreeEntry[]>();
  const state = new DataState(
    (id) => hostTrees.get(id) ?? session.store.entries(id),
    (entries) => session.store.composeTree(entries),
  );
  const hashFiles = (files: readonly HostFile[]): Promise<string[]> => hashHostFiles(session.meta, files);
  const ids = new Map<string, SnapshotId>();
  for (const [dataPath, host] of hostInputs) {
    ids.set(dataPath, await readingInput(session, dataPath, host, (links) => contentIdOfTree(host, hashFiles, (i, entries) => hostTrees.set(i, entries), treeMemo(session), links)));
  }
  seedInputs(state, session, ids);
  return state;
}

/** Host directories' tree ids by their fingerprints (the stat cache's), their entries from the store. */
export function treeMemo(session: Session): TreeMemo {
  return storedTreeMemo(session.meta.stats, (id) => session.store.entries(id));
}

/**
 * The bound inputs' ids (by /data path) known in `state`, and the unbound
 * optional ones absent; an input inside another input's directory that
 * disagrees with it is `InvalidInput` (plan/nested-inputs.ts), for `plan`
 * and `run` alike, before any job.
 */
export function seedInputs(state: DataState, session: Pick<Session, 'pipeline' | 'bindings'>, ids: ReadonlyMap<string, SnapshotId>): void {
  const { pipeline } = session;
  const problem = nestedInputProblem(pipeline, session.bindings, ids, (id) => state.entries(id));
  if (problem !== undefined) throw new InvalidInput(problem);
  const names = new Map([...pipeline.inputs].map(([name, path]) => [path, name]));
  for (const [dataPath, id] of ids) state.setInput(dataPath, id, names.get(dataPath) ?? dataPath);
  markUnbound(state, pipeline, ids);
}

/**
 * Frontmatter inputs left unbound: an optional one's path does not exist for
 * the steps (`plan` and `run` alike); one that is not optional (only `serve`
 * leaves one so) is what a step reading it cannot run without, said as `plan`
 * refuses it.
 */
export function markUnbound(state: DataState, pipeline: Pipeline, hostInputs: ReadonlyMap<string, string>): void {
  // One inside a bound input's directory is what that directory holds there, if anything (as `ls` of it shows).
  const bound = [...hostInputs.keys()];
  for (const [name, dataPath] of pipeline.inputs) {
    if (hostInputs.has(dataPath) || bound.some((b) => isUnder(dataPath, b))) continue;
    state.setAbsent(dataPath, pipeline.document.frontmatter?.inputs.get(name)?.optional === true ? undefined : notBound(name, dataPath));
  }
}

/** What `plan` and `run` refuse a frontmatter input left unbound with, that is not optional. */
function notBound(name: string, dataPath: string): string {
  return `input \`${name}\` (${dataPath}) is not bound: pass -i ${name}=PATH`;
}

export function importContext(
  session: Session & Pick<ImportContext, 'secrets'>, step: ImportStep, signal: AbortSignal, progress: ImportContext['progress'],
): ImportContext {
  return {
    pipelineDir: session.pipelineDir,
    ...(session.secrets === undefined ? {} : { secrets: session.secrets }),
    locked: session.lock.imports[importLockKey(step.clause.raw, step.clause.dest)],
    refresh: session.refresh,
    // A signal of its own: each tool or request an import starts listens to it, and a dozen imports at once on the
    // run's one signal passed Node's ten listeners (MaxListenersExceededWarning). `any` follows the run's signal
    // without a listener on it, and this one is dropped with the import.
    signal: AbortSignal.any([signal]),
    progress,
    hashFile: (p) => session.meta.hashFile(p),
    hashTree: (p, links) => contentIdOfTree(p, (files) => hashHostFiles(session.meta, files), (_, entries) => void session.store.composeTree(entries), undefined, links),
    // A ZFS store's ids are its snapshots', not the content ids a pin names: its imports are copied and committed.
    ...(session.store.location.startsWith('zfs:') ? {} : { ingest: (p: string, links: LinkFollower, s: AbortSignal) => session.store.ingest(p, links, s) }),
  };
}

/** Pins an import step's source (no download where the source allows it). */
export async function resolveImport(session: Session, step: ImportStep, signal: AbortSignal): Promise<ResolveOutcome> {
  const importer = importerFor(step.clause.source);
  if (importer === undefined) return { ok: false, message: `no importer for ${step.clause.source.scheme} sources in this build` };
  return importer.resolve(step.clause, importContext(session, step, signal, () => {}));
}
