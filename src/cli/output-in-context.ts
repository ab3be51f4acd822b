import { basename, dirname, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { contextRelative, ignoredAtRoot, isPattern } from '../build-context.js';
import { dockerIgnore } from '../exec/docker/docker-ignore.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/** An environment whose COPY/ADD would take a file Shark is about to write beside the document. */
export interface TakenBy {
  readonly env: string;
  /** `COPY . at p.md:4`: the instruction and where it is. */
  readonly source: string;
  /** The path relative to the context's root: the line `.dockerignore` needs. */
  readonly rel: string;
}

/**
 * Which environment a step of the run uses would copy `path` (a file `run -o`
 * writes) into its image, if any: writing it then changes that
 * environment's inputs, so the next run rebuilds it and re-runs its steps.
 * `.dockerignore`, the names never in a context and OBuilder's `exclude`
 * leave it out, as the build does.
 */
export function contextTaking(pipeline: Pipeline, pipelinePath: string, path: string): TakenBy | undefined {
  const pipelineDir = dirname(resolve(pipelinePath));
  const rel = relative(pipelineDir, resolve(path)).split(sep).join('/');
  if (rel === '' || rel === '..' || rel.startsWith('../') || rel.startsWith('/')) return undefined;
  if (ignoredAtRoot(rel.split('/')[0]!) || dockerIgnore(pipelineDir)?.(rel) === true) return undefined;
  const used = new Set(pipeline.steps.map((s) => (s.kind === 'run' ? s.env : undefined)));
  for (const env of pipeline.environments.values()) {
    if (!used.has(env.name)) continue;
    for (const source of env.spec.contextFiles) {
      const from = contextRelative(source);
      if (from === undefined || !takes(from, rel) || excludedBelow(env.spec.exclude?.[source], from, rel)) continue;
      const where = env.spec.sources?.find((s) => s.path === source);
      return { env: env.name, rel, source: where === undefined ? source : `${where.by} ${source} at ${basename(pipelinePath)}:${where.at.line}` };
    }
  }
  return undefined;
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
