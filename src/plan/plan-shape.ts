/** What a plan is: its jobs, their statuses and reasons, and its notes (`planPipeline`, plan/planner.ts). */
import type { Diagnostic } from '../diagnostics.js';
import type { SelectionError } from './selection.js';

/** `manual`: left out of a run without targets, being (or needing) a `{manual}` block. */
export type JobStatus = 'cached' | 'run' | 'blocked' | 'manual';

export interface PlannedJob {
  readonly block: string;
  readonly step: string;
  readonly job: string;
  readonly line: number;
  readonly items: readonly string[];
  readonly status: JobStatus;
  readonly reasons: readonly string[];
  /** Snapshot ids (or names, on ZFS) of a cached job's outputs, by path in the order the step has them. */
  readonly outputs?: readonly OutputShown[];
  /** The key of the stored result a cached job reuses: its own, or the earlier one a `{precious}` block keeps. */
  readonly resultKey?: string;
  /** Its own cache key, where its inputs are known (not a blocked job): what a run's record of it is told apart by (`shark serve`). */
  readonly key?: string;
}

/** A cached job's output: its path and its snapshot's id (or name). */
export type OutputShown = readonly [path: string, id: string];

export interface Plan {
  readonly jobs: readonly PlannedJob[];
  /**
   * The same jobs in the same order, a step its memo decided as one entry
   * (`RecalledStep`: all its jobs cached): what a text plan shows of them
   * needs no job made. `jobs`, when asked for, makes them.
   */
  readonly parts?: readonly (PlannedJob | RecalledStep)[];
  /** `kept`: of the cached, the `{precious}` jobs kept although what makes their key changed (only when there are any, as `run` counts them). */
  readonly summary: { readonly cached: number; readonly run: number; readonly blocked: number; readonly manual: number; readonly kept?: number };
  readonly notes: readonly string[];
  /** Blocked map (or join) steps, each one `blocked` job standing for items not known yet, and the directories they come from. */
  readonly blockedMaps?: readonly BlockedMap[];
  /** Map jobs a target or `--force` names that the maps do not have: bad input, said as an unknown block is. */
  readonly noJobs?: readonly SelectionError[];
  /** A path two steps write, known only from a map's items or a directory's content (plan/item-writers.ts): bad input, refused; planning stopped there. */
  readonly writtenTwice?: Diagnostic;
}

/** A blocked map whose items are not known yet: the directories they come from, and (`never`) the step it is behind that can never run, so never made. */
export interface BlockedMap {
  readonly step: string;
  readonly waitsFor: readonly string[];
  readonly never?: string;
}

/** The jobs of a step its memo decided, every one cached, counted but not yet made. */
export interface RecalledStep {
  readonly step: string;
  readonly line: number;
  readonly count: number;
}
