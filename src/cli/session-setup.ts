import { statSync } from 'node:fs';
import { readProblem } from '../read-problem.js';
import { dirname, join, resolve } from 'node:path';
import { formatReport, inDocumentOrder, type Diagnostic } from '../diagnostics.js';
import { createEnvironmentProvider } from '../exec/environments.js';
import { lockPathFor, readLock } from '../lockfile.js';
import type { GivenPlaces } from '../pipeline/given-frontmatter.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { keptStore, storeClashes, type Kept } from '../pipeline/publish-targets.js';
import type { RunSession } from '../exec/executor.js';
import { inputBindings, InvalidInput, type Session } from '../plan/session.js';
import { openStore, storeMade, type OpenedStore } from '../store/open-store.js';
import { givenSecrets, secretValues } from './secrets.js';
import { unusedVariableWarnings } from './unused-variables.js';
import { configRefutations, refuseConfigRefutations } from './config-refutations.js';
import { displayName, EXIT_FAILED, EXIT_INVALID, ExitError, InvalidDocument, loadOrReport, openFailureCode, refuseReadOnlyStore, refuseReport, refuseUnwritableStore, requireReadable, sourceOf } from './load-or-report.js';
import { directoryStore, storeSpec } from './find-store.js';
import { importsOverStore, inputsOverStore } from './store-inputs.js';
import { checkMemosAhead } from '../plan/step-memo.js';
import { refuseUnreadable } from '../plan/unreadable-host.js';
import { envPairs, inputPairs } from './option-pairs.js';
import { deniedFoldersMessage, deniedObjectFolders } from './store-folders.js';
import { CONFIG_USE, givenFrontmatter, givenPlaces, type ConfigUse } from './apply-config.js';

export interface SessionFlags {
  /** The config file's settings (shark.yaml), left by applyConfig. */
  [CONFIG_USE]?: ConfigUse;
  store?: string;
  input?: string[];
  env?: string[];
  refresh?: boolean;
  update?: boolean;
  /** `--secrets FILE`: `KEY=VALUE` lines giving the document's `secrets:` (they win over the environment). */
  secrets?: string;
}

/**
 * Loads the pipeline and opens its store, lock file and environments; exits 2
 * on bad input. The options are checked alike for every command that takes
 * them (an `-i` of no input, an unreadable `--secrets` file, `-e` of a
 * secret); a command that plans (`plan`, `run`, `serve`) is checked as `plan` is.
 */
export function openSession<T = void>(
  file: string,
  flags: SessionFlags,
  stderr: (s: string) => void,
  /** Every input must be bound (`plan`, `run`); `serve` shows an unbound one as such. */
  needsInputs = true,
  purpose: 'read' | 'run' = 'read',
  /** Reading what runs recorded (`logs`, `lineage`, `runs`…): no store is made where there is none, and nothing is planned. */
  recorded = false,
  /**
   * The command's own checks of the document (targets, resources), made before the store is opened or made: what
   * they give is `checked`. What they find in the document goes into `found`, reported with the bindings' and secrets'.
   */
  check?: (pipeline: Pipeline, found: Diagnostic[]) => T,
): { session: RunSession; hostInputs: Map<string, string>; checked: T } {
  const extra = envPairs(flags.env, stderr);
  const places = givenPlaces(flags);
  const pipelinePath = resolve(file);
  const pipelineDir = dirname(pipelinePath);
  const plans = !recorded;
  const configTargets = flags[CONFIG_USE]?.targetsFromConfig ?? false;
  const refutations = plans ? (p: Pipeline) => configRefutations(p, pipelineDir, flags, stderr, configTargets) : undefined;
  const pipeline: Pipeline = loadOrReport(file, stderr, purpose, extra, givenFrontmatter(flags), places, refutations);
  // What shark.yaml gave that the document refutes, all at once, before each check below stops at its first.
  if (plans) refuseConfigRefutations(pipeline, pipelineDir, flags, stderr, configTargets);
  if (plans) for (const w of unusedVariableWarnings(pipeline, extra)) stderr(w);
  const bindings = inputPairs(flags.input, stderr);
  const bound = inputBindings({ pipeline, bindings, pipelineDir }, { places, unboundAllowed: !needsInputs });
  // What a run would stop at, all at once (docs/cli.md): a user fixing them one per run would run once per mistake.
  const found: Diagnostic[] = [...bound.diagnostics];
  // Before the store is opened: a run missing a secret stops before anything runs or is written.
  const secrets = plans ? secretValues(pipeline, flags.secrets, extra, purpose, stderr, process.env, places, found) : noSecrets(pipeline, flags, extra, stderr, places);
  // A document that cannot run leaves nothing behind: no store is made for it.
  const checked = check?.(pipeline, found) as T;
  reportFound(pipeline, found, places, stderr);
  const lockPath = lockPathFor(pipelinePath);
  // Strict: a lock file silently reset would re-resolve every moving reference it pins.
  const lock = readLock(lockPath);
  if (!lock.ok) refuseReport([{ ...lock.diagnostic, file: displayName(lockPath) }], () => lock.source, stderr);
  // A directory store is refused before it is opened (made, the first time): a refused document leaves none behind.
  const storeDir = directoryStore(pipelineDir, flags.store);
  if (plans && storeDir !== undefined) refusePublishInto(pipeline, pipelineDir, keptStore(storeDir, storeDir), stderr);
  const opened = openStoreFor(pipelineDir, flags, recorded, stderr);
  if (purpose === 'run') {
    const command = process.argv[2] === 'shell' ? 'shell' : 'run';
    try {
      refuseReadOnlyStore(opened.meta, opened.store.location, command, stderr);
      refuseUnwritableStore(opened.store, command, stderr);
    } catch (e) {
      closeSession(opened);
      throw e;
    }
  }
  // Its objects would read as gone (`plan`: the previous result's data is no longer in the store): said why.
  const unreadable = plans && purpose !== 'run' ? deniedObjectFolders(opened.store, false) : [];
  if (unreadable.length > 0) stderr(`shark: warning: the store at ${displayName(opened.store.location)} is not all readable: ${deniedFoldersMessage(unreadable)}; what is stored there reads as gone\n`);
  // A ZFS store's directory is known once it is open.
  if (plans && storeDir === undefined) refusePublishIntoStore(pipeline, pipelineDir, opened, stderr);
  // The checks of the map steps' last results start now, on another core, before the inputs are read (below, and as they are hashed).
  if (plans) checkMemosAhead({ pipeline, pipelinePath, ...opened });
  const overStore = plans ? inputsOverStore(pipeline, bound.paths, bindings, opened.store, places, opened.meta.stats.listings) : [];
  if (overStore.length > 0) {
    closeSession(opened);
    refuseBadBindings(pipeline, overStore, places, stderr);
  }
  const importsOver = plans ? importsOverStore(pipeline, pipelineDir, opened.store, opened.meta.stats.listings) : [];
  if (importsOver.length > 0) {
    closeSession(opened);
    refuseBadBindings(pipeline, importsOver, undefined, stderr);
  }
  const session: RunSession = {
    pipeline,
    pipelinePath,
    pipelineDir,
    store: opened.store,
    meta: opened.meta,
    envs: createEnvironmentProvider(pipeline, { pipelinePath, update: flags.update ?? false, secrets: [...secrets.values()] }),
    lock: lock.lock,
    lockPath,
    variables: stepVariables(pipeline, extra),
    bindings,
    refresh: flags.refresh ?? false,
    hostPath: process.env['PATH'] ?? '',
    secrets,
  };
  return { session, hostInputs: bound.paths, checked };
}

/** The store of a document, opened; for `recorded`, one that was never made is said (exit 1), not made. */
function openStoreFor(pipelineDir: string, flags: SessionFlags, recorded: boolean, stderr: (s: string) => void): OpenedStore {
  const spec = storeSpec(flags.store);
  if (recorded && !storeMade(spec, pipelineDir)) {
    // A store there that this user may not look into (made under `umask 077` by another) is no store never made.
    const hidden = spec?.startsWith('zfs:') === true ? undefined : deniedStore(spec ?? join(pipelineDir, '.shark'));
    if (hidden !== undefined) {
      stderr(`shark: error: cannot read the store at ${displayName(spec ?? join(pipelineDir, '.shark'))}: ${hidden}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    stderr(`shark: this pipeline has not been run yet: there is no store at ${displayName(spec ?? join(pipelineDir, '.shark'))}\n`);
    throw new ExitError(EXIT_FAILED);
  }
  const opened = openStore(spec, pipelineDir);
  if (!opened.ok) {
    stderr(`shark: error: ${opened.message}\n`);
    throw new ExitError(openFailureCode(opened));
  }
  return opened.value;
}

/**
 * The store a document's runs are recorded in, opened without reading the
 * document: what its runs recorded is history, listed while the text does
 * not check (mid-edit), as `git log` lists a broken work tree's.
 */
export function openRecords(file: string, flags: SessionFlags, stderr: (s: string) => void): OpenedStore & { readonly pipelinePath: string } {
  requireReadable(file, stderr);
  const pipelinePath = resolve(file);
  return { ...openStoreFor(dirname(pipelinePath), flags, true, stderr), pipelinePath };
}

/** What a command reading the runs' records opened: the document's session, or, the document not checking, the records alone. */
export type Reading =
  | { readonly session: RunSession; readonly records?: undefined }
  | { readonly session?: undefined; readonly records: OpenedStore & { readonly pipelinePath: string } };

/**
 * A reading command's session. While the document does not check (mid-edit)
 * its history is still there to read, as `runs` lists it: with `instead`
 * (what the answer is without the document) its store's records are opened
 * alone, after one line saying so (the document's errors are `shark check`'s
 * to show); without it, or with `-e` or shark.yaml in the errors (values the
 * command would pick a run by), the errors are printed and `needs`, the
 * reason the command cannot do without the document, after them.
 */
export function openReading(file: string, flags: SessionFlags, stderr: (s: string) => void, fallback: { instead: string } | { needs: string }): Reading {
  const said: string[] = [];
  try {
    return { session: openSession(file, flags, (s) => said.push(s), false, 'read', true).session };
  } catch (e) {
    if (!(e instanceof InvalidDocument)) throw e;
    if ('needs' in fallback || !e.documentOnly || (flags.env?.length ?? 0) > 0) {
      if ('needs' in fallback) said.push(`shark: error: ${fallback.needs}\n`);
      throw e;
    }
    said.length = 0;
    const records = openRecords(file, flags, stderr);
    const name = displayName(file);
    stderr(`shark: warning: ${name} does not check now (\`shark check ${name}\` says where): ${fallback.instead}\n`);
    return { records };
  } finally {
    stderr(said.join(''));
  }
}

/** Reading what runs recorded needs no secret's value: the secrets options are only checked, as everywhere. */
function noSecrets(pipeline: Pipeline, flags: SessionFlags, extra: ReadonlyMap<string, string>, stderr: (s: string) => void, places: GivenPlaces | undefined): Map<string, string> {
  givenSecrets(pipeline, flags.secrets, extra, stderr, places);
  return new Map();
}

/** The variables every step sees, sorted by name: the frontmatter's, then `-e NAME=VALUE`. */
export function stepVariables(pipeline: Pipeline, extra: ReadonlyMap<string, string>): [string, string][] {
  const variables = new Map(pipeline.variables);
  // `-e AXIS=…` chose instances; it is no variable, so a subset's jobs keep the keys of the whole sweep.
  for (const [k, v] of extra) if (!pipeline.document.frontmatter?.axes.has(k)) variables.set(k, v);
  return [...variables].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Problems with the inputs' bindings, each printed, and exit 2; nothing when there are none. */
export function refuseBadBindings(pipeline: Pipeline, diagnostics: readonly Diagnostic[], places: GivenPlaces | undefined, stderr: (s: string) => void): void {
  if (diagnostics.length > 0) refuseReport(diagnostics, (d) => sourceOf(d, pipeline.document.source, places), stderr);
}

/** A publish into the store would be refused when it ran: planning and running say so before anything runs (exit 2). */
function refusePublishIntoStore(pipeline: Pipeline, pipelineDir: string, opened: OpenedStore, stderr: (s: string) => void): void {
  refusePublishInto(pipeline, pipelineDir, keptStore(resolve(opened.store.metaDir), opened.store.location), stderr, () => closeSession(opened));
}

function refusePublishInto(pipeline: Pipeline, pipelineDir: string, store: Kept, stderr: (s: string) => void, close = (): void => undefined): void {
  const clashes = storeClashes(pipeline, pipelineDir, store);
  if (clashes.length === 0) return;
  close();
  refuseReport(clashes, () => pipeline.document.source, stderr);
}

export function closeSession(session: Pick<Session, 'store' | 'meta'>): void {
  session.store.close();
  session.meta.close();
}

/** `work`, an input refused on the way (`InvalidInput`: a FIFO in it) reported as one that does not exist: located, exit 2. */
export async function reportingInvalidInput<T>(session: Pick<Session, 'pipeline'>, stderr: (s: string) => void, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    return refuseInvalidInput(e, session.pipeline, stderr);
  }
}

/**
 * Local imports and COPY sources that are missing or cannot be read, found
 * (for `found`: exit 2) from an `openSession` check while there is no store yet, before
 * one is made: a document that cannot run leaves no `.shark/` behind, as one
 * with an unbound input leaves none. Where a store is, they are refused once
 * it is open, after an import that holds it is (`importsOverStore`): the walk
 * would otherwise go through the store.
 */
export function refuseUnreadableFirst(pipeline: Pipeline, file: string, flags: SessionFlags, found: Diagnostic[]): void {
  const pipelineDir = dirname(resolve(file));
  if (storeMade(storeSpec(flags.store), pipelineDir)) return;
  collectInvalid(found, () => refuseUnreadable({ pipeline, pipelineDir }));
}

/** Runs `look`, the bad input it throws (`InvalidInput`) added to `found`, reported with the session's other problems. */
export function collectInvalid(found: Diagnostic[], look: () => void): void {
  try {
    look();
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e;
    found.push(e.diagnostic, ...e.others);
  }
}

/** The problems `openSession` found against the document, each file's in document order: printed, and exit 2 when one is an error. */
function reportFound(pipeline: Pipeline, found: readonly Diagnostic[], places: GivenPlaces | undefined, stderr: (s: string) => void): void {
  if (found.length === 0) return;
  const files = [...new Set(found.map((d) => d.file))];
  const ordered = files.flatMap((file) => inDocumentOrder(found.filter((d) => d.file === file)));
  stderr(formatReport(ordered, (d) => sourceOf(d, pipeline.document.source, places)));
  if (ordered.some((d) => d.severity === 'error')) throw new ExitError(EXIT_INVALID);
}

function refuseInvalidInput(e: unknown, pipeline: Pipeline, stderr: (s: string) => void): never {
  if (!(e instanceof InvalidInput)) throw e;
  return refuseReport([e.diagnostic, ...e.others], () => pipeline.document.source, stderr);
}

/** Why the database of the store in `dir` cannot even be looked for (`permission denied`), or undefined. */
function deniedStore(dir: string): string | undefined {
  try {
    statSync(join(dir, 'shark.sqlite'));
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? `${readProblem(e)} (its folder is another user's, not open to you: ask them to chmod it, or run as them)` : undefined;
  }
}
