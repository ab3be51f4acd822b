import type { Job } from './jobs.js';
import type { JobStatus, OutputShown, PlannedJob, RecalledStep } from './planner.js';
import type { Session } from './session.js';
import type { CachedResult, JobDecision } from './step-plan.js';

export const NONE: readonly string[] = Object.freeze([]);

/**
 * A planned job written out member by member: built as `{ ...base, … }`,
 * every one of a million jobs got a hidden class of its own (about 270
 * bytes each, a quarter of a 1,000,000-item plan's memory).
 */
export function planned(
  base: { block: string; step: string; line: number }, job: string, items: readonly string[], status: JobStatus, reasons: readonly string[],
  outputs?: readonly OutputShown[], resultKey?: string, key?: string,
): PlannedJob {
  const { block, step, line } = base;
  if (outputs === undefined) return key === undefined ? { block, step, job, line, items, status, reasons } : { block, step, job, line, items, status, reasons, key };
  if (resultKey === undefined) return { block, step, job, line, items, status, reasons, outputs };
  return key === undefined ? { block, step, job, line, items, status, reasons, outputs, resultKey } : { block, step, job, line, items, status, reasons, outputs, resultKey, key };
}

/**
 * A cached job's outputs as shown: their ids, or the store's names for them
 * (ZFS snapshots). The same list unless a name differs. A list of pairs,
 * not an object: an object keyed by a million different paths cost a
 * dictionary each (~1 s of a 1,000,000-item `plan --json`).
 */
export function described(session: Session, outputs: readonly OutputShown[]): readonly OutputShown[] {
  const named = (id: string): string => session.store.describe(id) ?? id;
  return outputs.every(([, id]) => named(id) === id) ? outputs : outputs.map(([path, id]) => [path, named(id)] as const);
}

/** The jobs of a step its memo decided, made when the plan's jobs are asked for (a text plan shows only their count). */
export class MemoStep implements RecalledStep {
  readonly step: string;
  readonly line: number;

  constructor(private readonly base: { block: string; step: string; line: number }, private readonly decided: readonly JobDecision[], private readonly session: Session) {
    ({ step: this.step, line: this.line } = base);
  }

  get count(): number {
    return this.decided.length;
  }

  jobs(): PlannedJob[] {
    return this.decided.map(({ job, cached }) => new RecalledJob(this.base, job, cached!, this.session));
  }
}

/** A cached job of a step its memo decided: its outputs are looked up only when shown (`--json`, `-v`). */
class RecalledJob implements PlannedJob {
  // What every job of the step shares is the step's, not copied into each of a million jobs.
  constructor(private readonly base: { block: string; step: string; line: number }, private readonly planned: Job, private readonly cached: CachedResult, private readonly session: Session) {}

  get block(): string {
    return this.base.block;
  }

  get step(): string {
    return this.base.step;
  }

  get line(): number {
    return this.base.line;
  }

  get status(): JobStatus {
    return 'cached';
  }

  get reasons(): readonly string[] {
    return NONE;
  }

  get job(): string {
    return this.planned.id;
  }

  get items(): readonly string[] {
    return this.planned.items.map((i) => i.name);
  }

  get outputs(): readonly OutputShown[] {
    return described(this.session, this.cached.pairs ?? Object.entries(this.cached.outputs));
  }

  get resultKey(): string {
    return this.cached.key;
  }

  get key(): string {
    return this.planned.key;
  }
}
