import type { Diagnostic } from '../diagnostics.js';
import { noBuildBlock, noBuildBlockFor } from '../pipeline/missing-environments.js';
import type { Step } from '../pipeline/pipeline.js';
import type { DataState } from './data-state.js';
import { stepExplainer } from './explainer.js';
import type { Job } from './jobs.js';
import { attemptsOfStep, ownCommandChanged, runReasons, type StepAttempts } from './last-attempts.js';
import { missingLocalFile } from './local-files.js';
import type { Session } from './session.js';
import { keptAhead } from './precious.js';
import { itemWriterClash, ownOutputs, treeWriterClash } from './item-writers.js';
import { everything, neededInstances, neededNote, type Selection, type SelectionError } from './selection.js';
import { completeStep, decidedWhole, decideStep, emptyMapNote, stepPolicy, type JobDecision, type StepDecision } from './step-plan.js';
import { decidePast, partMade, type PartMade, type Past } from './part-made.js';
import { itemsPending, knownItems } from './step-inputs.js';
import { jobIdOf } from './expanded-job.js';
import { described, MemoStep, NONE, planned } from './planned-jobs.js';
import { isKept } from './job-counts.js';
import type { BlockedMap, Plan, PlannedJob, RecalledStep } from './plan-shape.js';

export type { BlockedMap, JobStatus, OutputShown, Plan, PlannedJob, RecalledStep } from './plan-shape.js';

/** The plan stopped at a path two steps write (`Plan.writtenTwice`). */
function writtenTwice(d: Diagnostic): Plan {
  return { jobs: [], summary: { cached: 0, run: 0, blocked: 0, manual: 0 }, notes: [], writtenTwice: d };
}

export function isRecalled(part: PlannedJob | RecalledStep): part is RecalledStep {
  return part instanceof MemoStep;
}

/**
 * Jobs whose last attempts are read and explained at a time: one statement
 * of `BulkReads` (`CHUNK`). Small, so that a slice's records (~1 KB a job)
 * die in the young generation: read 16,384 at a time, they lived through
 * its collections into the old one, which V8 let grow with them (a plan
 * of 1,000,000 changed jobs: 2.70 → 1.66 GB peak, 39 → 34 s).
 */
const ATTEMPTS_SLICE = 500;

/**
 * A dry run: every job in DAG order with `cached`, `run` or `blocked` and
 * the reasons, from the same per-step decision `run` executes
 * (`decideStep`). Executes nothing; writes only the stat cache, trees and
 * step memos.
 */
export async function planPipeline(session: Session, state: DataState, selection: Selection = everything(session.pipeline)): Promise<Plan> {
  const parts: (PlannedJob | MemoStep)[] = [];
  /** Steps whose jobs are all cached but whose outputs cannot be put together: why what reads them is blocked. */
  const clashes = new Map<string, string>();
  /** Steps that fail as they stand, and those blocked behind one: `run` skips what reads them, `{precious}` or not. */
  const failing = new Set<string>();
  /** Steps that fail before running, or can never run (no shark-build defines their environment), and those behind one: the step at the root and why. */
  const roots = new Map<string, Root>();
  /** Map steps with no items: said in a note. */
  const empty: string[] = [];
  /** Map steps of which the targets name some jobs, and forced jobs they leave out: said in notes. */
  const partial: string[] = [];
  const forceUnused = [...(selection.forceUnused ?? [])];
  const noJobs: SelectionError[] = [];
  const blockedMaps: BlockedMap[] = [];
  /** Map steps partly cached: what they are known to make before they run (`part-made.ts`). */
  const partlyMade = new Map<string, PartMade>();
  const signal = new AbortController().signal;
  for (const step of session.pipeline.steps) {
    if (step.kind === 'publish') continue;
    const base = { block: step.blockId, step: step.id, line: step.at.line };
    const pending = (): void => {
      for (const o of step.outputs) state.setPending(o.path, step.id);
    };
    if (!selection.steps.has(step.id)) {
      // Not needed for the targets: not shown. Left out for `{manual}`: shown, so nobody wonders where it went.
      const manual = selection.manual.get(step.id);
      if (manual !== undefined) parts.push(planned(base, step.id, NONE, 'manual', [manualReason(session, step.id, manual)]));
      continue;
    }
    // No shark-build defines its environment: `run` refuses the document, so nothing can ever run it.
    if (step.kind === 'run' && step.env !== undefined && !session.pipeline.environments.has(step.env)) {
      parts.push(planned(base, step.id, NONE, 'blocked', [noBuildBlock(step.env)]));
      failing.add(step.id);
      roots.set(step.id, { root: step.id, why: noBuildBlockFor(step.env), never: true });
      pending();
      continue;
    }
    const decide = (): Promise<StepDecision> => decideStep(session, step, state, (name) => session.envs.current(name), signal, stepPolicy(selection, step.id));
    const decision = decidedWhole(await decide());
    if (decision.kind === 'blocked') {
      if (step.after.some((id) => failing.has(id) || clashes.has(id))) failing.add(step.id);
      // A `{precious}` step keeps its result whatever the upstream makes: `run` keeps it, and its readers are decided past it.
      const kept = failing.has(step.id) || selection.forced.has(step.id) || selection.forcedJobs?.has(step.id) === true ? undefined : keptAhead(session, step);
      if (kept !== undefined) {
        parts.push(planned(base, step.id, NONE, 'cached', [`kept (precious): upstream will run (${decision.step})`], described(session, [...kept])));
        for (const [path, id] of kept) state.setKnown(path, id, step.id);
        continue;
      }
      const clash = clashes.get(decision.step);
      const behind = roots.get(decision.step);
      if (behind !== undefined) roots.set(step.id, behind);
      // Maps that run some items again, joined or mapped over: only those items' jobs wait, as `run` will find.
      const past = failing.has(step.id) ? undefined : await decidePast(session, step, state, partlyMade, decide);
      if (past !== undefined) {
        const done = planJobs(session, step, base, past.decision, parts, past);
        const of = past.decision.partial?.of;
        if (of !== undefined && of > past.decision.jobs.length) partial.push(`left out: ${of - past.decision.jobs.length} of ${of} jobs of ${step.id} not named by the targets`);
        const made = partMade(session, step, state, done, past.decision.jobs, past);
        if (made !== undefined) partlyMade.set(step.id, made);
        pending();
        continue;
      }
      // The failing step itself is said to run (or fail); one blocked behind it, like one that never runs, is blocked.
      const reasons = [behind !== undefined && (behind.never || behind.root !== decision.step) ? upstreamBlocked(decision.step, behind)
        : clash === undefined ? `upstream will run (${decision.step})` : `upstream fails (${decision.step}: ${clash})`, ...ownCommandChanged(session, step)];
      const hidden = session.pipeline.hidden?.get(step.id);
      const waitsFor = itemsPending(step, state, hidden);
      // A map whose items are known (what waits is a join): a blocked job each, as `run` will have them.
      const items = waitsFor.length === 0 ? knownItems(step, state, hidden) : undefined;
      if (items !== undefined) for (const names of items) parts.push(planned(base, jobIdOf(step.id, names), names, 'blocked', reasons));
      else parts.push(planned(base, step.id, NONE, 'blocked', reasons));
      if (waitsFor.length > 0) blockedMaps.push({ step: step.id, waitsFor, ...(behind?.never === true ? { never: behind.root } : {}) });
      pending();
      continue;
    }
    if (decision.kind === 'failed') {
      if (decision.reason === 'no-job') noJobs.push({ reason: 'unknown-target', target: decision.name!, forced: decision.forced === true, message: decision.message });
      failing.add(step.id);
      if (decision.reason === 'conflict') clashes.set(step.id, decision.message);
      roots.set(step.id, { root: step.id, why: decision.message, never: false });
      const where = decision.at === step.at ? '' : ` (line ${decision.at.line}, column ${decision.at.col})`;
      parts.push(planned(base, step.id, NONE, 'run', [`${decision.message}${where}`]));
      pending();
      continue;
    }
    const twice = itemWriterClash(session.pipeline, step, decision.jobs);
    if (twice !== undefined) return writtenTwice(twice);
    const nothing = emptyMapNote(step, decision);
    if (nothing !== undefined) empty.push(nothing);
    if (decision.memo?.hit !== undefined) {
      parts.push(new MemoStep(base, decision.jobs, session));
      completeStep(session, step, [], state, { memo: decision.memo, cached: true });
      continue;
    }
    const done = planJobs(session, step, base, decision, parts);
    const of = decision.partial?.of;
    if (of !== undefined) {
      // Only some jobs: the map's directories are not known whole. A map planned reading it item by item (item-picks.ts)
      // is decided past the part its cached jobs made, as `run` decides it past what they made.
      partial.push(`left out: ${of - decision.jobs.length} of ${of} jobs of ${step.id} not named by the targets`);
      forceUnused.push(...(decision.forceUnused ?? []));
      const made = partMade(session, step, state, done, decision.jobs);
      if (made !== undefined) partlyMade.set(step.id, made);
      pending();
    } else if (done.length === decision.jobs.length) {
      const memo = decision.memo;
      const completed = completeStep(session, step, done, state, memo === undefined ? undefined : { memo, cached: true });
      const inside = completed.ok ? treeWriterClash(session.pipeline, step, () => ownOutputs(step, state), (id) => state.entries(id)) : undefined;
      if (inside !== undefined) return writtenTwice(inside);
      // Every job cached, and their outputs still clash (two write one file): `run` fails the step again.
      if (!completed.ok) (clashes.set(step.id, completed.message), roots.set(step.id, { root: step.id, why: completed.message, never: false }), pending());
    } else if (decision.predicted !== undefined && decision.predicted.size === step.outputs.length) {
      for (const [path, id] of decision.predicted) state.setKnown(path, id, step.id);
      const inside = treeWriterClash(session.pipeline, step, () => decision.predicted!, (id) => state.entries(id));
      if (inside !== undefined) return writtenTwice(inside);
    } else {
      const made = partMade(session, step, state, done, decision.jobs);
      if (made !== undefined) partlyMade.set(step.id, made);
      pending();
    }
  }
  const summary = { cached: 0, run: 0, blocked: 0, manual: 0 };
  let kept = 0;
  const perEnv = new Map<string, number>();
  let stepId: string | undefined;
  let env: string | undefined;
  for (const j of parts) {
    const count = j instanceof MemoStep ? j.count : 1;
    summary[j instanceof MemoStep ? 'cached' : j.status] += count;
    if (!(j instanceof MemoStep) && isKept(j)) kept++;
    // A step's jobs are next to each other: its environment is looked up once for them all.
    if (j.step !== stepId) {
      const step = session.pipeline.stepsById.get((stepId = j.step));
      env = step?.kind === 'run' ? step.env : undefined;
    }
    if (env !== undefined) perEnv.set(env, (perEnv.get(env) ?? 0) + count);
  }
  const leftOut = selection.leftOut > 0 ? [`left out: ${selection.leftOut} step${selection.leftOut === 1 ? '' : 's'} not needed for the targets`] : [];
  const needed = neededInstances(session.pipeline, selection).map(neededNote);
  let made: readonly PlannedJob[] | undefined;
  return {
    get jobs() {
      return (made ??= parts.flatMap((j) => (j instanceof MemoStep ? j.jobs() : [j])));
    },
    parts,
    summary: kept > 0 ? { ...summary, kept } : summary,
    notes: [...session.envs.notes(perEnv), ...leftOut, ...partial, ...forceUnused, ...needed, ...empty],
    ...(noJobs.length > 0 ? { noJobs } : {}),
    ...(blockedMaps.length > 0 ? { blockedMaps } : {}),
  };
}

/** The step a blocked one is behind, failing before it runs or (`never`) never able to run, and why. */
interface Root {
  readonly root: string;
  readonly why: string;
  readonly never: boolean;
}

/** Why a step waits on one that will not run: not `upstream will run`, which it will not. */
function upstreamBlocked(upstream: string, behind: Root): string {
  return `upstream is blocked (${upstream}${behind.root === upstream ? '' : `, behind ${behind.root}`}: ${behind.why})`;
}

/**
 * Each job of a decided step as planned, in order: cached, to run, or
 * blocked (`past`: an item a map it joins or maps over makes again).
 * Returns the cached jobs with their outputs.
 */
function planJobs(
  session: Session, step: Step, base: { block: string; step: string; line: number }, decision: StepDecision & { kind: 'jobs' },
  parts: (PlannedJob | MemoStep)[], past?: Past,
): { job: Job; outputs: Record<string, string> }[] {
  // The items still to be made of the directory it maps over, each a blocked job in its place in name order.
  const unmade = past?.unmade ?? [];
  let next = 0;
  const unmadeBefore = (name: string | undefined): void => {
    for (; next < unmade.length && (name === undefined || unmade[next]!.name < name); next++) {
      const { name: item, by } = unmade[next]!;
      const { fails } = unmade[next]!;
      parts.push(planned(base, jobIdOf(step.id, [item]), [item], 'blocked', fails === undefined ? [`upstream will run (${by})`] : [`upstream will run (${by})`, fails]));
    }
  };
  const done: { job: Job; outputs: Record<string, string> }[] = [];
  const toRun = (d: JobDecision): boolean => d.cached === undefined && d.job.problem === undefined && decision.unbuilt === undefined && d.forced !== true;
  const attemptsOf = attemptsOfStep(session, step.id);
  const explain = stepExplainer(missingLocalFile(session, step));
  // The jobs to run compared with their last attempts a slice at a time: only a slice's records are held.
  let attempts: StepAttempts | undefined;
  for (let n = 0; n < decision.jobs.length; n++) {
    const d = decision.jobs[n]!;
    if (n % ATTEMPTS_SLICE === 0) attempts = attemptsOf(decision.jobs.slice(n, n + ATTEMPTS_SLICE).filter(toRun).map((t) => t.job));
    const { job, cached } = d;
    const items = job.items.map((i) => i.name);
    unmadeBefore(items[0] ?? '');
    const waits = past?.waitsFor(job);
    if (waits !== undefined) {
      parts.push(planned(base, job.id, items, 'blocked', [`upstream will run (${waits})`]));
    } else if (cached !== undefined) {
      done.push({ job, outputs: cached.outputs });
      const shown = described(session, Object.entries(cached.outputs));
      const reasons = d.kept !== undefined ? [`kept (precious): ${d.kept.join('; ')}`] : NONE;
      parts.push(planned(base, job.id, items, 'cached', reasons, shown, cached.key, job.key));
    } else {
      parts.push(planned(base, job.id, items, 'run', runReasons(d, decision.unbuilt, decision.isMap, attempts!, explain), undefined, undefined, job.key));
    }
  }
  unmadeBefore(undefined);
  return done;
}

function manualReason(session: Session, stepId: string, manual: string): string {
  if (manual === stepId) return 'runs only when named as a target';
  return `needs ${session.pipeline.stepsById.get(manual)?.blockId ?? manual}, which is {manual}`;
}
