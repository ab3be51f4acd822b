import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Shark's native module (native/*.c, built by `npm ci`:
 * scripts/build-native.js), or undefined where it was not built or
 * SHARK_NATIVE=off: each of its callers then does without
 * (store/native-stat.ts, exec/output-pipe.ts).
 * Found above this module, compiled (dist/src/) or not (src/), or in a
 * bundle (whose module URL is this module's compiled file's). A module built
 * from older sources may lack a function: callers check.
 */
export const nativeModule: Readonly<Record<string, unknown>> | undefined = (() => {
  if (process.env['SHARK_NATIVE'] === 'off') return undefined;
  for (const rel of ['../../build/Release/shark_stat.node', '../build/Release/shark_stat.node']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(file)) continue;
    try {
      return createRequire(import.meta.url)(file) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return undefined;
})();
