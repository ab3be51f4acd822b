import { isUnder } from '../pipeline/data-path.js';
import { isMap, type Pipeline, type Step } from '../pipeline/pipeline.js';
import { printable } from '../printable.js';
import type { Job } from './jobs.js';

/**
 * Some jobs of one map step, named by a target or `--force`: a job id as
 * `plan` prints it (`up[a.txt]`, `area[TAXA=AVES][a.txt]`), or a path inside
 * one of its per-item output directories. What the map's items are is only
 * known once its inputs are, so a pick is matched against the jobs when the
 * step is decided (`decideStep`), and one matching none is said there.
 */
export interface JobPick {
  /** Each name as given, and what it matches: a job id, or a path the job writes (or holds). */
  readonly names: readonly PickedName[];
}

export interface PickedName {
  readonly name: string;
  readonly job?: string;
  readonly path?: string;
  /** Not given: what a picked job downstream reads (`upstreamPick`): one no job matches is no error. */
  readonly derived?: true;
}

/** The map step `name` is a job id of (`STEP[ITEMS]`), when it is one. */
export function jobIdStep(steps: readonly Step[], name: string): Step | undefined {
  if (!name.endsWith(']')) return undefined;
  // The longest step id that prefixes it: `area[TAXA=AVES]` before a bare `area`.
  return steps.filter((s) => isMap(s) && name.startsWith(`${s.id}[`) && name.length > s.id.length + 2).sort((a, b) => b.id.length - a.id.length)[0];
}

/**
 * What is said of `name` shaped as a job of a sweep's map (`BLOCK[…][ITEM]`)
 * that no map step of `steps` has: an instance `-e` leaves out, a value its
 * axis lacks, or the instance left out (`area[a.txt]`); undefined for a
 * name of no other such shape, left to the general message.
 */
export function sweepJobProblem(pipeline: Pipeline, steps: readonly Step[], name: string): string | undefined {
  const open = name.indexOf('[');
  const close = name.indexOf(']', open);
  if (open <= 0 || close < 0 || !name.endsWith(']')) return undefined;
  const base = name.slice(0, open);
  const item = name.slice(close + 1);
  const left = pipeline.leftOut?.find((l) => l.block === name.slice(0, close + 1));
  if (left !== undefined && item.startsWith('[')) return `\`${name}\` is left out by ${left.leftOutBy}`;
  const pairs = name.slice(open + 1, close).split(',').map((p) => p.split('='));
  for (const [axis, value] of pairs) {
    const values = pipeline.document.frontmatter?.axes.get(axis!)?.values.map((v) => v.value);
    if (value !== undefined && values !== undefined && !values.includes(value)) {
      return `\`${name}\`: \`${value}\` is not a value of the axis \`${axis}\` (its values: ${values.join(', ')})`;
    }
  }
  const instances = [...new Set(steps.filter((s) => isMap(s) && s.blockId.startsWith(`${base}[`)).map((s) => s.blockId))];
  if (instances.length === 0 || pairs.some((p) => p.length > 1)) return undefined;
  return `\`${name}\` names no instance of ${base}, a sweep: a job of its map is named with its instance, as \`${instances[0]}${name.slice(open)}\` (instances: ${instances.join(', ')})`;
}

/** Whether `path` is inside one of the step's per-item output directories: only some of its jobs write it. */
export function inItemOutput(step: Step, path: string): boolean {
  return isMap(step) && step.outputs.some((o) => o.perItem && isUnder(path, o.path));
}

/** The names of two picks of one step together. */
export function joinPicks(a: JobPick | undefined, b: JobPick): JobPick {
  return a === undefined ? b : { names: [...a.names, ...b.names] };
}

export function picks(pick: JobPick, job: Job): boolean {
  return pick.names.some((n) => matches(n, job));
}

function matches(n: PickedName, job: Job): boolean {
  // A job's id shows its items' control characters escaped (`up[a\tb]`): the item's name as it is (a tab) names it too.
  if (n.job !== undefined) return job.id === printable(n.job);
  const path = n.path!;
  return job.outputs.some((o) => o.path === path || isUnder(path, o.path) || isUnder(o.path, path));
}

/** The names of the pick that match none of `jobs`. */
export function unpicked(pick: JobPick, jobs: readonly Job[]): PickedName[] {
  return pick.names.filter((n) => n.derived !== true && !jobs.some((job) => matches(n, job)));
}

/**
 * The first name of the pick no job of the step matches, as given (a config
 * file's entry is found by it), and what is said of it (`near`: the closest
 * of some ids, as a typo's hint).
 */
export function unmatchedPick(
  step: Step, pick: JobPick, jobs: readonly Job[], near: (name: string, ids: readonly string[]) => string | undefined,
): { name: string; message: string } | undefined {
  const [missing] = unpicked(pick, jobs);
  if (missing === undefined) return undefined;
  const items = itemList(jobs);
  if (missing.path !== undefined) return { name: missing.name, message: `no job of map ${step.id} writes ${printable(missing.path)} (${items})` };
  const hint = near(missing.job!, jobs.map((j) => j.id));
  return { name: missing.name, message: `map ${step.id} has no job \`${printable(missing.job!)}\` (${hint === undefined ? '' : `did you mean \`${hint}\`? `}${items})` };
}

const SHOWN_ITEMS = 20;

/** A map's items as an error names them: the first few of a large map, with how many there are. */
function itemList(jobs: readonly Job[]): string {
  if (jobs.length === 0) return 'it has no items';
  const shown = jobs.slice(0, SHOWN_ITEMS).map((j) => j.items.map((i) => printable(i.name)).join(','));
  return `its items: ${shown.join(', ')}${jobs.length > SHOWN_ITEMS ? `, … (${jobs.length} in all)` : ''}`;
}
