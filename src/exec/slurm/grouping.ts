/**
 * How a step's jobs become sbatch submissions: what `run --executor slurm`
 * submits and `plan --executor slurm` shows, decided here for both. Pure.
 */

/** Slurm's default MaxArraySize is 1001 (indices 0–1000): a larger map becomes several arrays. */
export const MAX_ARRAY = 1000;

/** One sbatch of a step's jobs gathered together. */
export interface Part {
  readonly jobs: number;
  /** Array tasks (1: a plain job). */
  readonly tasks: number;
  /** Submitted with `--dependency=afterany:` the part before: it starts once that one has ended. */
  readonly afterPrevious: boolean;
}

/**
 * `jobs` jobs of one step gathered together, `itemsPerTask` to a task: one
 * array, or several of at most MAX_ARRAY tasks, each waiting for the one
 * before to end, so that `-j` (each array's throttle) bounds the tasks of
 * the step at once, as it does for one array.
 */
export function partsOf(jobs: number, itemsPerTask: number): Part[] {
  const per = MAX_ARRAY * itemsPerTask;
  const parts: Part[] = [];
  for (let at = 0; at < jobs; at += per) {
    const n = Math.min(per, jobs - at);
    parts.push({ jobs: n, tasks: Math.ceil(n / itemsPerTask), afterPrevious: at > 0 });
  }
  return parts;
}

/** The jobs the fullest task of one submission of `jobs` runs in turn (at most `itemsPerTask`): what its `--time` covers. */
export function fullestTask(jobs: number, itemsPerTask: number): number {
  return Math.min(itemsPerTask, jobs);
}

/**
 * Whether a step's jobs are submitted one sbatch each, as the run admits
 * them: a `{pool}` bounds the jobs of several steps together, which no
 * array's throttle can, so the run holds each job's place in the pool for as
 * long as its Slurm job lives.
 */
export function oneByOne(pool: string | undefined): boolean {
  return pool !== undefined;
}
