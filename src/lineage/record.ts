import { isJobMeta, isKeyRecord, isOutputs } from '../store/stored-shapes.js';
import { shownUrls } from '../imports/shown-url.js';
import type { KeyRecord } from '../plan/key.js';
import { parseStored } from '../store/damaged-database.js';
import type { ResultRow } from '../store/metadata.js';
import type { SnapshotId } from '../store/snapshot-store.js';

/** Where and how a job ran: written beside its result, read by `lineage`, `gc` and the exports. */
export interface JobMeta {
  readonly block: string;
  readonly step: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly command: string;
  readonly env: string;
  readonly items: readonly string[];
  /** The machine that ran the command: under Slurm, the node. */
  readonly host: string;
  readonly version: string;
  readonly exit: number;
  /** The Slurm job or array task that ran it (`4121_7`), under `--executor slurm`. */
  readonly slurm?: string;
}

/** The durable account of one successful job: one type for its writer and every reader. */
export interface LineageRecord {
  readonly key: string;
  readonly identity: string;
  /** What the key was computed from. */
  readonly record: KeyRecord;
  readonly outputs: Readonly<Record<string, SnapshotId>>;
  readonly meta: JobMeta;
  readonly log: string | null;
  readonly started: number;
  readonly ended: number;
  readonly runId: number;
}

export function toResultRow(r: LineageRecord): ResultRow {
  return {
    key: r.key, identity: r.identity, record: JSON.stringify(r.record), outputs: JSON.stringify(r.outputs),
    meta: JSON.stringify(r.meta), log: r.log, started: r.started, ended: r.ended, run_id: r.runId,
  };
}

/** A result as stored; a value that no longer parses is said as a damaged database, not as a bug. */
export function fromResultRow(row: ResultRow): LineageRecord {
  const record = parseStored<KeyRecord>(row.record, 'a result', isKeyRecord);
  const meta = parseStored<JobMeta>(row.meta, "a result's meta", isJobMeta);
  return {
    key: row.key, identity: row.identity, record,
    outputs: parseStored<Record<string, SnapshotId>>(row.outputs, "a result's outputs", isOutputs),
    // An import recorded by an older Shark kept its clause's password and tokens: shown as one recorded now.
    meta: record.kind === 'import' ? { ...meta, command: shownUrls(meta.command) } : meta,
    log: row.log, started: row.started, ended: row.ended, runId: row.run_id,
  };
}

/** Every snapshot a result needs kept: its outputs, and its inputs (an ingested input freed now would be copied in again). */
export function idsOf(r: Pick<LineageRecord, 'outputs' | 'record'>): SnapshotId[] {
  return [...Object.values(r.outputs), ...(r.record.inputs ?? []).map(([, id]) => id)];
}
