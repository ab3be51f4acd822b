/** The rows of the metadata database's main tables, as the commands read them. */
import { isOutputs } from './stored-shapes.js';
import { parseStored } from './damaged-database.js';

/**
 * A result's outputs, as an object without a prototype: each map job's
 * output has a path of its own, and a plain object per path gave every one
 * of a million jobs a hidden class of its own.
 */
export function outputsOf(text: string): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, parseStored<Record<string, string>>(text, "a result's outputs", isOutputs));
}

export interface ResultRow {
  readonly key: string;
  readonly identity: string;
  readonly record: string;
  /** JSON: { "/data/x": "sha256:…" } */
  readonly outputs: string;
  /** JSON: block, line, command, env, host, version, exit status… */
  readonly meta: string;
  readonly log: string | null;
  readonly started: number;
  readonly ended: number;
  readonly run_id: number;
}

export interface AttemptRow {
  readonly identity: string;
  readonly key: string;
  readonly status: 'ok' | 'failed';
  readonly record: string;
  readonly log: string | null;
  readonly ended: number;
  /** When the command started; null when it never did, and in rows written before the column. */
  readonly started?: number | null;
  readonly reason?: string | null;
  readonly exit_code?: number | null;
  readonly run_id?: number | null;
}

/** The part of an attempt a plan reads to say why a job runs again. */
export type LastAttempt = Pick<AttemptRow, 'key' | 'status' | 'record'>;

export interface RunJobRow {
  readonly run_id: number;
  readonly job: string;
  readonly step: string;
  readonly block: string;
  readonly line: number;
  readonly item: string | null;
  readonly key: string;
  readonly status: string;
  readonly log: string | null;
  /** Why a failed job failed (`exit`, `signal`, `timeout`, `missing-output`, `modified-input`, …). */
  readonly reason?: string | null;
  readonly exit_code?: number | null;
  /**
   * What the job writes (`plan/jobs.ts` `stepIdentity`, and its items), for a job that did not end ok or cached:
   * no result says which step it was, and its attempt gives way to the step's next one (`rows-now.ts`).
   */
  readonly identity?: string | null;
  /** A failed job's attempt (its key record, when its command started and ended) as its run made it: `attempts` keeps the newest only. */
  readonly record?: string | null;
  readonly started?: number | null;
  readonly ended?: number | null;
}

export interface RunRow {
  readonly id: number;
  readonly pipeline: string;
  readonly started: number;
  readonly ended: number | null;
  /** `running` is only trusted while its process lives: see `runStatus`. */
  readonly status: string;
  readonly pid: number | null;
  readonly host: string | null;
  /** The Shark that ran it (null for runs recorded before the column existed). */
  readonly version?: string | null;
  /** The sha256 of the document's text as the run read it (null for runs recorded before the column existed). */
  readonly document?: string | null;
}
