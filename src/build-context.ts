import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { minimatch } from 'minimatch';

/**
 * Which paths of the pipeline's directory (the build context) a COPY/ADD
 * source names, as Docker reads them. Shared by the build's hashing
 * (`exec/docker/build-inputs.ts`) and by plan and run, which refuse a source
 * that names nothing at its line before a build is tried.
 */

/**
 * Never part of a context, even for `COPY . /app`: the store and published
 * results beside the pipeline (which change on every run), version control,
 * and lock files (written after each build: including them would make every
 * build invalidate itself).
 */
export function ignoredAtRoot(name: string): boolean {
  return name === '.shark' || name === '_shark' || name === '.git' || name === '.dockerignore' || name.endsWith('.lock.json');
}

/** Docker reads COPY sources relative to the context root, whether written `a`, `./a` or `/a`. */
export function contextRelative(source: string): string | undefined {
  const normal = posix.normalize(source.replace(/^\/+/, ''));
  if (normal === '..' || normal.startsWith('../')) return undefined;
  return normal.replace(/\/+$/, '') || '.';
}

export function isPattern(rel: string): boolean {
  return /[*?[]/.test(rel);
}

/**
 * Whether a source (relative to the context, `contextRelative`) names
 * nothing there: no such path (a link leading nowhere included), or a
 * pattern matching none. Docker fails the build on it.
 */
export function namesNothing(contextDir: string, rel: string): boolean {
  return isPattern(rel) ? globContext(contextDir, rel).length === 0 : !existsSync(join(contextDir, rel));
}

/**
 * The paths below `contextDir` a pattern matches, sorted; `shell` reads it as
 * sh does (a wildcard does not match a leading dot), else as Docker does.
 */
export function globContext(contextDir: string, pattern: string, shell = false): string[] {
  // Walk only below the part of the pattern without wildcards.
  const parts = pattern.split('/');
  const fixed = parts.slice(0, parts.findIndex((p) => isPattern(p)));
  const depth = parts.length - fixed.length;
  const start = fixed.join('/') || '.';
  const out: string[] = [];
  const walk = (rel: string, level: number): void => {
    let names: string[];
    try {
      names = readdirSync(join(contextDir, rel));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (rel === '.' && ignoredAtRoot(name)) continue;
      const child = rel === '.' ? name : `${rel}/${name}`;
      if (level === depth) {
        if (minimatch(child, pattern, { dot: !shell })) out.push(child);
      } else if (isDir(join(contextDir, child))) walk(child, level + 1);
    }
  };
  walk(start, 1);
  return out;
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
