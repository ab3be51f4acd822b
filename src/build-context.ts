import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { dockerIgnore, type Ignored } from './exec/docker/docker-ignore.js';
import type { Pipeline } from './pipeline/pipeline.js';

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

/**
 * The directories below the pipeline's own that its `shark-publish:DIR`
 * blocks write into (`_shark` is never in a context already), relative to it.
 */
export function publishedDirs(pipeline: Pick<Pipeline, 'steps'>): string[] {
  const dirs = pipeline.steps.flatMap((s) => (s.kind === 'publish' && !posix.isAbsolute(s.dir) ? [posix.normalize(s.dir).replace(/\/+$/, '')] : []));
  return [...new Set(dirs.filter((d) => d !== '.' && d !== '..' && !d.startsWith('../') && !ignoredAtRoot(d)))];
}

/** The published directory `rel` (relative to the context) lies in, if any. */
export function publishedIn(published: readonly string[], rel: string): string | undefined {
  return published.find((d) => rel === d || rel.startsWith(`${d}/`));
}

/**
 * What the pipeline's build context leaves out besides the names never in
 * one: `.dockerignore`'s, and what the document publishes into, as `_shark/`
 * (with `COPY .`, each run's published results rebuilt the environment, and
 * that build changed what the next run published).
 */
export function contextIgnore(contextDir: string, pipeline: Pick<Pipeline, 'steps'>): Ignored | undefined {
  const ignored = dockerIgnore(contextDir);
  const published = publishedDirs(pipeline);
  if (published.length === 0) return ignored;
  const out = (rel: string): boolean => publishedIn(published, rel) !== undefined || ignored?.(rel) === true;
  return Object.assign(out, { reopens: ignored?.reopens ?? false });
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

/** An environment whose COPY/ADD would take a file Shark is about to write beside the document. */
export interface TakenBy {
  readonly env: string;
  /** `COPY . at line 4`: the instruction and where it is in the document. */
  readonly source: string;
  /** The path relative to the context's root: the line `.dockerignore` needs. */
  readonly rel: string;
}

/**
 * The environments steps use whose COPY/ADD take the host path `abs` into
 * their images (the first source each): a change to it rebuilds them and
 * re-runs their steps. `.dockerignore`, the names never in a context and
 * OBuilder's `exclude` leave it out, as the build does.
 */
export function contextsTaking(pipeline: Pick<Pipeline, 'steps' | 'environments'>, pipelineDir: string, abs: string): TakenBy[] {
  const rel = relative(pipelineDir, resolve(abs)).split(sep).join('/');
  if (rel === '' || rel === '..' || rel.startsWith('../') || rel.startsWith('/')) return [];
  if (ignoredAtRoot(rel.split('/')[0]!) || contextIgnore(pipelineDir, pipeline)?.(rel) === true) return [];
  const used = new Set(pipeline.steps.map((s) => (s.kind === 'run' ? s.env : undefined)));
  return [...pipeline.environments.values()].filter((env) => used.has(env.name)).flatMap((env) => {
    const source = env.spec.contextFiles.find((s) => {
      const from = contextRelative(s);
      return from !== undefined && takes(from, rel) && !excludedBelow(env.spec.exclude?.[s], from, rel);
    });
    if (source === undefined) return [];
    const where = env.spec.sources?.find((s) => s.path === source);
    return [{ env: env.name, rel, source: where === undefined ? source : `${where.by} ${source} at line ${where.at.line}` }];
  });
}

/** Whether a COPY source (relative to the context) takes the path: itself, below it, or below what its pattern matches. */
function takes(source: string, rel: string): boolean {
  if (source === '.') return true;
  if (!isPattern(source)) return rel === source || rel.startsWith(`${source}/`);
  const parts = rel.split('/');
  return parts.some((_, i) => minimatch(parts.slice(0, i + 1).join('/'), source, { dot: true }));
}

function excludedBelow(excluded: readonly string[] | undefined, source: string, rel: string): boolean {
  if (excluded === undefined) return false;
  const below = source === '.' ? rel : rel.slice(source.length + 1);
  return below.split('/').some((name) => excluded.includes(name));
}

/**
 * The first symbolic link on the way to `rel` (itself included) that leads
 * out of the context directory, and where: Docker never follows one out of
 * the build context, and Shark refuses the source at its line. Undefined
 * when the path stays inside (or does not exist).
 */
export function linkOut(contextDir: string, rel: string): { readonly link: string; readonly target: string } | undefined {
  let root: string;
  try {
    root = realpathSync(contextDir);
  } catch {
    return undefined;
  }
  const parts = rel === '.' ? [] : rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const link = parts.slice(0, i).join('/');
    const abs = join(contextDir, link);
    if (lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink() !== true) continue;
    const target = leavesContext(root, abs);
    if (target !== undefined) return { link, target };
  }
  return undefined;
}

/**
 * Where a source's links lead when that is outside the pipeline's directory
 * (its real path is not below `root`), else undefined. Docker never follows a
 * link out of the build context; following it here would put a host file such
 * as `~/.ssh/id_rsa` into the image.
 */
export function leavesContext(root: string, abs: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return undefined;
  }
  const rel = relative(root, real);
  return rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel) ? real : undefined;
}
