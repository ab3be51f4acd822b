import { isOutputs } from './stored-shapes.js';
import { existsSync, lstatSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { isAbsolute } from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CasObjects } from './cas-objects.js';
import { sortEntries, treeId } from './content-id.js';
import { hashFileSync } from './hash.js';
import type { Metadata } from './metadata.js';
import { hasStoredMode, objectMode, restoreModeAt } from './object-file.js';
import { reopenFolder } from './owner-access.js';
import { ObjectRecords } from './object-records.js';
import { refreshSighted, sightingOf, type Sighting } from './object-refresh.js';
import type { Freed, SnapshotId, StoreProblem, TreeEntry } from './snapshot-store.js';
import { failedRead, type FailedRead } from './unreadable.js';
import { workerFile } from './worker-file.js';
import { appendAll } from '../fold.js';
import { parseStored } from './damaged-database.js';

type Hashed = { path: string; hex?: string } & Partial<FailedRead>;

/** How `verifyObjects` reports, and what it looks at. */
export interface VerifyHow {
  readonly progress: (done: number, total: number, bytes: number) => void;
  readonly signal: AbortSignal;
  /** Hears of each sound object whose record was brought up to date. */
  readonly refreshed?: (id: SnapshotId) => void;
  /** Only the objects at the paths it accepts are checked (those `--repair` gave their mode back); all without it. */
  readonly only?: (path: string) => boolean;
}

/**
 * `shark fsck` for the content-addressed store: every object re-hashed (on
 * every core) and compared with its name, and every id that a result or a
 * tree refers to looked for. Data removed on purpose (freed by gc, or
 * discarded after a job modified it) is not a problem: older runs' results
 * name it, and keep their lineage. An object whose bytes are sound but whose
 * stat no longer shows its record (touched, or the project copied) is
 * recorded again (`refreshed`): every read took it for changed. One whose
 * mode is not its stored one is a `mode` problem: no result depends on a
 * mode, and `--repair` only gives it back (and judges the bytes a mode of
 * 000 hid from the re-hash then, `only` those objects).
 */
export async function verifyObjects(
  objects: CasObjects,
  meta: Metadata,
  store: { entries: (id: SnapshotId) => readonly TreeEntry[] | undefined; freed: (id: SnapshotId) => Freed | undefined },
  how: VerifyHow,
): Promise<StoreProblem[]> {
  const { progress, signal, refreshed = () => {}, only = () => true } = how;
  // A folder that cannot be read hides its objects: it is reported once, as its mode, and they are not looked for.
  const hidden: string[] = [];
  const problems: StoreProblem[] = [];
  const found = [...objects.all((dir, why) => {
    if (!only(dir)) return;
    hidden.push(dir);
    problems.push(folderProblem(dir, why));
  })].filter((o) => only(o.path));
  const seeable = (path: string): boolean => only(path) && !hidden.some((dir) => path.startsWith(`${dir}/`));
  appendAll(problems, notPlainOrWrongMode(found));
  // Only plain files are hashed: a link would be followed (to a host file of the same bytes, say).
  const corrupt = new Set(problems.filter((p) => p.problem === 'corrupt').map((p) => p.id));
  const all = found.filter((o) => !corrupt.has(o.id));
  const ids = new Map(all.map((o) => [o.path, o.id]));
  const records = new ObjectRecords(meta);
  const sighted = new Map<string, Sighting>();
  const sight = (path: string): void => {
    const s = sightingOf(path, ids.get(path)!, records);
    if (s !== undefined) sighted.set(path, s);
  };
  let done = 0;
  let bytes = 0;
  progress(0, all.length, 0);
  await hashAll(all.map((o) => o.path), signal, sight, (h) => {
    const id = ids.get(h.path)!;
    done++;
    try {
      bytes += statSync(h.path).size;
    } catch {
      // Gone meanwhile: reported below as missing if anything refers to it.
    }
    // Gone between the listing and its read (`gc --delete` freeing it meanwhile, which records it first): not damage,
    // and missing only if a result refers to it and gc did not free it (below). It was called corrupt, `cannot read …: ENOENT`.
    if (h.code === 'ENOENT') {
      progress(done, all.length, bytes);
      return;
    }
    if (h.error !== undefined) {
      // A mode of 000 hides the bytes, which are not known to be bad: the mode problem says so, once.
      const mode = problems.findIndex((p) => p.id === id && p.problem === 'mode');
      if (mode >= 0 && (h.code === 'EACCES' || h.code === 'EPERM')) problems[mode] = { ...problems[mode]!, detail: `${problems[mode]!.detail}: its bytes are checked once it has its mode back` };
      else problems.push({ id, problem: 'corrupt', detail: `cannot read ${h.path}: ${h.error}` });
    }
    else if (h.hex !== id.slice(id.indexOf(':') + 1)) problems.push({ id, problem: 'corrupt', detail: `${h.path} hashes to sha256:${h.hex}` });
    else if (sighted.has(h.path) && refreshSighted(h.path, id, sighted.get(h.path)!, records)) refreshed(id);
    sighted.delete(h.path);
    progress(done, all.length, bytes);
  });
  // What results refer to: each file and tree must be there, unless it was removed on purpose (gc).
  const seen = new Set<SnapshotId>();
  const look = (id: SnapshotId, where: string): void => {
    if (seen.has(id) || id.startsWith('link:')) return;
    seen.add(id);
    if (id.startsWith('tree:')) {
      const children = store.entries(id);
      if (children === undefined && store.freed(id) !== undefined) return;
      if (children === undefined && how.only === undefined) problems.push({ id, problem: 'missing', detail: `directory of ${where} is not recorded` });
      // A directory's id is the hash of its entries: a record edited or damaged since lists other data.
      const recorded = children === undefined ? id : treeId(sortEntries(children));
      if (recorded !== id && how.only === undefined) problems.push(misrecordedTree(id, where, recorded));
      for (const e of children ?? []) look(e.id, `${where}/${e.name}`);
    } else if (seeable(objects.pathOf(id)) && !existsSync(objects.pathOf(id)) && store.freed(id) === undefined) {
      problems.push({ id, problem: 'missing', detail: `${where}: ${objects.pathOf(id)} does not exist` });
    }
  };
  for (const r of meta.allResults()) {
    for (const [path, id] of Object.entries(parseStored<Record<string, SnapshotId>>(r.outputs, "a result's outputs", isOutputs))) look(id, path);
  }
  return problems;
}

/**
 * Objects that are not plain files (a link, a directory in an object's
 * place: `corrupt`, whatever a link leads to) or whose mode is not the one
 * they were stored with (`mode`: a `chmod` of an input by a host job, or
 * by hand; `-rwsrwxrwx` is world-writable and setuid). The bytes of the
 * latter are judged by the re-hash; `--repair` gives them their mode back.
 */
function notPlainOrWrongMode(all: readonly { id: SnapshotId; path: string }[]): StoreProblem[] {
  const problems: StoreProblem[] = [];
  for (const { id, path } of all) {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (!st.isFile()) problems.push({ id, problem: 'corrupt', detail: `${path} is ${kindOf(st)}, not a file` });
    else if (!hasStoredMode(id, st)) problems.push({ id, problem: 'mode', detail: `${path} has mode ${octal(st.mode & 0o7777)}, not ${octal(objectMode(id))}` });
  }
  return problems;
}

/** A folder of the store (`objects/AB`, or `objects/` itself) its user cannot list or enter. */
function folderProblem(dir: string, why: string): StoreProblem {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (st?.isSymbolicLink() === true) return { id: dir, problem: 'mode', detail: `a symbolic link in place of a folder of the store, never followed: remove it (what it leads to is no data of the store)` };
  const mode = st?.mode;
  const of = mode === undefined ? '' : ` of mode ${octal(mode & 0o7777)}`;
  return { id: dir, problem: 'mode', detail: `a folder of the store${of}, which cannot be read (${why}): the objects in it are checked once it has its mode back` };
}

function kindOf(st: Stats): string {
  return st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : 'a special file';
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * Hashes files on worker threads (falling back to this thread where workers
 * cannot start, as under a TS loader); `starting` sees each path just before its hashing starts.
 */
async function hashAll(paths: readonly string[], signal: AbortSignal, starting: (path: string) => void, each: (h: Hashed) => void): Promise<void> {
  if (paths.length === 0) return;
  const url = workerFile(new URL('./hash-worker.js', import.meta.url));
  const n = Math.max(1, Math.min(availableParallelism(), paths.length));
  if (url === undefined) {
    for (const path of paths) {
      if (signal.aborted) return;
      starting(path);
      try {
        each({ path, hex: hashFileSync(path) });
      } catch (e) {
        each({ path, ...failedRead(e) });
      }
    }
    return;
  }
  let next = 0;
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(url);
    const feed = (): void => {
      if (signal.aborted || next >= paths.length) {
        void worker.terminate().then(() => resolve());
        return;
      }
      const path = paths[next++]!;
      starting(path);
      worker.postMessage(path);
    };
    worker.on('message', (h: Hashed) => {
      each(h);
      feed();
    });
    worker.on('error', reject);
    feed();
  })));
}

/**
 * `fsck --repair` of `mode` problems: each object's stored mode given back,
 * a folder a job left closed opened again, and those objects (what such a
 * folder hid) checked whole then. What is still wrong is returned, but not a
 * mode that could not be given back (another user's: reported already).
 */
export async function restoreModes(
  objects: CasObjects,
  meta: Metadata,
  store: Parameters<typeof verifyObjects>[2],
  problems: readonly StoreProblem[],
  signal: AbortSignal,
): Promise<StoreProblem[]> {
  const given = new Set<string>();
  const folders: string[] = [];
  for (const { id } of problems) {
    // A folder's problem names its path: what it hid is checked as a whole.
    if (isAbsolute(id)) {
      // A link in place of a folder is removed, never followed: its objects are then missing, said and dropped as such.
      if (reopenFolder(id) || unlinkLink(id)) folders.push(id);
    } else if (restoreModeAt(objects.pathOf(id), id)) given.add(objects.pathOf(id));
  }
  // Those whose mode could not be given back (another user's, in a store shared by a group): still mode problems.
  const stuck = problems.filter((p) => (isAbsolute(p.id) ? !folders.includes(p.id) : !given.has(objects.pathOf(p.id))))
    .map((p) => ({ ...p, detail: `${p.detail}; its mode could not be given back (not this user's: chmod it as its owner)` }));
  if (given.size === 0 && folders.length === 0) return stuck;
  const only = (path: string): boolean => given.has(path) || folders.some((dir) => path === dir || path.startsWith(`${dir}/`));
  const found = await verifyObjects(objects, meta, store, { progress: () => {}, signal, only });
  return [...found.filter((p) => p.problem !== 'mode'), ...stuck];
}

/** Removes `path` when it is a symbolic link (the link alone: what it leads to is no data of the store). */
function unlinkLink(path: string): boolean {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A directory whose recorded entries hash to another id than its own. */
export function misrecordedTree(id: SnapshotId, where: string, recorded: SnapshotId): StoreProblem {
  return { id, problem: 'corrupt', detail: `directory of ${where}: its recorded entries hash to ${recorded}` };
}
