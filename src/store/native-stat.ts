import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A column of `lstatAt`'s answer: times in nanoseconds (BigInt64Array) or as `Stats.mtimeMs` has them (Float64Array); null when not wanted. */
export type StatColumn = BigInt64Array | Float64Array | null;

/**
 * The `lstat` of each name in `dir` (a name may be a path below it) into
 * typed arrays: `kind` as `stat-ahead.ts`'s KIND (0 where it could not be
 * stat'ed: the caller looks again itself), and the columns mode, size,
 * inode, mtime and ctime. Throws when `dir` cannot be opened.
 */
export type LstatAt = (dir: string, names: readonly string[], kind: Uint8Array, columns: StatColumns) => void;

/** The columns asked of `lstatAt`: mode, size, inode, mtime and ctime. */
export type StatColumns = readonly [mode: StatColumn, size: StatColumn, ino: StatColumn, mtime: StatColumn, ctime: StatColumn];

/**
 * Shark's native stat module (native/stat.c, built by `npm ci`:
 * scripts/build-native.js), or undefined where it was not built or
 * SHARK_NATIVE_STAT=off: the callers then stat through Node, each `lstat`
 * ~1.8 µs slower (a million-item plan stats two million files). Found above
 * this module, compiled (dist/src/store/) or not (src/store/), or in a
 * bundle (whose module URL is this module's compiled file's).
 */
export const lstatAt: LstatAt | undefined = (() => {
  if (process.env['SHARK_NATIVE_STAT'] === 'off') return undefined;
  for (const rel of ['../../../build/Release/shark_stat.node', '../../build/Release/shark_stat.node']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(file)) continue;
    try {
      return (createRequire(import.meta.url)(file) as { lstatAt: LstatAt }).lstatAt;
    } catch {
      return undefined;
    }
  }
  return undefined;
})();
