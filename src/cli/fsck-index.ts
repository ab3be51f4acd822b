import { indexDisagreements, type IndexDisagreement } from '../store/index-check.js';
import type { Metadata } from '../store/metadata.js';
import { short } from '../plan/key.js';
import { shownName } from '../printable.js';

/** A row of the index of outputs that says other than its result: `id` is the result's cache key. */
export interface IndexProblem {
  readonly id: string;
  readonly problem: 'index';
  readonly detail: string;
}

/** What `fsck` found of the index: the rows, and each as a problem naming its job. */
export interface IndexCheck {
  readonly found: readonly IndexDisagreement[];
  readonly problems: readonly IndexProblem[];
}

/**
 * The rows of the index of outputs (what `plan` and `run` find a cached
 * job's outputs through) that disagree with the results they index, each
 * named by the job a run last made or reused the result for.
 */
export function indexProblems(meta: Metadata): IndexCheck {
  const found = indexDisagreements(meta.db);
  const jobOf = meta.db.prepare<[string], string>('SELECT job FROM run_jobs WHERE key = ? ORDER BY run_id DESC LIMIT 1').pluck();
  const id = (v: string | null): string => (v === null ? 'nothing' : short(v));
  const problems = found.map((d): IndexProblem => {
    const job = jobOf.get(d.key);
    const whose = `${job === undefined ? `the result ${short(d.key)}` : `job ${job}`}${d.run === null ? '' : ` (run ${d.run}'s version)`}`;
    return {
      id: d.key, problem: 'index',
      detail: `${whose}: the index of outputs gives ${shownName(d.path)} as ${id(d.indexed)}, its result records ${id(d.stored)} ` +
        '(a row of shark.sqlite edited or damaged: `run` would reuse what the index gives)',
    };
  });
  return { found, problems };
}
