import { error, warning, type Diagnostic } from '../diagnostics.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import { formatMemory } from '../pipeline/resources.js';
import type { Demand } from './scheduler.js';

/** The run's budget: `-j`, `--memory` (bytes) and the pools' sizes (frontmatter `pools:`, then `--pool`). */
export interface Limits {
  readonly jobs: number;
  readonly memory: number;
  readonly pools: ReadonlyMap<string, number>;
}

/** The frontmatter's pool sizes with the command line's on top. */
export function poolSizes(pipeline: Pipeline, fromCommandLine: ReadonlyMap<string, number>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [name, p] of pipeline.document.frontmatter?.pools ?? []) sizes.set(name, p.size);
  for (const [name, size] of fromCommandLine) sizes.set(name, size);
  return sizes;
}

/**
 * What the run's budget makes of the blocks' declarations, before anything
 * runs: a pool nobody sized and a job that needs more memory than the run
 * may use are errors (it could never start); more threads than `-j` is a
 * warning (the job takes every slot). One diagnostic per place in the
 * document, however many instances or steps the block has.
 */
export function checkResources(pipeline: Pipeline, limits: Limits): Diagnostic[] {
  const file = pipeline.document.file;
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const once = (d: Diagnostic): void => {
    const key = `${d.at.line}:${d.at.col}`;
    if (!seen.has(key)) (seen.add(key), out.push(d));
  };
  for (const step of pipeline.steps) {
    if (step.kind !== 'run') continue;
    const r = step.resources;
    if (r.pool !== undefined && !limits.pools.has(r.pool)) {
      const known = [...limits.pools.keys()];
      once(error(file, r.at.pool ?? step.block.infoAt, `undeclared pool \`${r.pool}\`: give its size in the frontmatter (\`pools: {${r.pool}: 1}\`) or with --pool ${r.pool}=N${known.length > 0 ? ` (declared: ${known.join(', ')})` : ''}`));
    }
    if (r.memory !== undefined && r.memory > limits.memory) {
      once(error(file, r.at.memory ?? step.block.infoAt, `memory=${step.block.options['memory']} is more than this run may use (${formatMemory(limits.memory)}, --memory; the default is the machine's memory): no job of this block could start`));
    }
    if (typeof r.threads === 'number' && r.threads > limits.jobs) {
      once(warning(file, r.at.threads ?? step.block.infoAt, `threads=${r.threads} is more than -j ${limits.jobs}: each job of this block takes ${limits.jobs === 1 ? 'the one slot' : `all ${limits.jobs} slots`} (SHARK_THREADS=${limits.jobs})`));
    }
  }
  return out;
}

const DEFAULT_DEMAND: Demand = { slots: 1, memory: 0, pool: undefined };

/** What a job of `step` takes from the budget: an import or publish takes one slot. */
export function demandOf(step: Step, jobs: number): Demand {
  if (step.kind !== 'run') return DEFAULT_DEMAND;
  const r = step.resources;
  const slots = threadsOf(step, jobs);
  if (slots === 1 && r.memory === undefined && r.pool === undefined) return DEFAULT_DEMAND;
  return { slots, memory: r.memory ?? 0, pool: r.pool };
}

/** The slots a job of `step` takes, which is also its SHARK_THREADS: `{threads}` clamped to `-j`. */
export function threadsOf(step: Step, jobs: number): number {
  if (step.kind !== 'run') return 1;
  const t = step.resources.threads;
  return t === 'all' ? jobs : Math.min(t, jobs);
}
