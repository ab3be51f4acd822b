import { isUnder } from '../pipeline/data-path.js';
import type { Step } from '../pipeline/pipeline.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { stepIdentity, type Job } from './jobs.js';
import { explain, type KeyRecord } from './key.js';
import { isPrecious } from './selection.js';
import { missingLocalFile } from './local-files.js';
import type { Session } from './session.js';
import type { JobDecision } from './step-plan.js';

/**
 * A `{precious}` job whose key changed keeps the newest result of its
 * identity (its outputs and item) that a run of its document made or used
 * (never another document's bytes at the same /data path), when all its data is still there; the
 * reasons name what changed since (`unbuilt`: why its environment has no image yet, for `plan`). A job that cannot run as it stands (a
 * missing joined item) keeps nothing: that is a problem to show.
 */
export function keptResult(session: Session, job: Job, unbuilt?: string): JobDecision | undefined {
  if (job.problem !== undefined) return undefined;
  const kept = newestWhole(session, job.identity);
  if (kept === undefined) return undefined;
  const reasons = explain(JSON.parse(kept.record) as KeyRecord, job.record, missingLocalFile(session, job.step));
  // An environment `plan` has no image of yet (`unbuilt`): its change is the rebuild, not an id → `unbuilt:NAME`.
  const said = unbuilt === undefined ? reasons : [unbuilt, ...reasons.filter((r) => !r.startsWith('environment changed ('))];
  return { job, cached: { outputs: kept.outputs, log: kept.log, key: kept.key }, kept: said };
}

/**
 * The outputs a `{precious}` step of one job keeps while a step it reads
 * from will run: `run` keeps its newest result whatever that input becomes
 * (`keptResult`), so `plan` can say so before, and see past it to its
 * readers. Not for a map (its jobs are the items of an input not made yet),
 * a directory output holding one of its inputs (what it adds to the input is
 * known only once the input is). Nor does its environment matter: one not
 * built yet is kept from too (`run` keeps whatever image it builds).
 */
export function keptAhead(session: Session, step: Step): Map<string, SnapshotId> | undefined {
  if (!isPrecious(step) || step.inputs.some((i) => i.pattern !== undefined || i.join !== undefined)) return undefined;
  if (step.outputs.some((o) => o.isDir && step.inputs.some((i) => isUnder(i.path, o.path)))) return undefined;
  const kept = newestWhole(session, stepIdentity(step));
  return kept === undefined ? undefined : new Map(Object.entries(kept.outputs));
}

/** The newest result of a job identity that a run of this document made or used, when every byte of its outputs is still in the store. */
function newestWhole(session: Session, identity: string): { outputs: Record<string, SnapshotId>; log: string | null; key: string; record: string } | undefined {
  const stored = session.meta.own.latestResult(identity, session.pipelinePath);
  if (stored === undefined) return undefined;
  const outputs = JSON.parse(stored.outputs) as Record<string, SnapshotId>;
  for (const path in outputs) if (!session.store.has(outputs[path]!)) return undefined;
  return { ...stored, outputs };
}
