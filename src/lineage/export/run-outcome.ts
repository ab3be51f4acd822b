import type { Pipeline } from '../../pipeline/pipeline.js';
import type { Metadata, RunJobRow, RunRow } from '../../store/metadata.js';
import { shownUrls } from '../../imports/shown-url.js';
import { failureWords } from '../latest-producer.js';
import { parseStored } from '../../store/damaged-database.js';

/** A job of a run that failed: its row, how it failed, and what its attempt says it ran on. */
export interface FailedJob {
  readonly row: RunJobRow;
  /** `exit, exit status 1`, as `lineage` says it. */
  readonly error: string;
  /** The command and inputs of its attempt, when the store still has it (a job's key names one command and one set of inputs). */
  readonly command?: string;
  /** The environment's content id its attempt ran in (`host:linux/x64`, `docker:sha256:…`), when the store still has the attempt. */
  readonly env?: string;
  readonly inputs: readonly (readonly [string, string])[];
  /** When it ended, when the attempt kept is this run's. */
  readonly ended?: number;
  /** When its command started, when the attempt kept is this run's and it got that far (attempts recorded before they kept it have none). */
  readonly started?: number;
}

/** The jobs of run `runId` that failed, in document order. */
export function failedJobs(meta: Metadata, runId: number): FailedJob[] {
  // Every column: a store read-only to us, made before attempts kept `started`, cannot be given it.
  const attempt = meta.db.prepare<[string], { record: string; started?: number | null; ended: number; run_id: number | null }>(
    'SELECT * FROM attempts WHERE key = ? ORDER BY ended DESC LIMIT 1');
  const kept = meta.runRows.keptAttempts(runId);
  return meta.runJobs(runId).filter((row) => row.status === 'failed').map((row) => {
    // Its run's own, or (rows written before runs kept them) the newest attempt with its key.
    const own = kept.get(row.job);
    const found = own === undefined ? attempt.get(row.key) : { ...own, run_id: runId };
    const record = found === undefined ? {} : parseStored<{ kind?: string; command?: string; env?: string; inputs?: [string, string][] }>(found.record, 'an attempt');
    return {
      row, error: failureWords(row), inputs: record.inputs ?? [],
      ...(record.command === undefined ? {} : { command: record.kind === 'import' ? shownUrls(record.command) : record.command }),
      ...(typeof record.env === 'string' ? { env: record.env } : {}),
      ...(found?.run_id === runId ? { ended: found.ended, ...(typeof found.started === 'number' ? { started: found.started } : {}) } : {}),
    };
  }).sort((a, b) => a.row.line - b.row.line || (a.row.job < b.row.job ? -1 : 1));
}

/**
 * What each publish step of the run published (step id → /data paths), as
 * its summary recorded it. A run recorded before summaries kept that did,
 * when it ended ok, publish every path of the pipeline's publish steps (the
 * best there is to know); one that did not end ok is not known to have
 * published anything, and is not said to.
 */
export function publishedBy(meta: Metadata, pipeline: Pipeline, run: RunRow): ReadonlyMap<string, readonly string[]> {
  const json = meta.db.prepare<[number], { published: string | null }>("SELECT json_extract(summary, '$.published') AS published FROM runs WHERE id = ?").get(run.id)?.published ?? null;
  const byStep = new Map<string, string[]>();
  if (json !== null) {
    for (const p of parseStored<{ step: string; path: string }[]>(json, "a run's summary")) byStep.set(p.step, [...(byStep.get(p.step) ?? []), p.path]);
  } else if (run.status === 'ok') {
    for (const s of pipeline.steps) if (s.kind === 'publish') byStep.set(s.id, s.inputs.map((i) => i.path));
  }
  return byStep;
}
