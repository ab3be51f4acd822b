import { isUnder, parentOf } from '../pipeline/data-path.js';
import { withExtension } from '../plan/expanded-job.js';
import type { Metadata, RunRow } from '../store/metadata.js';
import { holding } from './lineage-read.js';

/** The run a path's lineage is read in without `--run`, or why the path is missing. */
export type LatestProducer = { readonly run: number } | { readonly failed: string };

/**
 * The newest of `runs` (newest first) that produced `path`, or that tried
 * and failed to (then why: its failed job, and the newest earlier run
 * that made it, if one did); undefined when none did. A run
 * with targets, of an `-e AXIS=V` subset or that recorded no job did not
 * touch the path, and hides no earlier run that made it, nor does a run
 * whose directory written whole above the path (an import's) did not hold
 * it. Each run is asked through the outputs index (the path, the
 * directories above it, what is below it) and its failed rows, never by
 * reading all its jobs.
 */
export function latestProducer(meta: Metadata, runs: readonly RunRow[], path: string): LatestProducer | undefined {
  const exact = [path];
  for (let dir = parentOf(path); dir.length > '/data'.length; dir = parentOf(dir)) exact.push(dir);
  let failed: string | undefined;
  for (const { id } of runs) {
    if (produced(meta, id, path, exact)) {
      // A failure hides this run's result: it is named, for `--run`.
      return failed === undefined ? { run: id } : { failed: `${failed}; run ${id} made it (ask with --run ${id})` };
    }
    if (failed === undefined) failed = failedProducer(meta, id, path);
  }
  return failed === undefined ? undefined : { failed };
}

/** Whether a job of run `runId` wrote `path` (itself, something below it, or a directory above it that holds it; `exact` is the path and those directories). */
function produced(meta: Metadata, runId: number, path: string, exact: readonly string[]): boolean {
  const written = meta.outputs.writers(runId, exact);
  if (written.has(path) || meta.outputs.anyBelow(runId, [path]).size > 0) return true;
  // The nearest directory above written, as a lineage finds it.
  const above = exact.find((dir) => written.has(dir));
  return above !== undefined && holding(meta, path, written.get(above)!.map((g) => ({ ...g, in: runId }))).length > 0;
}

/** Why `path` is missing when the job that writes it failed in run `runId`: its reason and exit status. */
export function failedProducer(meta: Metadata, runId: number, path: string): string | undefined {
  const rows = meta.db.prepare<[number], FailedRow>("SELECT job, line, item, key, reason, exit_code FROM run_jobs WHERE run_id = ? AND status = 'failed'").all(runId);
  const kept = meta.runRows.keptAttempts(runId);
  for (const row of rows) {
    const record = meta.attemptRecord(row.key, kept.get(row.job)?.record ?? null);
    if (record === undefined || !wouldWrite(record.outputs, row.item).some((o) => o === path || isUnder(path, o))) continue;
    return `${path} was not produced: job ${row.job} (line ${row.line}) failed in run ${runId} (${failureWords(row)})`;
  }
  return undefined;
}

/**
 * How a job failed, as a failed row of `run_jobs` says it, in a lineage's
 * messages, the exports, and `shark serve`'s pages: `exit status 1` (its
 * command's status), `timeout`, `missing-output, exit status 0`.
 */
export function failureWords(row: { readonly reason?: string | null; readonly exit_code?: number | null }): string {
  const exit = row.exit_code === null || row.exit_code === undefined ? undefined : `exit status ${row.exit_code}`;
  return row.reason === 'exit' && exit !== undefined ? exit : [row.reason ?? 'failed', exit].filter((w) => w !== undefined).join(', ');
}

interface FailedRow {
  readonly job: string;
  readonly line: number;
  readonly item: string | null;
  readonly key: string;
  readonly reason: string | null;
  readonly exit_code: number | null;
}

/**
 * The paths a job's attempt record says it writes, as the job itself names
 * them: a map's `DIR/+` (or `DIR/+.EXT`) is the item's own file, as
 * `ExpandedJob.outputs` names it (its items, kept joined by `,` in run_jobs,
 * joined by `_`); a directory loses its trailing `/`.
 */
function wouldWrite(outputs: readonly string[], item: string | null): string[] {
  return outputs.map((written) => {
    // `DIR/+/` (a directory per item) is the item's directory, as `DIR/+` is its file.
    const o = written.replace(/\/$/, '');
    const plus = /^(.*)\/\+([^/]*)$/.exec(o);
    if (plus === null || item === null) return o;
    return `${plus[1]}/${withExtension(item.split(',').join('_'), plus[2] === '' ? undefined : plus[2])}`;
  });
}
