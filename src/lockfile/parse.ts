import { error, type Diagnostic } from '../diagnostics.js';
import { lineCol, pathKey, scanJson } from './json-scan.js';
import type { LockFile } from './types.js';

export type ParsedLock = { readonly ok: true; readonly lock: LockFile } | { readonly ok: false; readonly diagnostic: Diagnostic };

const HINT = 'fix it, or delete the file to resolve every pin again';

/**
 * Strict: a syntax error or a value of the wrong shape is an error at its
 * line and column. A lock file that is silently reset would re-resolve
 * moving references, which is exactly what it exists to prevent.
 */
export function parseLock(file: string, given: string): ParsedLock {
  // A byte order mark an editor saved is no JSON, and no column: read past, as a document's is.
  const text = given.startsWith('\ufeff') ? given.slice(1) : given;
  const scanned = scanJson(text);
  if (!scanned.ok) return { ok: false, diagnostic: error(file, lineCol(text, scanned.offset), `invalid JSON: ${scanned.message}; ${HINT}`) };
  const problem = (path: (string | number)[], message: string, at: 'key' | 'value' = 'value'): ParsedLock => {
    const offset = (at === 'key' ? scanned.at.keys : scanned.at.values).get(pathKey(path)) ?? 0;
    return { ok: false, diagnostic: error(file, lineCol(text, offset), `${message}; ${HINT}`) };
  };
  const data: unknown = JSON.parse(text);
  if (!isObject(data)) return problem([], 'a lock file must be an object with version, environments and imports');
  for (const key of Object.keys(data)) {
    if (!['version', 'environments', 'imports'].includes(key)) return problem([key], `unknown key \`${key}\` (expected version, environments, imports)`, 'key');
  }
  if (data['version'] !== 1) {
    return data['version'] === undefined
      ? problem([], 'missing `"version": 1`')
      : problem(['version'], `unsupported lock file version ${JSON.stringify(data['version'])}: this shark reads version 1`);
  }
  const environments = data['environments'] ?? {};
  if (!isObject(environments)) return problem(['environments'], '`environments` must be an object: environment name → its locked image');
  const envs: LockFile['environments'] = {};
  for (const [name, entry] of Object.entries(environments)) {
    const checked = environmentEntry(entry, ['environments', name]);
    if ('message' in checked) return problem(checked.path, `environment \`${name}\`: ${checked.message}`, checked.at);
    envs[name] = checked;
  }
  const imports = data['imports'] ?? {};
  if (!isObject(imports)) return problem(['imports'], '`imports` must be an object: import clause → its pin');
  for (const [clause, pin] of Object.entries(imports)) {
    if (!isObject(pin)) return problem(['imports', clause], `import \`${clause}\`: a pin must be an object of strings and numbers`);
    for (const [field, v] of Object.entries(pin)) {
      if (typeof v !== 'string' && typeof v !== 'number') return problem(['imports', clause, field], `import \`${clause}\`: pin field \`${field}\` must be a string or a number`);
      const wrong = pinFieldProblem(field, v);
      if (wrong !== undefined) return problem(['imports', clause, field], `import \`${clause}\`: pin field \`${field}\` must be ${wrong}, not ${JSON.stringify(v)}`);
    }
  }
  return {
    ok: true,
    lock: {
      version: 1,
      environments: envs,
      imports: imports as LockFile['imports'],
    },
  };
}

/** Hex digits of each checksum a pin holds (`md5`, or `md5/FILE` for a file of a Zenodo record). */
const HEX_LENGTH: Readonly<Record<string, number>> = { md5: 32, sha256: 64 };

/**
 * What a typed pin field must look like, when it does not. Checked here, at
 * its line: a checksum edited to `zz` was otherwise read as a pin, and its
 * source reported as changed upstream (`source sha256 changed`) or its
 * download as a checksum mismatch.
 */
function pinFieldProblem(field: string, v: string | number): string | undefined {
  const hexDigits = HEX_LENGTH[field.split('/')[0]!];
  if (hexDigits !== undefined) return typeof v === 'string' && new RegExp(`^[0-9a-f]{${hexDigits}}$`).test(v) ? undefined : `${hexDigits} hex digits`;
  // A git commit: SHA-1, or SHA-256 in a repository that uses it.
  if (field === 'commit') return typeof v === 'string' && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(v) ? undefined : 'a commit id (40 or 64 hex digits)';
  // A content id (store/content-id.ts): a source's root may be a directory, a file or a link.
  if (field === 'tree') return typeof v === 'string' && /^((tree|sha256x?):[0-9a-f]{64}|link:.*)$/s.test(v) ? undefined : 'a content id (tree:, sha256: or sha256x: and 64 hex digits)';
  if (field === 'size' || field === 'files') return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : 'a count (a whole number, 0 or more)';
  return undefined;
}

type Problem = { path: (string | number)[]; message: string; at: 'key' | 'value' };

function environmentEntry(entry: unknown, path: string[]): LockFile['environments'][string] | Problem {
  if (!isObject(entry)) return { path, message: 'must be an object with bases, image and inputs', at: 'value' };
  for (const key of Object.keys(entry)) {
    if (!['bases', 'image', 'inputs'].includes(key)) return { path: [...path, key], message: `unknown key \`${key}\` (expected bases, image, inputs)`, at: 'key' };
  }
  if (typeof entry['image'] !== 'string') {
    return entry['image'] === undefined ? { path, message: 'missing `image`', at: 'value' } : { path: [...path, 'image'], message: '`image` must be a string (an image id)', at: 'value' };
  }
  if (entry['inputs'] !== undefined && typeof entry['inputs'] !== 'string') return { path: [...path, 'inputs'], message: '`inputs` must be a string (a hash)', at: 'value' };
  const bases = entry['bases'] ?? {};
  if (!isObject(bases)) return { path: [...path, 'bases'], message: '`bases` must be an object: base image reference → its id', at: 'value' };
  for (const [ref, id] of Object.entries(bases)) {
    if (typeof id !== 'string') return { path: [...path, 'bases', ref], message: `base \`${ref}\` must map to a string (an image id)`, at: 'value' };
  }
  const image = entry['image'];
  const inputs = entry['inputs'];
  return inputs === undefined
    ? { bases: bases as Record<string, string>, image }
    : { bases: bases as Record<string, string>, image, inputs: inputs as string };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
