import { sha256 } from '../store/hash.js';

/**
 * What a job's result depends on, as a labeled record. It is hashed into the
 * cache key and stored unhashed beside the result, so `plan` can say which
 * component changed. Nothing positional (block ids, headings, line numbers)
 * is in it: moving or renaming prose invalidates nothing.
 */
export interface KeyRecord {
  readonly v: 1;
  readonly kind: 'run' | 'import';
  /** `host:linux/x64`, or `docker:sha256:…` (the image's content id). */
  readonly env: string;
  readonly command: string;
  readonly cwd: string | null;
  /** `export`/`set` lines in force, as written. */
  readonly prelude: readonly string[];
  /** Frontmatter variables and `-e` values, sorted by name. */
  readonly variables: readonly (readonly [string, string])[];
  /** Each input path (a map job's own item path) with its snapshot id, sorted by path. */
  readonly inputs: readonly (readonly [string, string])[];
  /** Local files the command names outside /data, with their content hashes. */
  readonly files: readonly (readonly [string, string])[];
  readonly outputs: readonly string[];
  readonly network: boolean;
  /** Imports: the pinned source. */
  readonly pin?: Readonly<Record<string, string | number>>;
}

export function keyOf(record: KeyRecord): string {
  return sha256(JSON.stringify(record));
}

export function short(id: string): string {
  const hex = id.slice(id.indexOf(':') + 1);
  return `${hex.slice(0, 8)}…`;
}

/** Why `now` differs from `before`, naming each changed component, old → new. */
export function explain(before: KeyRecord, now: KeyRecord): string[] {
  const reasons: string[] = [];
  if (before.v !== now.v) return ['cache format changed'];
  if (before.env !== now.env) reasons.push(`environment changed (${short(before.env)} → ${short(now.env)})`);
  if (before.command !== now.command) reasons.push('command text changed');
  if (before.cwd !== now.cwd) reasons.push(`working directory changed (${before.cwd ?? 'default'} → ${now.cwd ?? 'default'})`);
  if (JSON.stringify(before.prelude) !== JSON.stringify(now.prelude)) reasons.push('export/set lines changed');
  diffPairs(before.variables, now.variables, (name, a, b) =>
    reasons.push(a === undefined ? `variable ${name} added` : b === undefined ? `variable ${name} removed` : `variable ${name} changed (${a} → ${b})`));
  diffPairs(before.inputs, now.inputs, (path, a, b) =>
    reasons.push(a === undefined ? `new input ${path}` : b === undefined ? `input ${path} no longer read` : `input ${path} changed (${short(a)} → ${short(b)})`));
  diffPairs(before.files, now.files, (path, a, b) =>
    reasons.push(a === undefined ? `local file ${path} now used` : b === undefined ? `local file ${path} no longer used` : `local file ${path} changed (${short(a)} → ${short(b)})`));
  if (JSON.stringify(before.outputs) !== JSON.stringify(now.outputs)) reasons.push('outputs changed');
  if (before.network !== now.network) reasons.push(`network ${now.network ? 'enabled' : 'disabled'}`);
  if (JSON.stringify(before.pin ?? null) !== JSON.stringify(now.pin ?? null)) reasons.push(describePinChange(before.pin, now.pin));
  return reasons.length > 0 ? reasons : ['cache key changed'];
}

function describePinChange(a: KeyRecord['pin'], b: KeyRecord['pin']): string {
  for (const field of ['commit', 'sha256', 'md5', 'record', 'etag']) {
    const x = a?.[field];
    const y = b?.[field];
    if (x !== y && x !== undefined && y !== undefined) return `source ${field} changed (${String(x).slice(0, 10)} → ${String(y).slice(0, 10)})`;
  }
  return 'source changed';
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
