import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * `$SHARK_STORE`, when it names something: set but empty counts as unset (as
 * for most Unix variables), so the default applies rather than a store whose
 * files land in the current directory.
 */
export function storeFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env['SHARK_STORE'];
  return value === undefined || value === '' ? undefined : value;
}

/** The store a command was told to use: `--store` (or the config file's `store`), else `$SHARK_STORE`; undefined for the default. */
export const storeSpec = (flag: string | undefined): string | undefined => absoluteStore(flag ?? storeFromEnvironment());

/** The directory of a content-addressed store (`--store DIR`, SHARK_STORE, or `.shark/` beside the document); undefined for ZFS. */
export function directoryStore(pipelineDir: string, flag: string | undefined): string | undefined {
  const spec = storeSpec(flag);
  return spec?.startsWith('zfs:') === true ? undefined : resolve(spec ?? join(pipelineDir, '.shark'));
}

/**
 * A store spelled relative to the current directory, made absolute once where
 * it is read: jobs run in the document's directory, where `S/tmp/ws-…` would
 * name nothing, and messages name the store by its absolute path. A ZFS
 * dataset (`zfs:POOL/DATASET`) is no path; an empty spelling is left for the
 * option checks to refuse.
 */
export function absoluteStore(spec: string | undefined): string | undefined {
  return spec === undefined || spec === '' || spec.startsWith('zfs:') ? spec : resolve(spec);
}

/** Where a command given only files (not a pipeline) finds the store, or every place it looked. */
export type StoreLocation = { ok: true; spec: string; how: string } | { ok: false; looked: string[] };

/**
 * `--store`, then `$SHARK_STORE`, then the first `.shark/` holding a store
 * database in the current directory or a directory above it, then in the
 * directory of each file or above (a file in `_shark/` sits beside its
 * pipeline's `.shark/`). Nothing is created: a command that only reads must
 * not leave an empty store behind.
 */
export function locateStore(flag: string | undefined, files: readonly string[], env = storeFromEnvironment()): StoreLocation {
  if (flag !== undefined) return { ok: true, spec: absoluteStore(flag)!, how: '--store' };
  if (env !== undefined) return { ok: true, spec: absoluteStore(env)!, how: '$SHARK_STORE' };
  const looked: string[] = [];
  for (const start of [process.cwd(), ...files.map((f) => dirname(resolve(f)))]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, '.shark');
      if (!looked.includes(candidate)) {
        looked.push(candidate);
        if (existsSync(join(candidate, 'shark.sqlite'))) return { ok: true, spec: candidate, how: 'found' };
      }
      if (dirname(dir) === dir) break;
    }
  }
  return { ok: false, looked };
}
