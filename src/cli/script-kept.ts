import { dirname, resolve } from 'node:path';
import type { Pipeline } from '../pipeline/pipeline.js';
import { isKept } from '../plan/job-counts.js';
import { isRecalled } from '../plan/planner.js';
import { isPrecious, type Selection } from '../plan/selection.js';
import { storeSpec } from './find-store.js';
import { storeMade } from '../store/open-store.js';
import { ExitError } from './load-or-report.js';
import { withPlan, type PlanLimits, type PlanningFlags } from './planned.js';

/**
 * The steps of `plan --script` of which `plan` says a job is kept
 * (`{precious}`): the script recomputes them with the current command and
 * inputs, so what it makes can differ from what run published. Planned only
 * when the script covers a `{precious}` block and there is a store (none is
 * made for a script). `unknown` when the plan cannot be made as the options
 * stand (an input not bound, a secret not set): the script needs neither, so
 * that is no error of the script's.
 */
export async function keptSteps(
  file: string, targets: readonly string[], flags: PlanningFlags, limits: PlanLimits, pipeline: Pipeline, selection: Selection,
): Promise<ReadonlySet<string> | 'unknown'> {
  const kept = new Set<string>();
  if (!pipeline.steps.some((s) => selection.steps.has(s.id) && isPrecious(s))) return kept;
  if (!storeMade(storeSpec(flags.store), dirname(resolve(file)))) return kept;
  try {
    return await withPlan(file, targets, flags, limits, () => undefined, (plan) => {
      for (const j of plan.parts ?? plan.jobs) {
        // A step its memo decided keeps nothing from earlier keys (step-memo.ts).
        if (!isRecalled(j) && isKept(j)) kept.add(j.step);
      }
      return kept;
    });
  } catch (e) {
    if (e instanceof ExitError) return 'unknown';
    throw e;
  }
}
