import { overlaps } from '../pipeline/data-path.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Metadata } from '../store/metadata.js';
import { failureWords } from './latest-producer.js';
import { summaryFailures, type SummaryFailure } from './runs.js';

interface FailedRow {
  readonly job: string;
  readonly step: string;
  readonly line: number;
  readonly reason: string | null;
  readonly exit_code: number | null;
}

/**
 * Why run `runId` wrote no `path` when the step that writes it never ran: a
 * step it needs (what it reads, or what that reads) failed in the run. A run
 * records its failed jobs, not the steps skipped for them, so the steps
 * upstream are the document's (`after`), and a failure is named only when
 * its step is one of them: `sum, which writes it, needs what fail writes,
 * and job fail (line 10) failed in run 1 (exit, exit status 3)`. Upstream in
 * the document as it is now: a step it no longer needs is not blamed.
 */
export function failedUpstream(meta: Metadata, pipeline: Pipeline, runId: number, path: string, latest = false): string | undefined {
  const failed = meta.db.prepare<[number], FailedRow>("SELECT job, step, line, reason, exit_code FROM run_jobs WHERE run_id = ? AND status = 'failed' ORDER BY line, job").all(runId);
  // A step that failed as a whole (an import's unknown ref, a missing input) has no job row: the run's summary names it.
  const steps = summaryFailures(meta, runId).filter((f) => f.log == null && pipeline.stepsById.has(f.job));
  if (failed.length === 0 && steps.length === 0) return undefined;
  const when = `in run ${runId}${latest ? ', the latest' : ''}`;
  for (const writer of pipeline.steps.filter((s) => s.outputs.some((o) => overlaps(path, o.path.replace(/\/$/, ''))))) {
    const itself = steps.find((f) => f.job === writer.id);
    if (itself !== undefined) return `${writer.id}, which writes it, failed before any of its jobs ran, ${when} (${stepWords(itself)})`;
    const upstream = stepsBefore(pipeline, writer.id);
    const row = failed.find((f) => upstream.has(f.step));
    if (row !== undefined) return `${writer.id}, which writes it, needs what ${row.step} writes, and job ${row.job} (line ${row.line}) failed ${when} (${failureWords(row)})`;
    const step = steps.find((f) => upstream.has(f.job));
    if (step !== undefined) return `${writer.id}, which writes it, needs what ${step.job} writes, and step ${step.job} (${step.where}) failed ${when} (${stepWords(step)})`;
  }
  return undefined;
}

/** `import: unknown ref …`: the reason, and the message `run` printed when the run recorded it. */
function stepWords(f: SummaryFailure): string {
  return f.message === undefined ? f.reason : `${f.reason}: ${f.message}`;
}

/** Every step `id` needs, however far up: the steps it runs after, and theirs. */
function stepsBefore(pipeline: Pipeline, id: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(pipeline.stepsById.get(id)?.after ?? [])];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...(pipeline.stepsById.get(next)?.after ?? []));
  }
  return seen;
}

/**
 * Why the runs after `shown` (the run a lineage was read from without
 * `--run`) made no `path`, when one of them had a step it needs fail: the
 * newest such run, said as a note beside the older result shown
 * (`note: run 3, the latest, did not make /data/total.txt: total, which
 * writes it, needs what double writes, and job double[c.txt] (line 10)
 * failed in run 3 (exit status 1)`). Undefined when none did.
 */
export function newerRunFailedUpstream(meta: Metadata, pipeline: Pipeline, pipelinePath: string, shown: number, path: string): string | undefined {
  const runs = meta.runs(pipelinePath).filter((r) => r.id > shown);
  for (const [at, run] of runs.entries()) {
    const why = failedUpstream(meta, pipeline, run.id, path);
    if (why !== undefined) return `run ${run.id}${at === 0 ? ', the latest,' : ''} did not make ${path}: ${why}; this is run ${shown}'s`;
  }
  return undefined;
}
