import { canonicalJson } from '../canonical-json.js';
import { sha256 } from '../store/hash.js';
import { toolChanges } from './tool-changes.js';
import { shownName } from '../printable.js';
import { shownUrls } from '../imports/shown-url.js';

/**
 * What a job's result depends on, as a labeled record. It is hashed into the
 * cache key and stored unhashed beside the result, so `plan` can say which
 * component changed. Nothing positional (block ids, headings, line numbers)
 * is in it: moving or renaming prose invalidates nothing.
 *
 * `v` changes whenever a field is added or its meaning changes (2: `workdir`,
 * and canonical serialisation; 3: `tools` and `deps`): every stored record of
 * another version then reads as "cache format changed", once.
 */
export interface KeyRecord {
  readonly v: typeof KEY_VERSION;
  readonly kind: 'run' | 'import';
  /** `host:linux/x64`, or `docker:sha256:…` (the image's content id). */
  readonly env: string;
  readonly command: string;
  readonly cwd: string | null;
  /** A container step's default working directory (frontmatter `path:`); null on the host. */
  readonly workdir: string | null;
  /** `export`/`set` lines in force, as written. */
  readonly prelude: readonly string[];
  /** Frontmatter variables and `-e` values, sorted by name. */
  readonly variables: readonly (readonly [string, string])[];
  /** Each input path (a map job's own item path) with its snapshot id, sorted by path. */
  readonly inputs: readonly (readonly [string, string])[];
  /** Local files the command names outside /data, with their content hashes. */
  readonly files: readonly (readonly [string, string])[];
  /**
   * A host step's programs (the shell, and the first word of each simple
   * command) resolved on PATH: `[path, sha256:…]`, or `[name, "missing"]`;
   * sorted. Empty for container steps (the image covers them) and imports.
   * Absent only in records of version 2, still read by lineage.
   */
  readonly tools?: readonly (readonly [string, string])[];
  /** Files named in `{deps=…}`, relative to the pipeline's directory, with content hashes; sorted. */
  readonly deps?: readonly (readonly [string, string])[];
  readonly outputs: readonly string[];
  /**
   * `{network}` (true), none (false), or `'host'` (`{network=host}`, the host's own network). A value added
   * without bumping `v`: every record written before it keeps its key.
   */
  readonly network: boolean | 'host';
  /** Imports: the pinned source. */
  readonly pin?: Readonly<Record<string, string | number>>;
}

export const KEY_VERSION = 3;

/** Canonical (sorted-key) JSON: records equal but for the order of their keys (an import's pin) hash the same. */
export function keyOf(record: KeyRecord): string {
  return sha256(canonicalJson(record));
}

/**
 * `keyOf` for the jobs of one step, which differ only in their inputs: the
 * canonical text of everything else is written once and each job's key is
 * one hash of it with the job's inputs between (a one-shot hash costs half
 * of copying a hash state), instead of writing its whole record per item. Gives exactly `keyOf`'s keys (keys
 * are sorted, and `inputs` is the only member that changes).
 */
export function keyMaker(shared: Omit<KeyRecord, 'inputs'>): (inputs: KeyRecord['inputs']) => string {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(shared)) (k < 'inputs' ? before : after)[k] = v;
  const head = canonicalJson(before).slice(0, -1);
  const prefix = `${head}${head === '{' ? '' : ','}"inputs":`;
  const tail = canonicalJson(after).slice(1);
  const suffix = tail === '}' ? '}' : `,${tail}`;
  // Pairs of strings: JSON.stringify writes them as canonicalJson does.
  return (inputs) => sha256(prefix + JSON.stringify(inputs) + suffix);
}

/**
 * The command a job ran as its result's meta keeps it, lineage shows it and
 * its envelope signs it: the `export`/`set` lines and the `cd` of the record
 * first (an import's is its clause, which has neither).
 */
export function commandAsRun(r: Pick<KeyRecord, 'prelude' | 'cwd' | 'command'>): string {
  return [...r.prelude, ...(r.cwd !== null ? [`cd ${r.cwd}`] : []), r.command].join('\n');
}

/**
 * How an id changed, `a… → b…`; for a file whose bytes did not, only its
 * mode did (`sha256:` ↔ `sha256x:`, `snapshot-store.ts`), which the same
 * digits on both sides would not show.
 */
export function idChange(a: string, b: string): string {
  const executable = (id: string): boolean => id.startsWith('sha256x:');
  if (executable(a) !== executable(b) && /^sha256x?:/.test(a) && /^sha256x?:/.test(b) && hexOf(a) === hexOf(b)) {
    return `mode: ${executable(b) ? 'now' : 'no longer'} executable`;
  }
  return `${short(a)} → ${short(b)}`;
}

const hexOf = (id: string): string => id.slice(id.lastIndexOf(':') + 1);

/**
 * The first hex digits of `sha256:…`, `tree:…` or `docker:sha256:…`; a
 * word that is no content id (`missing`, what a joined item that was not
 * there is keyed by: `expanded-job.ts`) is shown whole, not as if cut off.
 */
export function short(id: string): string {
  return id === MISSING_INPUT ? id : `${hexOf(id).slice(0, 8)}…`;
}

/** The id a job's key gives a joined item that is not there. */
export const MISSING_INPUT = 'missing';

/**
 * Whether a local file the previous record held, and `now` does not, is one
 * the command still names though it is gone (`session.ts` `missingLocalFile`):
 * what the record alone cannot tell from an edit that stopped using it.
 */
export type MissingFile = (path: string) => boolean;

/** Why `now` differs from `before`, naming each changed component, old → new. */
export function explain(before: KeyRecord, now: KeyRecord, missing?: MissingFile): string[] {
  if (before.v !== now.v) return ['cache format changed'];
  const { head, tail } = definitionReasons(before, now, missing);
  return withInputs(head, inputReasons(before.inputs, now.inputs), tail);
}

/** `explain`'s reasons in its order, `inputs` between those of the definition; "cache key changed" when there are none. */
export function withInputs(head: readonly string[], inputs: readonly string[], tail: readonly string[]): string[] {
  const reasons = [...head, ...inputs, ...tail];
  return reasons.length > 0 ? reasons : ['cache key changed'];
}

/** What changed in the inputs (new, no longer read, changed); a path holding a newline is quoted, as reasons are shown one a line. */
export function inputReasons(before: KeyRecord['inputs'], now: KeyRecord['inputs']): string[] {
  const reasons: string[] = [];
  diffPairs(before, now, (path, a, b) => {
    const p = shownName(path);
    reasons.push(a === undefined ? `new input ${p}` : b === undefined ? `input ${p} no longer read` : `input ${p} changed (${idChange(a, b)})`);
  });
  return reasons;
}

/**
 * What changed in everything but the inputs (records of the same version):
 * the reasons shown before the inputs' (environment … variables) and after
 * them (local files … source).
 */
export function definitionReasons(before: KeyRecord, now: KeyRecord, missing: MissingFile = () => false): { head: string[]; tail: string[] } {
  const head: string[] = [];
  if (before.env !== now.env) head.push(`environment changed (${envLabel(before.env)} → ${envLabel(now.env)})`);
  if (before.command !== now.command) head.push('command text changed');
  if (before.cwd !== now.cwd) head.push(`working directory changed (${before.cwd ?? 'default'} → ${now.cwd ?? 'default'})`);
  if (before.workdir !== now.workdir) head.push(`container working directory changed (${before.workdir ?? 'none'} → ${now.workdir ?? 'none'})`);
  if (canonicalJson(before.prelude) !== canonicalJson(now.prelude)) head.push('export/set lines changed');
  diffPairs(before.variables, now.variables, (name, a, b) =>
    head.push(a === undefined ? `variable ${name} added` : b === undefined ? `variable ${name} removed` : `variable ${name} changed (${a} → ${b})`));
  const tail: string[] = [];
  diffPairs(before.files, now.files, (path, a, b) => {
    const what = `local ${a?.startsWith('tree:') === true || b?.startsWith('tree:') === true ? 'directory' : 'file'} ${path}`;
    tail.push(a === undefined ? `${what} now used` : b === undefined ? `${what} ${missing(path) ? 'does not exist' : 'no longer used'}` : `${what} changed (${short(a)} → ${short(b)})`);
  });
  tail.push(...toolChanges(before.tools ?? [], now.tools ?? []));
  diffPairs(before.deps ?? [], now.deps ?? [], (path, a, b) =>
    tail.push(a === undefined ? `dependency ${path} now used` : b === undefined ? `dependency ${path} no longer used` : `dependency ${path} changed (${short(a)} → ${short(b)})`));
  if (canonicalJson(before.outputs) !== canonicalJson(now.outputs)) tail.push('outputs changed');
  if (before.network !== now.network) tail.push(networkChange(before.network, now.network));
  if (canonicalJson(before.pin ?? null) !== canonicalJson(now.pin ?? null)) tail.push(describePinChange(before.pin, now.pin));
  return { head, tail };
}

function networkChange(before: KeyRecord['network'], now: KeyRecord['network']): string {
  if (before !== 'host' && now !== 'host') return `network ${now ? 'enabled' : 'disabled'}`;
  const name = (n: KeyRecord['network']): string => (n === 'host' ? 'host' : n ? 'bridge' : 'none');
  return `network changed (${name(before)} → ${name(now)})`;
}

/** Image ids are long hashes: shortened; `host:linux/x64` and `import` are shown whole. */
function envLabel(id: string): string {
  return /^docker:sha256:/.test(id) ? short(id) : id;
}

/**
 * The pin fields that identify a source's content, in the order a change is named by: a Zenodo
 * concept id's new `version` first, the cause of its files' new checksums.
 */
const PIN_IDS = ['version', 'commit', 'sha256', 'md5', 'tree', 'record'];
/** What a server says of a URL without sending it (`--refresh`'s HEAD), as HTTP names it. */
const SERVER_SAYS: Readonly<Record<string, string>> = { etag: 'ETag', modified: 'Last-Modified', size: 'size' };

/**
 * The first pin field that changed, old → new: an id both pins have (a
 * local directory's `tree`, a file's `sha256`), else what the server said
 * of it, else any field (`path`, one that only one of them has). A pin with
 * none of these is a source still to be fetched to be pinned: its old ids
 * are not "changed to none". Nor are they when `--refresh` asked a server
 * that sends no ETag or Last-Modified, only a size, the same: nothing is
 * known to have changed, only a download can tell (`silent`: the HEAD did
 * not send a size either); nor when it refused the HEAD that asks
 * (`refused`, the status it answered).
 */
function describePinChange(a: KeyRecord['pin'], b: KeyRecord['pin']): string {
  const differs = (f: string): boolean => a?.[f] !== undefined && b?.[f] !== undefined && a[f] !== b[f];
  const both = PIN_IDS.find(differs);
  if (both !== undefined) return `source ${both} changed (${pinValue(both, a?.[both])} → ${pinValue(both, b?.[both])})`;
  const said = Object.keys(SERVER_SAYS).find(differs);
  if (said !== undefined) return `source changed on the server (${SERVER_SAYS[said]} ${a?.[said]} → ${b?.[said]})`;
  const identified = (p: KeyRecord['pin']): boolean => [...PIN_IDS, ...Object.keys(SERVER_SAYS)].some((f) => p?.[f] !== undefined);
  if (b?.source === 'url' && b.refused !== undefined) return `source cannot be compared without downloading (the server refused HEAD: HTTP ${b.refused})`;
  if (b?.source === 'url' && (b.size !== undefined || b.silent !== undefined) && identified(a) && !PIN_IDS.some((f) => b[f] !== undefined) && b.etag === undefined && b.modified === undefined) {
    return 'source cannot be compared without downloading (the server sends no ETag or Last-Modified)';
  }
  if (b !== undefined && identified(a) && !identified(b)) return 'source not pinned in the lock file';
  // The clause's own pin (a commit, a checksum column) and nothing the fetch adds (a tree): the lock's
  // entry was not used, gone or naming another pin (edited by hand), not a source that changed to none.
  const own = PIN_IDS.find((f) => b?.[f] !== undefined);
  if (own !== undefined && PIN_IDS.every((f) => b?.[f] === undefined || b[f] === a?.[f]) && PIN_IDS.some((f) => a?.[f] !== undefined && b?.[f] === undefined)) {
    return `source not pinned in the lock file (its entry is missing, or does not match the clause's ${own} ${pinValue(own, b?.[own])})`;
  }
  const field = ['path', ...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})].sort())].find((f) => a?.[f] !== b?.[f]);
  return field === undefined ? 'source changed' : `source ${field} changed (${pinValue(field, a?.[field])} → ${pinValue(field, b?.[field])})`;
}

/**
 * A path whole; an id (a commit, a checksum, a tree) shortened as every
 * other id is, so a file's `sha256` reads as the same id its reader's input
 * names; anything else (a record number) whole.
 */
function pinValue(field: string, v: string | number | undefined): string {
  if (v === undefined) return 'none';
  const text = String(v);
  return field === 'path' ? shownName(text) : /^(tree:)?[0-9a-f]{16,}$/.test(text) ? short(text) : shownUrls(text);
}

function diffPairs(
  a: readonly (readonly [string, string])[],
  b: readonly (readonly [string, string])[],
  report: (name: string, before: string | undefined, now: string | undefined) => void,
): void {
  const left = new Map(a);
  const right = new Map(b);
  for (const [name, value] of right) {
    const old = left.get(name);
    if (old !== value) report(name, old, value);
  }
  for (const [name, value] of left) if (!right.has(name)) report(name, value, undefined);
}
