import { HOST_ENV_ID } from '../exec/environments.js';
import type { Input, Step } from '../pipeline/pipeline.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { DataState } from './data-state.js';
import { explain, type KeyRecord } from './key.js';
import { composeOutputs, expandJobs, mapOverFile, type Job } from './jobs.js';
import { resolveImport, stepFiles, type Session } from './session.js';

export type JobStatus = 'cached' | 'run' | 'blocked';

export interface PlannedJob {
  readonly block: string;
  readonly step: string;
  readonly job: string;
  readonly line: number;
  readonly items: readonly string[];
  readonly status: JobStatus;
  readonly reasons: readonly string[];
  /** Snapshot ids (or names, on ZFS) of a cached job's outputs. */
  readonly outputs?: Readonly<Record<string, string>>;
}

export interface Plan {
  readonly jobs: readonly PlannedJob[];
  readonly summary: { readonly cached: number; readonly run: number; readonly blocked: number };
  readonly notes: readonly string[];
}

/** What is known of a step's inputs: their ids, or why they are not known yet. */
export type InputsOutcome =
  | { kind: 'ready'; ids: Map<Input, SnapshotId> }
  | { kind: 'pending'; step: string }
  | { kind: 'missing'; message: string };

export function resolveInputs(step: Step, state: DataState): InputsOutcome {
  const ids = new Map<Input, SnapshotId>();
  for (const input of step.inputs) {
    const found = state.lookup(input.path);
    if (found.kind === 'pending') return { kind: 'pending', step: found.step };
    if (found.kind === 'missing') return { kind: 'missing', message: `input ${input.path} is missing: ${found.message}` };
    ids.set(input, found.id);
  }
  return { kind: 'ready', ids };
}

/** Why a job that is not cached will run. */
export function reasonsFor(session: Session, job: Job, isMapJob: boolean): string[] {
  if (session.meta.resultOutputs(job.key) !== undefined) return ["the previous result's data is no longer in the store"];
  const attempt = session.meta.attempt(job.identity);
  if (attempt === undefined) return [isMapJob ? 'no previous result (new item)' : 'no previous result'];
  if (attempt.key === job.key && attempt.status === 'failed') return ['previous attempt failed'];
  return explain(JSON.parse(attempt.record) as KeyRecord, job.record);
}

/** Cached outputs (and the log) of a job, when its result exists and its data is all still in the store. */
export function cachedResult(session: Session, job: Job): { outputs: Record<string, SnapshotId>; log: string | null } | undefined {
  const stored = session.meta.resultOutputs(job.key);
  if (stored === undefined) return undefined;
  const outputs = JSON.parse(stored.outputs) as Record<string, SnapshotId>;
  for (const id of Object.values(outputs)) if (!session.store.has(id)) return undefined;
  return { outputs, log: stored.log };
}

/**
 * A dry run: every job in DAG order with `cached`, `run` or `blocked` and
 * the reasons. Executes nothing and writes nothing but the stat cache.
 */
export async function planPipeline(session: Session, state: DataState): Promise<Plan> {
  const jobs: PlannedJob[] = [];
  const signal = new AbortController().signal;
  for (const step of session.pipeline.steps) {
    if (step.kind === 'publish') continue;
    const base = { block: step.blockId, step: step.id, line: step.at.line };
    const pending = (reason: string, status: JobStatus): void => {
      jobs.push({ ...base, job: step.id, items: [], status, reasons: [reason] });
      for (const o of step.outputs) state.setPending(o.path, step.id);
    };
    const inputs = resolveInputs(step, state);
    if (inputs.kind === 'pending') {
      pending(`upstream will run (${inputs.step})`, 'blocked');
      continue;
    }
    if (inputs.kind === 'missing') {
      pending(inputs.message, 'run');
      continue;
    }
    let envId = HOST_ENV_ID;
    let envProblem: string | undefined;
    if (step.kind === 'run' && step.env !== undefined) {
      const env = session.envs.current(step.env);
      if ('id' in env) envId = env.id;
      else (envProblem = env.missing), (envId = `unbuilt:${step.env}`);
    }
    let pin: Readonly<Record<string, string | number>> | undefined;
    if (step.kind === 'import') {
      envId = 'import';
      const resolved = await resolveImport(session, step, signal);
      if (!resolved.ok) {
        pending(resolved.message, 'run');
        continue;
      }
      pin = resolved.pin;
    }
    const notDir = mapOverFile(step, inputs.ids, (id) => state.entries(id));
    if (notDir !== undefined) {
      pending(`${notDir.message} (line ${notDir.at.line}, column ${notDir.at.col})`, 'run');
      continue;
    }
    const expanded = expandJobs(step, inputs.ids, (id) => state.entries(id), {
      envId,
      variables: session.variables,
      files: stepFiles(session, step),
      ...(pin !== undefined ? { pin } : {}),
      // Only container steps record it (expandJobs decides); the run must pass it too, or keys differ.
      workdir: session.pipeline.workdir,
    });
    const isMap = step.inputs.some((i) => i.pattern !== undefined);
    const done: { job: Job; outputs: Record<string, SnapshotId> }[] = [];
    for (const job of expanded) {
      const items = job.items.map((i) => i.name);
      const outputs = envProblem === undefined ? cachedResult(session, job)?.outputs : undefined;
      if (outputs !== undefined) {
        done.push({ job, outputs });
        const shown = Object.fromEntries(Object.entries(outputs).map(([p, id]) => [p, session.store.describe(id) ?? id]));
        jobs.push({ ...base, job: job.id, items, status: 'cached', reasons: [], outputs: shown });
      } else {
        jobs.push({ ...base, job: job.id, items, status: 'run', reasons: envProblem !== undefined ? [envProblem] : reasonsFor(session, job, isMap) });
      }
    }
    if (done.length === expanded.length) {
      const composed = composeOutputs(step, done, (id) => state.entries(id), (e) => session.store.composeTree(e));
      if (composed.ok) for (const [path, id] of composed.ids) state.setKnown(path, id);
      else for (const o of step.outputs) state.setPending(o.path, step.id);
    } else {
      for (const o of step.outputs) state.setPending(o.path, step.id);
    }
  }
  const summary = {
    cached: jobs.filter((j) => j.status === 'cached').length,
    run: jobs.filter((j) => j.status === 'run').length,
    blocked: jobs.filter((j) => j.status === 'blocked').length,
  };
  const perEnv = new Map<string, number>();
  for (const j of jobs) {
    const step = session.pipeline.stepsById.get(j.step);
    if (step?.kind === 'run' && step.env !== undefined) perEnv.set(step.env, (perEnv.get(step.env) ?? 0) + 1);
  }
  return { jobs, summary, notes: session.envs.notes(perEnv) };
}
