import { abortedOnceTurned, eachGivingWay } from '../abortable.js';
import type { Position } from '../diagnostics.js';
import type { Step } from '../pipeline/pipeline.js';
import { outputsOf } from '../store/metadata.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import type { StepMemo } from '../store/step-memos.js';
import type { DataState } from './data-state.js';
import type { Selection } from './selection.js';
import { HOST_ENV_ID } from './environment.js';
import { stepDeps, stepTools } from './host-tools.js';
import { composeOutputs, expandJobs, unmatchedPatterns, mapOverFile, stepIdentity, type Job, type JobContext } from './jobs.js';
import { jobClash } from './job-clashes.js';
import { forgoLastCheck, memoable, memoKey, memoScope, recall } from './step-memo.js';
import { keptResult } from './precious.js';
import { closest } from './closest-name.js';
import { isPrecious, NOT_NEEDED } from './selection.js';
import { picks, unmatchedPick, unpicked, type JobPick } from './job-picks.js';
import { strayedPick } from './item-picks.js';
import { stepFiles } from './local-files.js';
import { predictLocalImport } from './predicted-import.js';
import { resolveInputs } from './step-inputs.js';
import { resolveImport, type Session } from './session.js';

/** A stored result whose data is all present: `key` is the job's own, or an earlier one a `{precious}` block keeps. */
export interface CachedResult {
  readonly outputs: Record<string, SnapshotId>;
  /** The log of the job that made it; left out when read for many jobs at once (`Metadata.logsMany`). */
  readonly log?: string | null;
  readonly key: string;
  /** `outputs` as pairs in the step's order, where they are had without making the record (a job its step's memo decided). */
  readonly pairs?: readonly (readonly [path: string, id: SnapshotId])[];
}

export interface JobDecision {
  readonly job: Job;
  /** Its stored result, when it is cached (every byte present). */
  readonly cached: CachedResult | undefined;
  /** A `{precious}` block's earlier result is kept although these components changed (`explain`'s reasons). */
  readonly kept?: readonly string[];
  /** Runs although it may be cached: `--force` names its block. */
  readonly forced?: boolean;
  /** Its result is recorded but some of its data is no longer in the store, or changed there since it was stored. */
  readonly stale?: 'missing' | 'damaged';
}

/** What the selection decided for one step beyond its definition: `--force`, and the jobs the targets name when not all. */
export interface StepPolicy {
  readonly forced?: boolean;
  /** Only these jobs are decided (the others are left out). */
  readonly only?: JobPick;
  /** These jobs run even when cached. */
  readonly forcedJobs?: JobPick;
}

/** The policy `selection` gives step `id`. */
export function stepPolicy(selection: Selection | undefined, id: string): StepPolicy {
  const only = selection?.only?.get(id);
  const forcedJobs = selection?.forcedJobs?.get(id);
  return { forced: selection?.forced.has(id) ?? false, ...(only !== undefined ? { only } : {}), ...(forcedJobs !== undefined ? { forcedJobs } : {}) };
}

/**
 * The one decision both `plan` and `run` make for a step once the ids of
 * what it reads are known: its jobs (one per map item), their keys, and which
 * are cached. `plan` prints it; `run` executes the jobs that are not cached.
 */
export type StepDecision =
  | { readonly kind: 'blocked'; readonly step: string }
  /** The signal was aborted while a large map was decided (Ctrl-C during `run`): nothing was decided. */
  | { readonly kind: 'interrupted' }
  /** `no-job`: a target or `--force` (`forced`) names a job of this map that it does not have (bad input: plan exits 2); `name` as given. */
  | { readonly kind: 'failed'; readonly message: string; readonly reason: 'missing-input' | 'import' | 'conflict' | 'no-job'; readonly at: Position; readonly forced?: boolean; readonly name?: string }
  | {
      readonly kind: 'jobs';
      readonly jobs: readonly JobDecision[];
      readonly isMap: boolean;
      /** Why nothing of this step can be cached (its environment is not built): plan's reason for every job. */
      readonly unbuilt?: string;
      /** Output ids known without running (a local import's content): what the plan can see past. */
      readonly predicted?: ReadonlyMap<string, SnapshotId>;
      /** A map step that can be remembered (`step-memo.ts`): its memo's key, and the memo when it decided every job. */
      readonly memo?: { readonly key: string; readonly hit?: StepMemo };
      /** Only some of the map's jobs are decided (`StepPolicy.only`): what it writes is not known whole after them. */
      readonly partial?: { readonly of: number };
      /** What is said of each job `--force` names that the targets leave out (as `Selection.forceUnused` is). */
      readonly forceUnused?: readonly string[];
      /** A map with no job: its wildcards (`/data/dir/PATTERN`) that match nothing. */
      readonly unmatched?: readonly string[];
    };

/** Environment ids as this walk sees them: the images `plan` finds, or those `run` made sure of. */
export type EnvironmentIds = (name: string) => { readonly id: string } | { readonly missing: string };

export async function decideStep(
  session: Session, step: Step, state: DataState, envIds: EnvironmentIds, signal: AbortSignal, policy: StepPolicy = {},
): Promise<StepDecision> {
  const inputs = resolveInputs(step, state, session.pipeline.hidden?.get(step.id));
  if (inputs.kind === 'pending') return { kind: 'blocked', step: inputs.step };
  if (inputs.kind === 'missing') return { kind: 'failed', message: inputs.message, reason: inputs.conflict === true ? 'conflict' : 'missing-input', at: step.at };
  let envId = HOST_ENV_ID;
  let unbuilt: string | undefined;
  if (step.kind === 'run' && step.env !== undefined) {
    const env = envIds(step.env);
    if ('id' in env) envId = env.id;
    else (unbuilt = env.missing), (envId = `unbuilt:${step.env}`);
  }
  let pin: Readonly<Record<string, string | number>> | undefined;
  if (step.kind === 'import') {
    envId = 'import';
    const resolved = await resolveImport(session, step, signal);
    if (!resolved.ok) return { kind: 'failed', message: resolved.message, reason: 'import', at: step.at };
    pin = resolved.pin;
  }
  const notDir = mapOverFile(step, inputs.ids, (id) => state.entries(id));
  if (notDir !== undefined) return { kind: 'failed', message: notDir.message, reason: 'missing-input', at: notDir.at };
  const deps = stepDeps(session, step);
  if (!deps.ok) return { kind: 'failed', message: deps.message, reason: 'missing-input', at: deps.at };
  const ctx: JobContext = {
    envId,
    variables: session.variables,
    files: await stepFiles(session, step),
    tools: stepTools(session, step),
    deps: deps.deps,
    ...(pin !== undefined ? { pin } : {}),
    // Only container steps record it (expandJobs decides).
    workdir: session.pipeline.workdir,
  };
  const entriesOf = (id: SnapshotId): readonly TreeEntry[] | undefined => state.entries(id);
  const all = expandJobs(step, inputs.ids, entriesOf, ctx);
  if (await stopped(signal, all.length)) return INTERRUPTED;
  // Of a map over several wildcards, the note on it names only those to look at.
  const unmatched = all.length === 0 ? { unmatched: unmatchedPatterns(step, inputs.ids, entriesOf) } : {};
  for (const [pick, forced] of [[policy.only, false], [policy.forcedJobs, true]] as const) {
    const missing = pick === undefined ? undefined : unmatchedPick(step, pick, all, closest);
    if (missing !== undefined) return { kind: 'failed', message: missing.message, reason: 'no-job', at: step.at, forced, name: missing.name };
  }
  const only = policy.only;
  const jobs = only === undefined ? all : all.filter((job) => picks(only, job));
  // Items a map below was asked for (`down[zz.txt]`) that this one, the only writer of their directory, does not make:
  // the target names no job (it planned 0 jobs here, noted nothing matched, and the run failed on a missing input).
  const missed = only === undefined || jobs.length > 0 || all.length === 0 ? undefined : strayedPick(session.pipeline.steps, step, only);
  const strayed = missed === undefined ? undefined : unmatchedPick(step, missed, all, closest);
  if (strayed !== undefined) return { kind: 'failed', message: `${strayed.message}, which a map the targets name reads`, reason: 'no-job', at: step.at, forced: false, name: strayed.name };
  // A forced job of the map the targets do not name: only its items tell, and it must not be dropped without a word.
  const forceUnused = only === undefined || policy.forcedJobs === undefined ? []
    : [...new Set(unpicked(policy.forcedJobs, jobs).map((n) => `--force ${n.name}: ${NOT_NEEDED}`))];
  // A memo answers for every job of the map at once: not for some of them, nor when some must run.
  const memo = unbuilt === undefined && policy.forced !== true && only === undefined && policy.forcedJobs === undefined && memoable(step)
    ? { key: memoKey(step, inputs.ids, ctx) } : undefined;
  const found = memo === undefined ? undefined : session.meta.memos.get(memo.key);
  const recalled = found === undefined ? undefined : await recall(session, step, jobs, found, entriesOf);
  if (recalled !== undefined) return { kind: 'jobs', jobs: recalled, isMap: true, memo: { key: memo!.key, hit: found! }, ...unmatched };
  forgoLastCheck(session, step);
  const clash = jobClash(step, all);
  if (clash !== undefined) return { kind: 'failed', reason: 'conflict', ...clash };
  // One query per few hundred jobs instead of one per job: a map step may have thousands.
  // A job has an output per output of its step (asking each job built its list of paths: a million for nothing).
  const outputless = jobs.length > 0 && step.outputs.length === 0;
  // A step none of whose jobs has a result yet (a new map's first plan) hashes no key: one probe of the identities says
  // so. A run step's identity is made of what its key holds (output labels or command, items), so a result under its
  // key is one under its identity; an import's names its step, which its key does not hold: always looked up.
  const lookUp = unbuilt === undefined && policy.forced !== true && jobs.length > 0
    && (step.kind !== 'run' || session.meta.anyResultOf(stepIdentity(step)));
  // The keys hashed a slice at a time (a million take seconds), a Ctrl-C heard between slices.
  if (lookUp && !(await eachGivingWay(jobs, GIVE_WAY_FROM, signal, (job) => void job.key))) return INTERRUPTED;
  const stored = lookUp ? session.meta.resultOutputsMany(jobs.map((j) => j.key), outputless) : new Map<string, Record<string, SnapshotId>>();
  const ids: SnapshotId[] = [];
  // By job: `stored` may hold other keys' outputs too (read whole when they were most of the table).
  // Not a job's key asked for when nothing was found (it would be hashed for nothing).
  if (stored.size > 0) {
    for (const job of jobs) {
      const outputs = stored.get(job.key);
      if (outputs !== undefined) for (const path in outputs) ids.push(outputs[path]!);
    }
  }
  await session.store.preload?.(ids);
  if (await stopped(signal, jobs.length)) return INTERRUPTED;
  const decided: JobDecision[] = [];
  if (!(await eachGivingWay(jobs, GIVE_WAY_FROM, signal, (job) => decided.push(decideJob(job))))) return INTERRUPTED;
  function decideJob(job: Job): JobDecision {
    // `run` keeps a `{precious}` result whatever image the rebuild makes: said as the rebuild, not as an id not known yet.
    const forced = policy.forced === true || (policy.forcedJobs !== undefined && picks(policy.forcedJobs, job));
    if (unbuilt !== undefined) return (isPrecious(step) && !forced ? keptResult(session, job, unbuilt) : undefined) ?? { job, cached: undefined };
    if (forced) return { job, cached: undefined, forced: true };
    const row = stored.size === 0 ? undefined : stored.get(job.key);
    const cached = cachedResult(session, job, row === undefined ? null : { outputs: row });
    // A `{precious}` result is not replaced by another document's result for the edited command: it lends no bytes.
    if (cached !== undefined) return (isPrecious(step) && !session.meta.own.ownsKey(job.key, session.pipelinePath) ? keptResult(session, job) : undefined) ?? { job, cached };
    return (isPrecious(step) ? keptResult(session, job) : undefined) ?? (row !== undefined ? { job, cached, stale: staleness(session, row) } : { job, cached });
  }
  const predicted = predictLocalImport(session, step, pin);
  return {
    kind: 'jobs', jobs: decided, isMap: step.inputs.some((i) => i.pattern !== undefined),
    ...(unbuilt !== undefined ? { unbuilt } : {}), ...(predicted !== undefined ? { predicted } : {}), ...(memo !== undefined ? { memo } : {}),
    ...(only !== undefined ? { partial: { of: all.length } } : {}), ...(forceUnused.length > 0 ? { forceUnused } : {}), ...unmatched,
  };
}

const INTERRUPTED = { kind: 'interrupted' } as const;

/** Why a recorded result's data is not all there: damaged when one output the store refuses is there but changed. */
function staleness(session: Session, outputs: Record<string, SnapshotId>): 'missing' | 'damaged' {
  const { store } = session;
  return Object.values(outputs).some((id) => !store.has(id) && store.damaged?.(id) === true) ? 'damaged' : 'missing';
}

/** Jobs from which a step's decision gives way between its phases and slices of its jobs (a million-item map takes ~10 s to decide). */
const GIVE_WAY_FROM = 16_384;

/** Whether the signal was aborted, the event loop let turn first when the step has many jobs (`abortedOnceTurned`). */
async function stopped(signal: AbortSignal, jobs: number): Promise<boolean> {
  return jobs >= GIVE_WAY_FROM ? abortedOnceTurned(signal) : signal.aborted;
}

/** A step's decision where nothing aborts it (`plan`, the shell): never `interrupted`. */
export function decidedWhole(decision: StepDecision): Exclude<StepDecision, { kind: 'interrupted' }> {
  if (decision.kind === 'interrupted') throw new Error('a step was interrupted while it was decided, with nothing to interrupt it');
  return decision;
}

/**
 * What `plan` notes and `run` says of a map with nothing to map over: not an
 * error (its outputs are empty directories, which can be right), but it must
 * not vanish from view, or what reads it computes on nothing unawares.
 */
export function emptyMapNote(step: Step, decision: StepDecision): string | undefined {
  if (decision.kind !== 'jobs' || !decision.isMap || decision.jobs.length > 0) return undefined;
  const all = step.inputs.flatMap((i) => (i.pattern === undefined ? [] : [`${i.path}/${i.pattern}`]));
  const patterns = (decision.unmatched !== undefined && decision.unmatched.length > 0 ? decision.unmatched : all).join(', ');
  return `${step.id} (line ${step.at.line}): nothing matches ${patterns}: 0 jobs`;
}

/** Cached outputs (and the log) of a job, when its result exists and its data is all still in the store. */
export function cachedResult(
  session: Session,
  job: Job,
  /** The stored outputs when the caller read them already (null: there is no result). */
  known?: { outputs: Record<string, SnapshotId> } | null,
): CachedResult | undefined {
  const stored = known === undefined ? session.meta.resultOutputs(job.key) : known ?? undefined;
  if (stored === undefined) return undefined;
  const outputs = typeof stored.outputs === 'string' ? outputsOf(stored.outputs) : stored.outputs;
  for (const path in outputs) if (!session.store.has(outputs[path]!)) return undefined;
  return { outputs, ...('log' in stored ? { log: stored.log } : {}), key: job.key };
}

/**
 * Makes what a step's finished jobs wrote known to the walk: each output,
 * and a map's composed directories. `cached`: every job was cached (none
 * ran), so a memoable step's outcome is remembered, naming `source`'s rows
 * when a run recorded one for each job; a memo that decided the step gives
 * its directories as they are.
 */
export function completeStep(
  session: Session,
  step: Step,
  done: readonly { job: Job; outputs: Record<string, SnapshotId> }[],
  state: DataState,
  decided?: { readonly memo?: { readonly key: string; readonly hit?: StepMemo }; readonly cached: boolean; readonly source?: { run: number; step: string } },
): { ok: true } | { ok: false; message: string } {
  const memo = decided?.memo;
  let ids: ReadonlyMap<string, SnapshotId>;
  if (memo?.hit !== undefined) {
    ids = memo.hit.outputs;
    const source = decided!.source;
    if (source !== undefined) session.meta.memos.setSource(memo.key, source.run, source.step);
  } else {
    const composed = composeOutputs(step, done, (id) => state.entries(id), (e) => session.store.composeTree(e));
    if (!composed.ok) return composed;
    ids = composed.ids;
    if (memo !== undefined && decided!.cached) session.meta.memos.put(memo.key, ids, done.length, decided!.source);
  }
  // The next plan checks this memo's directories while it walks the inputs (`checkMemosAhead`).
  if (memo !== undefined && (memo.hit !== undefined || decided!.cached)) session.meta.memos.setLast(memoScope(session, step), memo.key);
  for (const [path, id] of ids) state.setKnown(path, id, step.id);
  return { ok: true };
}
