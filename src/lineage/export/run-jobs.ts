import type { Pipeline } from '../../pipeline/pipeline.js';
import type { Metadata, RunJobRow, RunRow } from '../../store/metadata.js';
import { canonicalJson } from '../../canonical-json.js';
import { shownPin } from '../../imports/shown-url.js';
import { sha256 } from '../../store/hash.js';
import type { SnapshotId, SnapshotStore, TreeEntry } from '../../store/snapshot-store.js';
import { recordedEntries } from '../directory-id.js';
import { fromResultRow, type LineageRecord } from '../record.js';
import { latestRunWithJobs, noRunsMessage, notARun, summaryFailures } from '../runs.js';
import { failedJobs, publishedBy, type FailedJob } from './run-outcome.js';

/** One job of a run with its durable record; a cached job's record is the one of the run that computed it. */
export interface RunJob {
  readonly row: RunJobRow;
  readonly record: LineageRecord;
  readonly cached: boolean;
  /**
   * The job as the run that made its result named it: its own name for a job
   * this run ran; for a cached one, the name the earlier run (of this
   * document or another) gave it, which this run may call otherwise.
   */
  readonly madeAs: string;
  /** `fsck --repair` dropped its result since (its stored data was missing or damaged). */
  readonly dropped: boolean;
}

/**
 * Whether the document is still the one a run read: `same`, `changed`, or
 * `unknown` (a run recorded before runs kept its hash, whose jobs' commands
 * are all the document's still).
 */
export type DocumentSince = 'same' | 'changed' | 'unknown';

/** What the exports describe: one run of one pipeline, its jobs, and the data they read and wrote. */
export interface RunView {
  readonly pipeline: Pipeline;
  readonly pipelinePath: string;
  readonly run: RunRow;
  /** The exports hold and describe the document as it is now: whether run `run` read that one. */
  readonly document: DocumentSince;
  readonly jobs: readonly RunJob[];
  /** The jobs of the run that failed (none of them in `jobs`). */
  readonly failed: readonly FailedJob[];
  /** What else the run's summary says failed: a step as a whole (a publish refused), with where and why. */
  readonly stepFailures: readonly { readonly job: string; readonly where: string; readonly reason: string }[];
  /** What each publish step of the run published: step id → its /data paths (`publishedBy`). */
  readonly published: ReadonlyMap<string, readonly string[]>;
  readonly store: SnapshotStore;
  /** A directory's entries as the run had it, also after gc freed it (`recordedEntries`); undefined for a file. */
  readonly entries: (id: SnapshotId) => readonly TreeEntry[] | undefined;
}

export type RunViewResult = { ok: true; value: RunView } | { ok: false; message: string };

/** The latest run of a pipeline, or run `number`; jobs that failed are apart (`failed`), those skipped left out. */
export function loadRun(
  meta: Metadata, store: SnapshotStore, pipeline: Pipeline, pipelinePath: string, number?: number,
): RunViewResult {
  const runs = meta.runs(pipelinePath);
  if (runs.length === 0) return { ok: false, message: noRunsMessage(meta, pipelinePath, 'this pipeline') };
  const run = number === undefined ? latestRunWithJobs(meta, runs) : runs.find((r) => r.id === number);
  if (run === undefined) return { ok: false, message: notARun(number!, runs) };
  const jobs: RunJob[] = [];
  const rows = meta.runJobs(run.id).filter((row) => row.status === 'ok' || row.status === 'cached');
  // As this run made or reused them, not as a later run of the same key replaced them.
  const results = meta.history.ofRun([...new Set(rows.map((r) => r.key))], run.id);
  for (const row of rows) {
    const result = results.get(row.key);
    if (result === undefined) continue;
    const record = fromResultRow(result);
    const madeAs = record.runId === run.id ? row.job : meta.runRows.maker(record.runId, row.key)?.job ?? row.job;
    jobs.push({ row, record, cached: row.status === 'cached', madeAs, dropped: result.fate === 'dropped' });
  }
  const failed = failedJobs(meta, run.id);
  // In document order, then by job id: the order jobs happened to finish in is no part of what was made.
  jobs.sort((a, b) => a.row.line - b.row.line || (a.row.job < b.row.job ? -1 : a.row.job > b.row.job ? 1 : 0));
  return {
    ok: true,
    value: {
      pipeline, pipelinePath, run, document: documentSince(pipeline, run, jobs), jobs, failed, stepFailures: summaryFailures(meta, run.id).filter((f) => !failed.some((j) => j.row.job === f.job)),
      published: publishedBy(meta, pipeline, run), store, entries: (id) => recordedEntries(meta, id),
    },
  };
}

/**
 * Whether `pipeline`'s document is the one `run` read: by the hash the run
 * recorded; for a run recorded before runs kept it, changed when a job's
 * command is not its step's now (or its step is gone), else unknown.
 */
function documentSince(pipeline: Pipeline, run: RunRow, jobs: readonly RunJob[]): DocumentSince {
  const recorded = run.document ?? null;
  if (recorded !== null) return recorded === sha256(pipeline.document.source) ? 'same' : 'changed';
  const commandNow = (step: string): string | undefined => {
    const s = pipeline.stepsById.get(step);
    return s?.kind === 'run' ? s.command : s?.kind === 'import' ? s.clause.raw : undefined;
  };
  return jobs.some((j) => commandNow(j.row.step) !== j.record.record.command) ? 'changed' : 'unknown';
}

/**
 * A job as an activity: named after the run that computed it and the name
 * it had there, so a cached job is the same activity in every run, of any
 * document, whatever the run that found it cached calls it.
 */
export function activityKey(job: RunJob): string {
  return `run/${job.record.runId}/job/${job.madeAs}`;
}

/** The hex digest of a file snapshot id (`sha256:` or `sha256x:`); undefined for trees, links and other stores' ids. */
export function sha256Of(id: string): string | undefined {
  const m = /^sha256x?:([0-9a-f]{64})$/.exec(id);
  return m?.[1];
}

/** Every piece of data the run's jobs read or wrote, by path, with which job wrote it. */
export interface DataItem {
  readonly path: string;
  readonly id: string;
  readonly writer?: RunJob;
}

export function dataOf(view: RunView): DataItem[] {
  const items = new Map<string, DataItem>();
  const key = (path: string, id: string): string => `${path}\0${id}`;
  for (const job of view.jobs) {
    for (const [path, id] of Object.entries(job.record.outputs)) items.set(key(path, id), { path, id, writer: job });
  }
  for (const job of view.jobs) {
    for (const [path, id] of job.record.record.inputs) if (!items.has(key(path, id))) items.set(key(path, id), { path, id });
  }
  // What a failed job read, while the store has it: its action names those inputs (a directory it read included),
  // and one gc freed since does not keep the rest of the run from being exported.
  for (const f of view.failed) {
    for (const [path, id] of f.inputs) if (!items.has(key(path, id)) && view.store.has(id)) items.set(key(path, id), { path, id });
  }
  return [...items.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));
}

/** What an import job was pinned to (its lock entry: a checksum, an ETag, a DOI's record, a commit), as the exports describe it. */
export interface PinnedSource {
  /** Short, from the pin's canonical JSON: the same pin is one entity however many jobs used it. */
  readonly id: string;
  /** The import clause as written (`https://… /data/x.csv`). */
  readonly clause: string;
  /** The source's URL, when the clause starts with one (a web address, or a `file:` URI of an absolute path). */
  readonly url?: string;
  readonly fields: readonly (readonly [string, string])[];
}

export function pinnedSource(job: RunJob): PinnedSource | undefined {
  const pin = job.record.record.pin;
  if (job.record.record.kind !== 'import' || pin === undefined) return undefined;
  const clause = job.record.meta.command;
  // A `file:` URI naming an absolute path is a URL too (`file:///srv/a.csv`); `file:in/a.csv`, relative to the document, is none.
  const url = /^(?:https?:\/\/|file:\/)\S+/.exec(clause)?.[0];
  const fields = Object.entries(shownPin(pin)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, String(v)] as const);
  return { id: sha256(canonicalJson(pin)).slice(0, 16), clause, ...(url !== undefined ? { url } : {}), fields };
}
