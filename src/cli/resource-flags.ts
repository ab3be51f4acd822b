import { Option } from 'commander';
import { totalmem } from 'node:os';
import { formatReport, type Diagnostic } from '../diagnostics.js';
import { valueProblem, type GivenPlaces } from '../pipeline/given-frontmatter.js';
import { checkResources, poolSizes, type Limits } from '../exec/resources.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { RUN_MEMORY, runMemory } from '../pipeline/resources.js';
import { isPositiveCount } from '../counted.js';
import { EXIT_INVALID, ExitError, sourceOf } from './load-or-report.js';
import { collect } from './common-options.js';

export interface ResourceFlags {
  /** `--memory 64G`. */
  memory?: string;
  /** `--pool NAME=N`, repeatable. */
  pool?: string[];
}


/** `--memory`: the run's memory budget beside `-j`. */
export function memoryOption(): Option {
  return new Option('--memory <size>', 'most memory the {memory} of running jobs may add up to, in binary units: 64G, 512M (default: the machine\'s memory)');
}

/** `--pool NAME=N`, repeatable. */
export function poolOption(): Option {
  return new Option('--pool <name=n>', 'run at most N jobs of the pool at once; overrides the frontmatter\'s pools: (repeatable)').argParser(collect);
}

/** The flags' values, checked before anything is opened: a malformed one is a usage error (exit 2). */
export function parseResourceFlags(flags: ResourceFlags, stderr: (s: string) => void): { memory: number; pools: Map<string, number> } {
  const fail = (message: string): never => {
    stderr(`shark: error: ${message}\n`);
    throw new ExitError(EXIT_INVALID);
  };
  let memory = totalmem();
  if (flags.memory !== undefined) {
    const bytes = runMemory(flags.memory);
    if (bytes === undefined) fail(`--memory expects ${RUN_MEMORY}, not \`${flags.memory}\``);
    memory = bytes!;
  }
  const pools = new Map<string, number>();
  for (const p of flags.pool ?? []) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(\d+)$/.exec(p);
    if (m === null || !isPositiveCount(Number(m[2]))) fail(`--pool expects NAME=N (N jobs of the pool at once, at least 1), not \`${p}\``);
    pools.set(m![1]!, Number(m![2]));
  }
  return { memory, pools };
}

/**
 * The run's limits once the document is loaded: its pools with the command
 * line's on top. Prints every located diagnostic; exits 2 when a pool is
 * undeclared or a block needs more memory than the run may use, or when
 * `--pool` sizes a pool no block uses (a misspelt name would limit nothing).
 */
export function limitsOrReport(
  pipeline: Pipeline, jobs: number, parsed: { memory: number; pools: Map<string, number> }, places: GivenPlaces | undefined, stderr: (s: string) => void,
  collect?: Diagnostic[],
): Limits {
  const limits: Limits = { jobs, memory: parsed.memory, pools: poolSizes(pipeline, parsed.pools) };
  const found = [...unusedPools(pipeline, parsed.pools, places), ...checkResources(pipeline, limits)];
  if (collect !== undefined) return (collect.push(...found), limits);
  stderr(formatReport(found, (d) => sourceOf(d, pipeline.document.source, places)));
  if (found.some((d) => d.severity === 'error')) throw new ExitError(EXIT_INVALID);
  return limits;
}

/**
 * The limits a run with these flags would have, refused as `run` refuses
 * them (`plan` and `config` too, so that what they accept `run` does). Under
 * Slurm the cluster grants threads and memory: this machine's -j and memory
 * bound nothing.
 */
export function runLimits(
  pipeline: Pipeline, jobs: number, parsed: { memory: number; pools: Map<string, number> }, slurm: boolean, places: GivenPlaces | undefined, stderr: (s: string) => void,
  collect?: Diagnostic[],
): Limits {
  return slurm ? limitsOrReport(pipeline, Number.MAX_SAFE_INTEGER, { memory: Infinity, pools: parsed.pools }, places, stderr, collect)
    : limitsOrReport(pipeline, jobs, parsed, places, stderr, collect);
}

/** `--pool` sizes (or shark.yaml's `pools:`) of pools no block of the document takes from, as `-i` of an input it does not declare. */
export function unusedPools(pipeline: Pipeline, given: ReadonlyMap<string, number>, places: GivenPlaces | undefined): Diagnostic[] {
  const used = new Set(pipeline.steps.flatMap((s) => (s.kind === 'run' && s.resources.pool !== undefined ? [s.resources.pool] : [])));
  const fm = pipeline.document.frontmatter;
  const at = fm?.at ?? { line: 1, col: 1 };
  const known = used.size === 0 ? 'no block takes from a pool' : `the blocks use: ${[...used].sort().join(', ')}`;
  return [...given].filter(([name]) => !used.has(name))
    .map(([name, size]) => valueProblem(pipeline.document.file, at, places, 'pools', name, `--pool ${name}=${size}`, `no block uses the pool \`${name}\` (${known})`));
}
