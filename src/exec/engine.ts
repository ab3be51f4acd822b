import { setMaxListeners } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { isMap } from '../pipeline/pipeline.js';
import { DataState } from '../plan/data-state.js';
import { InvalidInput, readingInput, seedInputs } from '../plan/session.js';
import { everything, leftOutSummary } from '../plan/selection.js';
import type { RunSession } from './executor.js';
import { Leases } from '../store/leases.js';
import { BEAT_MS } from '../store/liveness.js';
import { sha256 } from '../store/hash.js';
import type { RunEvent, RunSummary } from './events.js';
import { RunContext, stagingWidth, stopFlagIn, type RunOptions } from './run/context.js';
import { Scheduler } from './scheduler.js';
import { runStep } from './run/run-step.js';
import { stepFailed, type StepOutcome } from './run/step-failed.js';
import { keepBuildLog } from './run/build-log.js';
import { slurmExecutorFor } from './slurm/for-run.js';

export type { RunOptions } from './run/context.js';

/**
 * Runs the cache misses of a pipeline, in named stages:
 *  - prepare: record the run, wait out a `gc --delete`, ingest host inputs
 *    (one holding a FIFO ends the run and throws `InvalidInput`);
 *  - environments: build or find each container image, once across the runs sharing the store
 *    (a failure stops the run, as a failed job does: with --keep-going, only its steps are skipped);
 *  - schedule: every step waits only for the steps it reads from, and all
 *    jobs share one budget of `-j` slots (run/run-step.ts);
 *  - execute and commit: each job at most once across processes, committed
 *    whole or not at all (run/run-job.ts);
 *  - publish: results copied out, each target whole (run/run-step.ts).
 */
export async function runPipeline(
  session: RunSession,
  hostInputs: ReadonlyMap<string, string>,
  options: RunOptions,
  emit: (e: RunEvent) => void,
): Promise<RunSummary> {
  const started = Date.now();
  // Each running or queued job listens for the stop: at -j 8, more than Node's 10 before it warns of a leak.
  setMaxListeners(0, options.signal);
  const { pipeline, store, meta } = session;
  const runId = meta.startRun(session.pipelinePath, sha256(pipeline.document.source), session.variables);
  const leases = new Leases(meta, runId);
  const logsDir = join(store.metaDir, 'logs', String(runId));
  mkdirSync(logsDir, { recursive: true });
  const jobs = Math.max(1, options.jobs);
  // Under Slurm, `-j` throttles each array and the cluster admits what runs: every job is handed to it at once.
  const slurm = options.slurm === undefined ? undefined : slurmExecutorFor(session, options.slurm, jobs, options.keepGoing ? undefined : stopFlagIn(logsDir));
  const pools = options.pools ?? new Map<string, number>();
  const staging = pLimit(stagingWidth(jobs, 1, slurm !== undefined));
  // A lane of short jobs queues several behind each running one (lane-pace.ts): as many more are staged.
  const deepened = slurm === undefined ? (depth: number): void => void (staging.concurrency = stagingWidth(jobs, depth, false)) : undefined;
  const scheduler = new Scheduler(slurm === undefined ? { slots: jobs, memory: options.memory ?? Infinity, pools } : { slots: Number.MAX_SAFE_INTEGER, memory: Infinity, pools }, options.signal, deepened);
  const ctx = new RunContext(session, runId, options, emit, leases, scheduler, staging, logsDir, slurm);
  const cancelSlurm = (): void => void slurm?.cancelAll();
  options.signal.addEventListener('abort', cancelSlurm, { once: true });
  // Steps neither targeted nor needed (or `{manual}`) are not scheduled at all.
  const selection = options.selection ?? everything(pipeline);
  const steps = pipeline.steps.filter((s) => selection.steps.has(s.id));
  const beat = setInterval(() => meta.beatRun(runId), BEAT_MS);
  beat.unref();
  /** What ends with the run, however it ends: nothing of it may touch the store once the command closes it. */
  const stopped = (): void => {
    ctx.ended();
    clearInterval(beat);
    options.signal.removeEventListener('abort', cancelSlurm);
    slurm?.close();
    leases.releaseAll();
  };
  /** The run ends on an error that ends the command (its database damaged): nothing more is written or said. */
  const abandoned = (e: unknown): never => {
    ctx.abandon();
    stopped();
    throw e;
  };
  /** `recorded: false`: the run was refused before any job, as bad input is, and leaves no row (`runs` and `lineage` never see it). */
  const finish = (ended: RunSummary['status'], recorded = true): RunSummary => {
    // The rows still waiting are written first; a step whose rows could not be fails the run.
    ctx.cachedRows.flush();
    if (ctx.damage !== undefined) abandoned(ctx.damage);
    stopped();
    const status = ended === 'ok' && ctx.counts.failed > 0 ? 'failed' : ended;
    const summary = { ...ctx.summary(status, started), ...leftOutSummary(pipeline, selection, ctx.forceUnused) };
    try {
      if (recorded) meta.endRun(runId, status, summary);
      else {
        meta.runTable.forget(runId);
        rmSync(logsDir, { recursive: true, force: true });
      }
    } catch {
      // The store refused the write (a full disk, its jobs' failures said so): the run, recorded as running, will be listed as interrupted.
    }
    emit({ type: 'run-end', summary });
    return summary;
  };
  /** Stopped before any step began: each is said skipped, a map's jobs not listed yet. */
  const interruptedBeforeSteps = (): RunSummary => {
    for (const step of steps) if (step.kind !== 'publish') ctx.skip(step.id, step, 'interrupted', isMap(step));
    return finish('interrupted');
  };
  emit({ type: 'run-start', run: runId, steps: steps.length, store: store.location });

  // Prepare.
  // Said: the run printed its number and then nothing for the seconds a gc took.
  const collecting = leases.heldBy('gc');
  if (collecting !== undefined) emit({ type: 'gc-waiting', holder: collecting });
  // Ctrl-C meanwhile: every step said skipped, as when it comes while the inputs are taken in (it said 0 run, 0 skipped).
  if (!(await leases.waitWhileHeld('gc', options.signal))) return interruptedBeforeSteps();
  const state = new DataState((id) => store.entries(id), (e) => store.composeTree(e));
  try {
    const ids = new Map<string, string>();
    for (const [dataPath, host] of hostInputs) ids.set(dataPath, await readingInput(session, dataPath, host, (links) => store.ingest(host, links, options.signal)));
    seedInputs(state, session, ids);
  } catch (e) {
    // Ctrl-C while an input was taken in: the run stops there, every step skipped as not started.
    if (options.signal.aborted) return interruptedBeforeSteps();
    // An input refused (`InvalidInput`: a FIFO in it, one disagreeing with the input around it) or unreadable: refused as a missing one is, leaving no run behind.
    finish('failed', !(e instanceof InvalidInput));
    throw e;
  }

  // Environments.
  const envIds = new Map<string, string>();
  const unbuilt = new Map<string, string>();
  const needed = new Set(steps.flatMap((s) => (s.kind === 'run' && s.env !== undefined ? [s.env] : [])));
  for (const name of needed) {
    // After a failure without --keep-going (or Ctrl-C), the rest are not built: their steps are counted skipped below.
    if (ctx.halted) break;
    emit({ type: 'env-build', env: name });
    const looked = Date.now();
    const built: { log?: string } = {};
    const waiting = ({ pid, host }: { pid: number; host: string }): void => emit({ type: 'env-waiting', env: name, holder: { pid, host } });
    const env = await session.envs.ensure(name, options.signal, { leases, waiting, built: (log) => (built.log = log) });
    // A build Ctrl-C cut short did not fail: the run is interrupted, and its steps are skipped as such.
    if ('error' in env && options.signal.aborted) break;
    const log = built.log === undefined ? null : keepBuildLog(ctx, name, built.log, 'error' in env ? undefined : env.id);
    if ('error' in env) {
      const block = pipeline.environments.get(name)?.block;
      stepFailed(ctx, { id: name, at: block?.at ?? { line: 1, col: 1 } }, env.error, 'environment', log);
      unbuilt.set(name, `environment ${name} failed to build`);
      continue;
    }
    envIds.set(name, env.id);
    const image = env.id.slice(env.id.indexOf(':') + 1).replace(/^sha256:/, '').slice(0, 12);
    emit({ type: 'env-ready', env: name, image, built: built.log !== undefined, ...(built.log !== undefined ? { seconds: (Date.now() - looked) / 1000 } : {}), ...('unchecked' in env && env.unchecked !== undefined ? { unchecked: true as const } : {}) });
  }

  // Schedule, execute, commit, publish.
  const outcomes = new Map<string, Promise<StepOutcome>>();
  for (const step of steps) {
    const env = step.kind === 'run' ? step.env : undefined;
    if (env !== undefined && !envIds.has(env)) {
      // A map's items are not listed yet: counted as a map not started, as run-step skips one.
      ctx.skip(step.id, step, unbuilt.get(env), isMap(step));
      outcomes.set(step.id, Promise.resolve({ ok: false }));
      continue;
    }
    outcomes.set(step.id, runStep(ctx, step, state, envIds, step.after.map((id) => outcomes.get(id)!)));
  }
  try {
    await Promise.all(outcomes.values());
  } catch (e) {
    abandoned(e);
  }
  if (options.signal.aborted) return finish('interrupted');
  // Only while no other run lives: its own submissions are not left behind.
  const left = slurm === undefined || meta.liveRuns().length > 1 ? [] : await slurm.leftBehind();
  if (left.length > 0) ctx.slurmLeftBehind = left;
  return finish(ctx.counts.failed > 0 ? 'failed' : 'ok');
}
