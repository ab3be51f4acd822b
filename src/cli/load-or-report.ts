import { deniedFoldersMessage, deniedObjectFolders } from './store-folders.js';
import { accessSync, closeSync, constants, existsSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatReport, inDocumentOrder, type Diagnostic } from '../diagnostics.js';
import { hostFilesInContainers } from '../pipeline/container-host-files.js';
import { loadPipeline } from '../pipeline/load.js';
import { readProblem } from '../read-problem.js';
import { shownFromHere } from '../printable.js';
import { MAX_DOCUMENT_BYTES, decodeDocument, tooLarge } from '../markdown/source-text.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SnapshotStore } from '../store/snapshot-store.js';
import { deniedOnTheWay, isDirectory } from '../writable-path.js';
import type { GivenFrontmatter, GivenPlaces } from '../pipeline/given-frontmatter.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

/** A store that would not open: invalid input (exit 2), unless its disk is full (the store refused a write: exit 1). */
export const openFailureCode = (failed: { readonly full?: boolean }): number => (failed.full === true ? EXIT_FAILED : EXIT_INVALID);
export const EXIT_INTERRUPTED = 130;

/** Thrown only to carry an exit status up through commander; never shown as a stack trace. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * The document did not check (its problems are printed): a command reading
 * what runs recorded may answer from the records instead (`openReading`).
 * `documentOnly` when every error is the document's own, not shark.yaml's.
 */
export class InvalidDocument extends ExitError {
  constructor(readonly documentOnly: boolean) {
    super(EXIT_INVALID);
  }
}

/** A path as named from the current directory, escaped (`shownFromHere`). */
export const displayName = shownFromHere;

/**
 * Reads and validates a pipeline; prints every problem and exits 2 when it is not valid.
 * For `run`, warnings that refuse a run (a missing environment) are errors.
 */
export function loadOrReport(
  path: string,
  stderr: (s: string) => void,
  purpose: 'read' | 'run' = 'read',
  /** `-e NAME=VALUE`: restricts axes and overrides scalar keys in `%{NAME}`. */
  overrides?: ReadonlyMap<string, string>,
  /** Frontmatter values from shark.yaml. */
  given?: GivenFrontmatter,
  /** Where shark.yaml gave some of the overrides: their problems are located there. */
  places?: GivenPlaces,
  /** What else the config file gave that the document refutes (`config-refutations.ts`): said with an `env:` value's error. */
  refutations?: (pipeline: Pipeline) => readonly Diagnostic[],
): Pipeline {
  const file = displayName(path);
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, MAX_DOCUMENT_BYTES + 1);
  } catch (e) {
    return cannotRead(path, e, stderr);
  }
  if (bytes.length > MAX_DOCUMENT_BYTES) return refuse(tooLarge(file, sizeOf(path, bytes.length)), undefined, stderr);
  const decoded = decodeDocument(file, bytes);
  if (!decoded.ok) return refuse(decoded.diagnostic, decoded.shown, stderr);
  const source = decoded.source;
  const loaded = loadPipeline(file, source, overrides, given, places);
  // A file beside the document that a container step names, and its image lacks: known from the disk alone.
  const beside = dirname(resolve(path));
  const hostFiles = loaded.pipeline === undefined ? [] : hostFilesInContainers(loaded.pipeline, (rel) => existsSync(resolve(beside, rel)));
  const diagnostics = inDocumentOrder([...loaded.diagnostics, ...hostFiles]).map((d) => (purpose === 'run' && d.refusesRun ? { ...d, severity: 'error' as const } : d));
  const pipeline = diagnostics.some((d) => d.severity === 'error') ? undefined : loaded.pipeline;
  const more = pipeline === undefined && refutations !== undefined ? withoutConfigEnv(diagnostics, file, source, overrides, given, places, refutations) : [];
  if (more.length > 0) {
    diagnostics.push(...more);
    diagnostics.sort((a, b) => (a.file === b.file ? a.at.line - b.at.line || a.at.col - b.at.col : 0));
  }
  stderr(formatReport(diagnostics, (d) => sourceOf(d, source, places)));
  if (pipeline === undefined) throw new InvalidDocument(diagnostics.every((d) => d.severity !== 'error' || d.file === file));
  return pipeline;
}

/**
 * When the only errors are the config file's, and it gave `env:` values: the
 * document loaded without those, so the config file's other refuted values
 * are said with them, all at once, not after the `env:` one is fixed.
 */
function withoutConfigEnv(
  found: readonly Diagnostic[], file: string, source: string, overrides: ReadonlyMap<string, string> | undefined,
  given: GivenFrontmatter | undefined, places: GivenPlaces | undefined, refutations: (pipeline: Pipeline) => readonly Diagnostic[],
): Diagnostic[] {
  if (places === undefined || places.env.size === 0 || found.some((d) => d.severity === 'error' && d.file !== places.file)) return [];
  const kept = new Map([...overrides ?? []].filter(([name]) => !places.env.has(name)));
  const again = loadPipeline(file, source, kept, given, places);
  if (again.pipeline === undefined) return [];
  const said = new Set(found.map((d) => `${d.at.line}:${d.at.col}`));
  return refutations(again.pipeline).filter((d) => !said.has(`${d.at.line}:${d.at.col}`));
}

/** The text a diagnostic's line is shown from: the document's, or the config file's for a value it gave. */
export function sourceOf(d: Diagnostic, source: string, places: GivenPlaces | undefined): string {
  return places !== undefined && d.file === places.file ? places.source : source;
}

function refuse(d: Diagnostic, source: string | undefined, stderr: (s: string) => void): never {
  return refuseReport([d], () => source, stderr);
}

/**
 * Every diagnostic with its line and the `N errors in FILE` count line, as
 * `check` prints them, then exit 2: how plan and run refuse what they find
 * against the document (an input bound to nothing, an undeclared pool).
 */
export function refuseReport(diagnostics: readonly Diagnostic[], source: (d: Diagnostic) => string | undefined, stderr: (s: string) => void): never {
  stderr(formatReport(diagnostics, source));
  throw new ExitError(EXIT_INVALID);
}

/** A pipeline file that cannot be read, said as every command that takes FILE says it: exit 2. */
function cannotRead(path: string, e: unknown, stderr: (s: string) => void): never {
  const code = (e as NodeJS.ErrnoException).code;
  // Node reads the command line as UTF-8: a name that is not (`caf\xe9.md`) comes with U+FFFD in its place, and names no file.
  const why = code === 'EISDIR' ? 'is a directory, not a markdown file'
    : code === 'ENOENT' && path.includes('\ufffd') ? 'no such file (a name that is not UTF-8 cannot be given on the command line: Node reads its bytes as U+FFFD; rename the file, or give it through a link of a UTF-8 name)'
      : readProblem(e);
  stderr(`${displayName(path)}: error: cannot read pipeline: ${why}\n`);
  throw new ExitError(EXIT_INVALID);
}

/**
 * Refuses a FILE that is not there to read, as `loadOrReport` does, for a
 * command that does not load it (`fsck` checks the store next to it): a
 * misspelt name must not check some other store and say all is well.
 */
export function requireReadable(path: string, stderr: (s: string) => void): void {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    cannotRead(path, e, stderr);
  }
}

/** Reads no more than `limit` bytes, whatever the file is (a pipe or a device has no size to check first). */
function readAtMost(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 << 20, limit - total));
      const n = chunk.length === 0 ? 0 : readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The whole size of a refused file, for the message; what was read when it has none. */
function sizeOf(path: string, read: number): number {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : read;
  } catch {
    return read;
  }
}

/**
 * Stops a command that writes to the store (`shark run`, `gc --delete`,
 * `fsck --repair`) before it writes anything, when the store is one this
 * user may only read (a colleague's, read-only media): one line, exit 2.
 * The commands that only read answer from such a store.
 */
export function refuseReadOnlyStore(meta: { readonly db: { readonly readonly: boolean } }, location: string, command: string, stderr: (s: string) => void): void {
  if (!meta.db.readonly) return;
  stderr(`shark: error: the store at ${displayName(location)} is read-only to you: \`shark ${command}\` writes to it (run it as the store's owner, or give it a store of its own: --store DIR)\n`);
  throw new ExitError(EXIT_INVALID);
}

/**
 * Stops `run` (and `shell`) before it records a run, when a directory of the
 * store it writes in is one this user may not write in (a store shared by
 * several users, one made by root): one line, exit 2. Found by the run, the
 * logs' directory was an internal error and `objects/` a failed job, after
 * its command had run.
 */
export function refuseUnwritableStore(store: Pick<SnapshotStore, 'location' | 'metaDir' | 'writtenDirs'>, command: string, stderr: (s: string) => void): void {
  for (const dir of [store.metaDir, join(store.metaDir, 'logs'), ...(store.writtenDirs ?? [])]) {
    // A link in place of a folder inside the store (`tmp -> /home/me`) led the run's workspaces to the host's files,
    // which fsck did not check nor gc clean: refused, as the store never follows one (the store's own place may be one).
    if (dir !== store.metaDir && isLink(dir)) {
      stderr(`shark: error: the store at ${displayName(store.location)} cannot be written: ${dir} is a symbolic link, which the store never follows; \`shark ${command}\` writes in it (remove the link, and Shark makes the folder again)\n`);
      throw new ExitError(EXIT_INVALID);
    }
    // A file there is no directory to be denied, and the run died making its folder in it (ENOTDIR).
    if (existsSync(dir) && !isDirectory(dir)) {
      stderr(`shark: error: the store at ${displayName(store.location)} cannot be written: ${dir} is not a directory; \`shark ${command}\` writes in it (remove it, and Shark makes the folder again)\n`);
      throw new ExitError(EXIT_INVALID);
    }
    // Asked of a name inside: a directory still to be made is made in the nearest one there.
    const denied = deniedOnTheWay(join(dir, '-'));
    if (denied === undefined) continue;
    stderr(`shark: error: the store at ${displayName(store.location)} cannot be written: ${denied}; \`shark ${command}\` writes to it (run it as the store's owner, or give it a store of its own: --store DIR)\n`);
    throw new ExitError(EXIT_INVALID);
  }
  // A folder of objects/ given mode 000: a job committing into it failed with the system's words, after running.
  const folders = deniedObjectFolders(store, true);
  if (folders.length > 0) {
    stderr(`shark: error: the store at ${displayName(store.location)} cannot be written: ${deniedFoldersMessage(folders)}\n`);
    throw new ExitError(EXIT_INVALID);
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
