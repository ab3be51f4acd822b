import { minOf } from '../fold.js';
import type { LastAttempt } from '../store/metadata.js';
import type { OwnAttempt } from '../store/own-results.js';
import { baseIdentity, rowItem, stepIdentity, type Job } from './jobs.js';
import type { stepExplainer } from './explainer.js';
import type { Session } from './session.js';
import type { KeyRecord } from './key.js';
import { isMap, type Step } from '../pipeline/pipeline.js';
import type { JobDecision } from './step-plan.js';

type Explainer = ReturnType<typeof stepExplainer>;

/** What the jobs to run of one step are compared with, and what a map job with none is. */
export interface StepAttempts {
  readonly byIdentity: Map<string, LastAttempt>;
  /**
   * Whether a map job with no attempt is a new item of the input: the
   * document never ran, or a run of it that ended ok had the step (the item
   * was not among its items). After runs that only failed or were killed,
   * it may be an item they never reached: not new, only never attempted.
   */
  readonly newItems: boolean;
  /**
   * Set on an instance of a block for a value of an axis that no run of the
   * document had (`T: [a, b]` → `[a, b, c]`), with a run that ended ok having
   * had another instance: why its jobs with no attempt run.
   */
  readonly newValues?: readonly string[];
}

/**
 * What the jobs to run are compared with, by identity (the step's outputs
 * as written, and the items): the result the newest run that had the job
 * used, or its last attempt when no later run used one (it failed). A job
 * whose identity has none is compared with its item's last attempt in the
 * document's runs of the step: after its outputs were renamed (`+.txt` →
 * `+`), it is the same item's job, and the plan says what changed rather
 * than "new item"; unless another step of the document has that attempt's
 * identity now.
 *
 * Read a slice of the step's jobs at a time (the planner's: the attempts'
 * records, ~500 bytes each, of a million items read at once held 3.4 GB);
 * what the step shares is read once: whether it was ever attempted under
 * its outputs as written, and its items' last attempts in the document's
 * runs (read only when a job has no attempt of its own).
 */
export function attemptsOfStep(session: Session, step: string): (jobs: readonly Job[]) => StepAttempts {
  let tried: boolean | undefined;
  let ofStep: { byItem: Map<string | null, LastAttempt & { readonly identity: string }>; newItems: boolean; others: Set<string>; newValues: readonly string[] | undefined } | undefined;
  return (jobs) => {
    if (jobs.length === 0) return { byIdentity: new Map(), newItems: true };
    // One probe: a map never attempted under its outputs as written (a new command, new outputs) looks up none of its million items.
    tried ??= session.meta.anyAttemptOf(baseIdentity(jobs[0]!.identity));
    const found: Map<string, LastAttempt> = tried ? withSameValues(session, step, jobs, usedSince(session, step, jobs, session.meta.own.lastAttempts(jobs.map((j) => j.identity), session.pipelinePath))) : new Map();
    const renamed = jobs.filter((j) => !found.has(j.identity));
    if (renamed.length === 0) return { byIdentity: found, newItems: true };
    ofStep ??= (() => {
      const { byItem, finished } = session.meta.own.lastAttemptsOfStep(step, session.pipelinePath);
      const newItems = finished || session.meta.runTable.of(session.pipelinePath).length === 0;
      return { byItem, newItems, others: byItem.size === 0 ? new Set<string>() : otherIdentities(session, step), newValues: byItem.size === 0 ? newAxisValues(session, step) : undefined };
    })();
    const { byItem, newItems, others, newValues } = ofStep;
    for (const job of renamed) {
      const attempt = byItem.get(rowItem(job.items));
      if (attempt !== undefined && !others.has(baseIdentity(attempt.identity))) found.set(job.identity, attempt);
    }
    return newValues === undefined ? { byIdentity: found, newItems } : { byIdentity: found, newItems, newValues };
  };
}

/**
 * Why the jobs of step `step`, which no run of the document attempted, run,
 * when it is a block's instance for values of its axes no run had: its
 * values that none of its block's other instances (the same command of
 * each) had in any run of the document, once a run that ended ok had one
 * of them. A value that did run, in another combination (`-e` ran part of
 * the sweep) is no new one; an instance whose values all ran gets none, nor
 * one that a run began with no job (its map had nothing to map over).
 * Read from the steps each run began (a query per run), for such steps only.
 */
function newAxisValues(session: Session, step: string): readonly string[] | undefined {
  const own = session.pipeline.steps.find((s) => s.id === step);
  const instance = own?.block.instance;
  if (own === undefined || instance === undefined || instance.axes.length === 0) return undefined;
  const command = own.id.slice(own.blockId.length);
  const siblings = session.pipeline.steps.filter((s) => s !== own && s.block.instance?.of === instance.of && s.id.slice(s.blockId.length) === command);
  if (siblings.length === 0) return undefined;
  const ran = new Set<string>();
  let ended = false;
  for (const run of session.meta.runTable.of(session.pipelinePath)) {
    const begun = session.meta.runRows.begun(run.id);
    // The instance itself begun, with no job (a map that found nothing to map over): its values are not new.
    if (begun.has(own.id)) return undefined;
    for (const sibling of siblings) {
      if (!begun.has(sibling.id)) continue;
      if (run.status === 'ok') ended = true;
      for (const [name, value] of sibling.block.instance!.axes) ran.add(`${name}=${value}`);
    }
  }
  const fresh = instance.axes.map(([name, value]) => `${name}=${value}`).filter((v) => !ran.has(v));
  if (!ended || fresh.length === 0) return undefined;
  return Object.freeze([`no previous result (new value${fresh.length === 1 ? '' : 's'} ${fresh.join(', ')})`]);
}

/**
 * The identities of the document's other steps. An attempt under the
 * step's id whose identity one of them has now is that step's: a block
 * inserted above took its id (ids are only names), and the new block is
 * not an edit of it.
 */
function otherIdentities(session: Session, step: string): Set<string> {
  return new Set(session.pipeline.steps.filter((s) => s.id !== step).map(stepIdentity));
}

/**
 * The attempts, each replaced by the result a later run used for the same
 * job: an edit run, then reverted and run again (every job cached), leaves
 * the edit's attempt, and it is not what the next change is from; so is a
 * later run that had the step under another id (its heading renamed since).
 * A row under the step's id is the job's only when its result has the job's
 * identity (another block may have the id now).
 */
function usedSince(session: Session, step: string, jobs: readonly Job[], attempts: Map<string, OwnAttempt>): Map<string, OwnAttempt> {
  const runOf = new Map<string | null, { job: Job; run: number }>();
  for (const job of jobs) {
    const run = attempts.get(job.identity)?.run;
    if (run !== undefined && run !== null) runOf.set(rowItem(job.items), { job, run });
  }
  if (runOf.size === 0) return attempts;
  const after = minOf(runOf.values(), (a) => a.run);
  const used = session.meta.own.usedSince(step, session.pipelinePath, new Map([...runOf].map(([item, { job }]) => [item, job.id])), after, [...runOf.values()].map(({ job }) => job.identity));
  const newer = [...used].filter(([item, u]) => u.run > runOf.get(item)!.run && u.key !== attempts.get(runOf.get(item)!.job.identity)!.key);
  if (newer.length === 0) return attempts;
  const results = session.meta.own.resultsOf(newer.map(([, u]) => u.key));
  for (const [item, { key, run }] of newer) {
    const { job } = runOf.get(item)!;
    const result = results.get(key);
    if (result?.identity === job.identity) attempts.set(job.identity, { key, status: 'ok', record: result.record, run });
    // The job's own key, used and gone since: `fsck --repair` dropped it (an edit and its revert before were no change).
    else if (result === undefined && key === job.key) attempts.set(job.identity, { ...attempts.get(job.identity)!, key, status: 'ok', run });
  }
  return attempts;
}

/**
 * The attempts made by a run with other values than the jobs have (`-e
 * V=2`, then a plan without), each replaced by the result the newest run
 * with the jobs' values used, where one did: the value is not what changed
 * since that run, as a value edited, run and reverted is not. Told by the
 * attempts' runs (a handful), not by reading a million records; an attempt
 * of no known run of the document is taken as it is.
 */
function withSameValues(session: Session, step: string, jobs: readonly Job[], attempts: Map<string, OwnAttempt>): Map<string, OwnAttempt> {
  const { record } = jobs[0]!;
  if (record.kind !== 'run') return attempts;
  const values = JSON.stringify(record.variables);
  const other = jobs.filter((j) => {
    const attempt = attempts.get(j.identity);
    return attempt?.run != null && attempt.key !== j.key && session.meta.runVariables.of(attempt.run) !== values;
  });
  if (other.length === 0) return attempts;
  const used = session.meta.own.usedWith(step, session.pipelinePath, new Map(other.map((j) => [rowItem(j.items), j.id])), values, other.map((j) => j.identity));
  const results = session.meta.own.resultsOf([...used.values()].map((u) => u.key));
  for (const job of other) {
    const u = used.get(rowItem(job.items));
    const result = u === undefined ? undefined : results.get(u.key);
    if (result?.identity === job.identity) attempts.set(job.identity, { key: u!.key, status: 'ok', record: result.record, run: u!.run });
  }
  return attempts;
}

// Shared by every job they explain (plans are read-only): a million new items need not hold a million arrays.
const NEW_ITEM: readonly string[] = Object.freeze(['no previous result (new item)']);
const NO_RESULT: readonly string[] = Object.freeze(['no previous result']);
const GONE: readonly string[] = Object.freeze(["the previous result's data is no longer in the store"]);
const DAMAGED: readonly string[] = Object.freeze(["the previous result's data was changed in the store since it was stored (`shark fsck` says which file)"]);
/** The same key succeeded, yet no result is recorded under it: only `fsck --repair` drops results. */
const DROPPED: readonly string[] = Object.freeze(['the previous result was dropped by `shark fsck --repair` (its data was missing or damaged)']);

/** Why a job that is not cached will run: what it cannot, what it was told, or what changed since its last attempt. */
export function runReasons(d: JobDecision, unbuilt: string | undefined, isMap: boolean, attempts: StepAttempts, explain: Explainer): readonly string[] {
  if (d.job.problem !== undefined) return [d.job.problem.message];
  if (unbuilt !== undefined) return [unbuilt];
  if (d.forced === true) return ['forced (--force)'];
  return reasonsFor(d, isMap, attempts, explain);
}

/** What changed since the job's last attempt, or that it has none (a new item, or none recorded). */
function reasonsFor(d: JobDecision, isMapJob: boolean, attempts: StepAttempts, explain: Explainer): readonly string[] {
  const { job } = d;
  if (d.stale !== undefined) return d.stale === 'damaged' ? DAMAGED : GONE;
  const attempt = attempts.byIdentity.get(job.identity);
  if (attempt === undefined) return attempts.newValues ?? (isMapJob && attempts.newItems ? NEW_ITEM : NO_RESULT);
  if (attempt.key === job.key) return attempt.status === 'failed' ? ['previous attempt failed'] : DROPPED;
  return explain(attempt.record, job.record);
}

/**
 * A blocked step's own edit, which its key cannot say yet (its inputs are to
 * be made): `command text changed` when the last attempt of its one job ran
 * another command, and so did the result the newest run used (an edit
 * undone since was said). Not asked of a map (its items are not known).
 */
export function ownCommandChanged(session: Session, step: Step): string[] {
  if (step.kind !== 'run' || isMap(step)) return [];
  const identity = stepIdentity(step);
  const last = session.meta.own.lastAttempts([identity], session.pipelinePath).get(identity);
  if (last === undefined || (JSON.parse(last.record) as KeyRecord).command === step.command) return [];
  // An edit undone: the result the newest run used, made before the attempt with the other text, has this one.
  const used = session.meta.own.latestResult(identity, session.pipelinePath);
  return used !== undefined && (JSON.parse(used.record) as KeyRecord).command === step.command ? [] : ['command text changed'];
}
