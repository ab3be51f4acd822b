import { summaryFailures } from '../lineage/runs.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { shownText } from '../printable.js';
import type { Metadata } from '../store/metadata.js';

/** A step that failed as a whole in a run (its import's source, an input missing, a publish refused): no job row, no log. */
export interface StepFailure {
  readonly job: string;
  readonly where: string;
  readonly message: string | undefined;
}

/**
 * The failures run `runId`'s summary names with no log (a failed build has
 * its own) and no job row: a step that failed before any of its jobs ran (an import
 * whose ref is not in the repository, a publish refused), of the whole run
 * or of the block or step `target` names. `logs` shows them with the
 * message `run` printed, since they have no log file.
 */
export function stepFailures(meta: Metadata, pipeline: Pipeline | undefined, runId: number, target: string | undefined): StepFailure[] {
  return summaryFailures(meta, runId)
    .filter((f) => f.log == null)
    .filter((f) => target === undefined || f.job === target || pipeline?.stepsById.get(f.job)?.blockId === target)
    .filter((f) => meta.runJob(runId, f.job) === undefined)
    .map((f) => ({ job: f.job, where: f.where, message: f.message }));
}

/** `==> t (failed, line 4: no job ran, so no log)` and the message `run` printed under it. */
export function stepFailureText(f: StepFailure): string {
  const line = /:(\d+):\d+$/.exec(f.where)?.[1];
  const said = f.message === undefined ? 'shark: (this run recorded no message for it)' : `shark: ${f.message}`;
  return `==> ${shownText(f.job)} (failed${line === undefined ? '' : `, line ${line}`}: it failed before any job ran, so it has no log)\n${shownText(said)}\n`;
}
