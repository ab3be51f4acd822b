import type { Position } from '../diagnostics.js';
import type { Step } from '../pipeline/pipeline.js';
import { itemLabel, withExtension, type Job } from './jobs.js';

/** Two jobs of one map that cannot both be: the problem, and where the document says what makes them meet. */
export interface JobClash {
  readonly message: string;
  readonly at: Position;
}

/**
 * Two jobs of a map that meet before any of them runs: their `+` outputs get
 * one name (`plusClash`), or their ids read the same (`idClash`).
 */
export function jobClash(step: Step, jobs: readonly Job[]): JobClash | undefined {
  return plusClash(step, jobs) ?? idClash(step, jobs);
}

/**
 * Two jobs of a map whose `+` outputs get one name: items `a.csv` and `a.txt`
 * with `+.out`, or combinations whose names joined with `_` meet. One wildcard
 * and a `+` that keeps the item's name cannot clash: the items' names differ.
 */
function plusClash(step: Step, jobs: readonly Job[]): JobClash | undefined {
  const perItem = step.outputs.filter((o) => o.perItem);
  if (perItem.length === 0 || (perItem.every((o) => o.ext === undefined) && patterns(step) < 2)) return undefined;
  for (const o of perItem) {
    const seen = new Map<string, Job>();
    for (const job of jobs) {
      const name = withExtension(job.plusName!, o.ext);
      const other = seen.get(name);
      if (other !== undefined) return { message: `two jobs write ${o.path}/${name}: items ${itemLabel(other.items)} and ${itemLabel(job.items)}`, at: o.at };
      seen.set(name, job);
    }
  }
  return undefined;
}

/**
 * Two jobs whose ids read the same: an id shows a tab in an item's name as
 * `\t`, so an item named with a backslash and a `t` meets it; and the items of
 * several wildcards are joined with `,`, which a name may hold. Runs record a
 * job by its id (one row would replace the other), and targets name jobs by
 * it: the step fails as when two jobs write one file, before either runs. Looked for only where a name
 * holds a backslash, or a comma beside another wildcard: ids are not made for nothing.
 */
function idClash(step: Step, jobs: readonly Job[]): JobClash | undefined {
  const several = patterns(step) > 1;
  const odd = (name: string): boolean => name.includes('\\') || (several && name.includes(','));
  if (jobs.length < 2 || !jobs.some((j) => j.items.some((i) => odd(i.name)))) return undefined;
  const seen = new Map<string, Job>();
  for (const job of jobs) {
    const other = seen.get(job.id);
    if (other !== undefined) {
      // Written as JSON strings: the labels would read the same too.
      const names = (j: Job): string => j.items.map((i) => JSON.stringify(i.name)).join(', ');
      return { message: `two jobs of ${step.id} would both be named ${job.id}: items ${names(other)} and ${names(job)}; rename one of them`, at: step.at };
    }
    seen.set(job.id, job);
  }
  return undefined;
}

function patterns(step: Step): number {
  return step.inputs.filter((i) => i.pattern !== undefined).length;
}
