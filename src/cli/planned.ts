import { isRecalled, planPipeline, type Plan } from '../plan/planner.js';
import { heldJobLeases } from '../store/job-leases.js';
import { counted } from '../counted.js';
import { InvalidInput, seedState } from '../plan/session.js';
import type { Selection } from '../plan/selection.js';
import { formatDiagnostic } from '../diagnostics.js';
import { refuseUnreadable } from '../plan/unreadable-host.js';
import { refuseUnwritable } from '../plan/unwritable-host.js';
import { refuseReport } from './load-or-report.js';
import type { RunSession } from '../exec/executor.js';
import { givenPlaces } from './apply-config.js';
import { runLimits, type ResourceFlags } from './resource-flags.js';
import { closeSession, openSession, refuseUnreadableFirst, reportingInvalidInput, type SessionFlags } from './session-setup.js';
import { refuseNoJobs, selectOrReport, type TargetFlags } from './targets.js';

export type PlanningFlags = SessionFlags & TargetFlags & ResourceFlags;

/** What `plan` checks its options against: run's `-j`, `--memory` and `--pool`, and whether the jobs go to Slurm. */
export interface PlanLimits {
  readonly jobs: number;
  readonly resources: { memory: number; pools: Map<string, number> };
  readonly slurm: boolean;
}

/**
 * The plan `shark plan` prints, made as it makes it (the session, the
 * targets, what run would refuse before it runs anything, the inputs
 * hashed), handed to `use` while the session is open; closed after.
 */
export async function withPlan<T>(
  file: string, targets: readonly string[], flags: PlanningFlags, limits: PlanLimits, stderr: (s: string) => void,
  use: (plan: Plan, session: RunSession) => T | Promise<T>,
): Promise<T> {
  const { session, hostInputs, checked: selection } = openSession(file, flags, stderr, true, 'read', false, (pipeline, found) => {
    const selection = selectOrReport(pipeline, targets, flags, stderr);
    // What run would refuse before it runs anything (an undeclared pool, more memory than it may use), even with every job cached.
    runLimits(pipeline, limits.jobs, limits.resources, limits.slurm, givenPlaces(flags), stderr, found);
    // A local import that cannot be read, before the store is made: a plan that cannot be made leaves no `.shark/`.
    refuseUnreadableFirst(pipeline, file, flags, found);
    return selection;
  });
  try {
    // Inputs are refused as they are hashed; a local import is hashed as the plan resolves it, past where one is reported.
    await reportingInvalidInput(session, stderr, async () => refuseUnreadable(session));
    warnUnwritable(session, selection, stderr);
    const seeded = await reportingInvalidInput(session, stderr, () => seedState(session, hostInputs));
    const found = await planPipeline(session, seeded, selection);
    if (found.writtenTwice !== undefined) refuseReport([found.writtenTwice], () => session.pipeline.document.source, stderr);
    const plan = withRunningElsewhere(found, session);
    refuseNoJobs(plan, flags, stderr);
    // Awaited here: the session stays open until `use` is done with it.
    return await use(plan, session);
  } finally {
    closeSession(session);
  }
}

/**
 * The plan with a note of its jobs to run that another live run is running
 * now (it holds their leases): a run started now waits for them and reuses
 * their results, which `plan` called plain `run`.
 */
function withRunningElsewhere(plan: Plan, session: RunSession): Plan {
  if (plan.summary.run === 0) return plan;
  const held = heldJobLeases(session.meta);
  if (held.size === 0) return plan;
  const by = new Map<string, number>();
  // Through the parts: a step a memo decided is all cached, and its jobs are not made for this.
  for (const j of plan.parts ?? plan.jobs) {
    if (isRecalled(j)) continue;
    const holder = j.status === 'run' && j.key !== undefined ? held.get(j.key) : undefined;
    if (holder === undefined) continue;
    const who = `${holder.run === null ? 'another shark' : `run ${holder.run}`} (pid ${holder.pid} on ${holder.host})`;
    by.set(who, (by.get(who) ?? 0) + 1);
  }
  if (by.size === 0) return plan;
  const notes = [...by].map(([who, n]) => `${counted(n, 'job')} to run ${n === 1 ? 'is' : 'are'} running now in ${who}: a run started now waits for ${n === 1 ? 'it' : 'them'} and reuses ${n === 1 ? 'its result' : 'their results'}`);
  // Its members as they are (`jobs` is made when first asked for), the notes added.
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(plan), notes: { value: [...plan.notes, ...notes], enumerable: true } }) as Plan;
}

/**
 * What `run` would refuse to start for want of a place it may write in (a
 * publish directory, the lock file), said by a plan as a warning: a plan
 * writes neither, and one made by a reader of a project they may not
 * write in (a colleague's) is still the plan.
 */
function warnUnwritable(session: RunSession, selection: Selection, stderr: (s: string) => void): void {
  try {
    refuseUnwritable(session, selection);
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e;
    stderr(formatDiagnostic({ ...e.diagnostic, severity: 'warning', message: `${e.diagnostic.message} (\`shark run\` would stop here)` }, session.pipeline.document.source) + '\n');
  }
}
