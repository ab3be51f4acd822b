import { nativeModule } from '../native-module.js';

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
 * SHARK_NATIVE_STAT=off (or SHARK_NATIVE=off): the callers then stat through Node, each `lstat`
 * ~1.8 µs slower (a million-item plan stats two million files).
 */
export const lstatAt: LstatAt | undefined =
  process.env['SHARK_NATIVE_STAT'] === 'off' || typeof nativeModule?.['lstatAt'] !== 'function' ? undefined : nativeModule['lstatAt'] as LstatAt;
