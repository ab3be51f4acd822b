import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where a command given only files (not a pipeline) finds the store, or every place it looked. */
export type StoreLocation = { ok: true; spec: string; how: string } | { ok: false; looked: string[] };

/**
 * `--store`, then `$SHARK_STORE`, then the first `.shark/` holding a store
 * database in the current directory or a directory above it, then in the
 * directory of each file or above (a file in `_shark/` sits beside its
 * pipeline's `.shark/`). Nothing is created: a command that only reads must
 * not leave an empty store behind.
 */
export function locateStore(flag: string | undefined, files: readonly string[], env = process.env['SHARK_STORE']): StoreLocation {
  if (flag !== undefined) return { ok: true, spec: flag, how: '--store' };
  if (env !== undefined && env !== '') return { ok: true, spec: env, how: '$SHARK_STORE' };
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
