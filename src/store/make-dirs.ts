import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's `recursive` retries forever, at
 * full CPU, where mkdir fails with ENOENT under a parent that exists (under
 * /proc): here that failure is an error like any other. Returns the first
 * directory it made (the outermost), as `mkdirSync`'s `recursive` does.
 */
export function makeDirs(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  let first: string | undefined;
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
      first ??= d;
    } catch (e) {
      // Another process made it meanwhile.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return first;
}
