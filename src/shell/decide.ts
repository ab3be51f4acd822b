import type { RunSession } from '../exec/executor.js';
import { loadPipeline } from '../pipeline/load.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import type { DataState } from '../plan/data-state.js';
import type { Job } from '../plan/jobs.js';
import { seededState } from '../plan/session.js';
import { completeStep, decidedWhole, decideStep } from '../plan/step-plan.js';

export type Decided =
  | {
    readonly ok: true; readonly pipeline: Pipeline; readonly step: Step; readonly job: Job; readonly state: DataState;
    /** The outputs of the result the store holds for the job's key, when it holds one. */
    readonly stored: Readonly<Record<string, string>> | undefined;
  }
  | { readonly ok: false; readonly message: string };

/**
 * Reads `text` (the document so far, ending with the new step) as `shark run`
 * would, and makes the plan's one decision for its last step: its inputs,
 * outputs, job and cache key. Every step before it must be cached (they are
 * the session's own steps and FILE's results), so the ids of what it reads
 * are exactly those a plan of the saved document will find.
 */
export async function decideLast(
  session: RunSession, file: string, text: string, envIds: ReadonlyMap<string, string>, hostInputs: ReadonlyMap<string, string>,
): Promise<Decided> {
  const loaded = loadPipeline(file, text);
  const problem = loaded.diagnostics.find((d) => d.severity === 'error');
  if (loaded.pipeline === undefined || problem !== undefined) {
    return { ok: false, message: problem?.message ?? 'the step cannot be read as a pipeline step' };
  }
  const walked = await walk({ ...session, pipeline: loaded.pipeline }, envIds, hostInputs, true);
  return 'job' in walked ? walked : walked.ok ? { ok: false, message: 'no step' } : walked;
}

/**
 * The latest results of a document: every step's outputs, all cached (FILE
 * must have been run). A step that is not cached is an error naming it.
 */
export async function latestResults(
  session: RunSession, envIds: ReadonlyMap<string, string>, hostInputs: ReadonlyMap<string, string>,
): Promise<{ ok: true; outputs: Map<string, string> } | Unwalked> {
  const walked = await walk(session, envIds, hostInputs, false);
  return 'job' in walked ? { ok: false, message: 'unexpected' } : walked;
}

/** Why a document's steps could not all be walked; `uncached` names the step that has no result yet (`step one (line 8)`). */
type Unwalked = { readonly ok: false; readonly message: string; readonly uncached?: string };

async function walk(
  view: RunSession, envIds: ReadonlyMap<string, string>, hostInputs: ReadonlyMap<string, string>, stopAtLast: boolean,
): Promise<Decided | { ok: true; outputs: Map<string, string> } | Unwalked> {
  const { pipeline } = view;
  const steps = pipeline.steps.filter((s) => s.kind !== 'publish');
  const last = stopAtLast ? steps[steps.length - 1] : undefined;
  const outputs = new Map<string, string>();
  const state = seededState(view, hostInputs);
  const signal = new AbortController().signal;
  const ids = (name: string): { id: string } | { missing: string } => {
    const id = envIds.get(name);
    return id === undefined ? { missing: `environment ${name} not built` } : { id };
  };
  for (const step of steps) {
    const decision = decidedWhole(await decideStep(view, step, state, ids, signal));
    if (decision.kind === 'blocked') return { ok: false, message: `${step.id} waits on ${decision.step}` };
    if (decision.kind === 'failed') return { ok: false, message: decision.message };
    if (step === last) {
      const [only, ...more] = decision.jobs;
      if (only === undefined || more.length > 0) return { ok: false, message: 'a command that maps over items (`*`) cannot be recorded from the shell' };
      return { ok: true, pipeline, step, job: only.job, stored: only.cached?.outputs, state };
    }
    const done = decision.jobs.map((d) => (d.cached === undefined ? undefined : { job: d.job, outputs: d.cached.outputs }));
    const uncached = `step ${step.id} (line ${step.at.line})`;
    if (done.some((d) => d === undefined)) return { ok: false, message: `${uncached} is not cached: run the document first`, uncached };
    const finished = done as { job: Job; outputs: Record<string, string> }[];
    const completed = completeStep(view, step, finished, state);
    if (!completed.ok) return { ok: false, message: completed.message };
    for (const d of finished) for (const [p, id] of Object.entries(d.outputs)) outputs.set(p, id);
  }
  return { ok: true, outputs };
}
