import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { importerFor } from '../imports/registry.js';
import { importLockKey, writeLock } from '../lockfile.js';
import type { Position } from '../diagnostics.js';
import type { Step } from '../pipeline/pipeline.js';
import { DataState } from '../plan/data-state.js';
import { composeOutputs, expandJobs, type Job } from '../plan/jobs.js';
import { keyOf } from '../plan/key.js';
import { cachedResult, resolveInputs } from '../plan/planner.js';
import { renderScript } from '../plan/render-command.js';
import { importContext, resolveImport, stepFiles, type Session } from '../plan/session.js';
import type { RunJobRow } from '../store/metadata.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { VERSION } from '../version.js';
import { HOST_ENV_ID } from './environments.js';
import type { RunEvent, RunSummary } from './events.js';
import type { ExecOutcome } from './executor.js';

export interface RunOptions {
  /** Jobs at once, across all steps and items. */
  readonly jobs: number;
  readonly keepGoing: boolean;
  readonly signal: AbortSignal;
}

type StepOutcome = { readonly ok: true } | { readonly ok: false };

/**
 * Runs the cache misses of a pipeline. Every step waits only for the steps
 * it reads from; all jobs of all steps share one budget of `jobs` slots, so
 * a map job starts as soon as its own inputs are ready. Each job is
 * committed whole (outputs snapshotted, then one transaction) or not at all.
 */
export async function runPipeline(
  session: Session,
  hostInputs: ReadonlyMap<string, string>,
  options: RunOptions,
  emit: (e: RunEvent) => void,
): Promise<RunSummary> {
  const started = Date.now();
  const { pipeline, store, meta } = session;
  const file = pipeline.document.file;
  const where = (at: Position): string => `${file}:${at.line}:${at.col}`;
  const runId = meta.startRun(session.pipelinePath);
  const logsDir = join(store.metaDir, 'logs', String(runId));
  mkdirSync(logsDir, { recursive: true });
  emit({ type: 'run-start', run: runId, steps: pipeline.steps.length, store: store.location });

  const counts = { executed: 0, cached: 0, failed: 0, skipped: 0 };
  const failures: { job: string; where: string; log: string | null }[] = [];
  let stopping = false;
  const stop = (): void => {
    if (!options.keepGoing) stopping = true;
  };
  const finish = (status: RunSummary['status']): RunSummary => {
    const summary: RunSummary = { run: runId, status, ...counts, seconds: (Date.now() - started) / 1000, failures };
    meta.endRun(runId, status, summary);
    emit({ type: 'run-end', summary });
    return summary;
  };

  const state = new DataState((id) => store.entries(id), (e) => store.composeTree(e));
  for (const [dataPath, host] of hostInputs) state.setKnown(dataPath, await store.ingest(host));

  // Environments first: a missing engine or a failed build stops the run before anything runs.
  const envIds = new Map<string, string>();
  const needed = new Set(pipeline.steps.flatMap((s) => (s.kind === 'run' && s.env !== undefined ? [s.env] : [])));
  for (const name of needed) {
    emit({ type: 'env-build', env: name });
    const env = await session.envs.ensure(name, options.signal);
    if ('error' in env) {
      const block = pipeline.environments.get(name)?.block.at ?? { line: 1, col: 1 };
      emit({ type: 'step-failed', step: name, where: where(block), message: env.error });
      counts.failed++;
      failures.push({ job: name, where: where(block), log: null });
      return finish(options.signal.aborted ? 'interrupted' : 'failed');
    }
    envIds.set(name, env.id);
  }

  // `-j` bounds what executes at once; a few more jobs may be preparing their
  // workspaces or committing meanwhile, so the executing slots never wait on Shark's own file work.
  const limit = pLimit(Math.max(1, options.jobs));
  const staging = pLimit(Math.max(1, options.jobs) * 2);
  const outcomes = new Map<string, Promise<StepOutcome>>();
  /** The job's line in this run's record: what `logs` and `lineage` read. */
  const runJobRow = (job: Job, status: string, log: string | null): RunJobRow => ({
    run_id: runId, job: job.id, step: job.step.id, block: job.step.blockId, line: job.step.at.line,
    item: job.items.map((i) => i.name).join(',') || null, key: job.key, status, log,
  });

  const runJob = async (job: Job): Promise<Record<string, SnapshotId> | undefined> => {
    if (stopping || options.signal.aborted) {
      counts.skipped++;
      emit({ type: 'job-skipped', job: job.id, step: job.step.id, reason: options.signal.aborted ? 'interrupted' : 'an earlier job failed' });
      return undefined;
    }
    const step = job.step;
    // Reported when the job gets an execution slot, not while its workspace is prepared.
    const announce = (): void => emit({ type: 'job-start', job: job.id, step: step.id, block: step.blockId });
    const t0 = Date.now();
    const ws = await store.createWorkspace(job.id, job.items.length > 0 ? step.id : undefined);
    const logPath = join(logsDir, `${job.id.replace(/[^A-Za-z0-9_.,[\]-]/g, '_').slice(0, 120)}.log`);
    const fail = (message: string, at: Position): undefined => {
      counts.failed++;
      const tail = tailOf(logPath);
      failures.push({ job: job.id, where: where(at), log: logPath });
      meta.recordFailure(
        { identity: job.identity, key: job.key, status: 'failed', record: JSON.stringify(job.record), log: logPath, ended: Date.now() },
        runJobRow(job, 'failed', logPath),
      );
      emit({ type: 'job-failed', job: job.id, step: step.id, block: step.blockId, where: where(at), message, log: logPath, tail });
      stop();
      return undefined;
    };
    try {
      for (const input of job.inputs) await store.materialize(input.id, ws, input.path);
      for (const o of job.outputs) {
        mkdirSync(dirname(ws.root + o.path), { recursive: true });
        // In a map, a shared output directory exists for every job to write its files into.
        if (job.items.length > 0 && o.output.isDir && !o.output.perItem) mkdirSync(ws.root + o.path, { recursive: true });
      }
      let outcome: ExecOutcome;
      let record = job.record;
      if (step.kind === 'import') {
        const importer = importerFor(step.clause.source)!;
        const ctx = importContext(session, step, options.signal, (done, total) =>
          emit({ type: 'progress', job: job.id, done, total: total ?? null }));
        const fetched = await limit(() => (announce(), importer.fetch(step.clause, job.record.pin ?? {}, ws.root + step.clause.dest, ctx)));
        if (!fetched.ok) return fail(fetched.message, step.at);
        // Local files are content-hashed on every plan; only remote sources need pinning.
        if (step.clause.source.scheme !== 'file') {
          session.lock.imports[importLockKey(step.clause.raw, step.clause.dest)] = fetched.pin;
          writeLock(session.lockPath, session.lock);
        }
        record = { ...job.record, pin: fetched.pin };
        outcome = { status: 'ok' };
      } else if (step.kind === 'run') {
        const items = new Map(job.items.map((i) => [`${i.input.path}/${i.input.pattern}`, i.name]));
        outcome = await limit(() => (stopping || options.signal.aborted ? { status: 'cancelled' as const } : (announce(), session.envs.executor(step.env ?? '').run({
          label: job.id,
          script: (root) => renderScript(step, items, job.plusName, root),
          workspace: ws,
          inputs: job.inputs,
          outputs: job.outputs,
          cwd: step.cwd,
          pipelineDir: session.pipelineDir,
          containerWorkdir: pipeline.workdir,
          env: Object.fromEntries(session.variables),
          network: step.network,
          timeout: step.timeout,
          logPath,
          signal: options.signal,
        }))));
      } else {
        return undefined;
      }
      if (outcome.status === 'cancelled') {
        counts.skipped++;
        emit({ type: 'job-skipped', job: job.id, step: step.id, reason: options.signal.aborted ? 'interrupted' : 'an earlier job failed' });
        return undefined;
      }
      if (outcome.status !== 'ok') return fail(outcome.message, step.at);
      const outputs: Record<string, SnapshotId> = {};
      for (const o of job.outputs) {
        const id = await store.commit(ws, o.path);
        if (id === undefined) return fail(`step did not create ${o.path}`, o.output.at);
        outputs[o.path] = id;
      }
      const key = keyOf(record);
      const ended = Date.now();
      meta.recordSuccess(
        {
          key, identity: job.identity, record: JSON.stringify(record), outputs: JSON.stringify(outputs),
          meta: JSON.stringify({
            block: step.blockId, step: step.id, file, line: step.at.line, col: step.at.col,
            command: step.kind === 'run' ? step.command : step.clause.raw, env: record.env, items: job.items.map((i) => i.name),
            host: hostname(), version: VERSION, exit: 0,
          }),
          log: logPath, started: t0, ended, run_id: runId,
        },
        runJobRow(job, 'ok', logPath),
      );
      counts.executed++;
      emit({ type: 'job-done', job: job.id, step: step.id, block: step.blockId, seconds: (ended - t0) / 1000 });
      return outputs;
    } catch (e) {
      return fail(`cannot run job: ${(e as Error).message}`, step.at);
    } finally {
      await store.disposeWorkspace(ws).catch(() => undefined);
    }
  };

  /** A step that failed as a whole (its inputs, its source, or how its jobs' outputs fit together). */
  const stepFailed = (step: Step, message: string): StepOutcome => {
    counts.failed++;
    failures.push({ job: step.id, where: where(step.at), log: null });
    emit({ type: 'step-failed', step: step.id, where: where(step.at), message });
    stop();
    return { ok: false };
  };

  const runStep = async (step: Step): Promise<StepOutcome> => {
    const deps = await Promise.all(step.after.map((id) => outcomes.get(id)!));
    if (deps.some((d) => !d.ok)) {
      counts.skipped++;
      emit({ type: 'job-skipped', job: step.id, step: step.id, reason: 'an input failed' });
      return { ok: false };
    }
    if (step.kind === 'publish') return publish(step);
    const inputs = resolveInputs(step, state);
    if (inputs.kind !== 'ready') return stepFailed(step, inputs.kind === 'missing' ? inputs.message : `waits on ${inputs.step}`);
    let envId = HOST_ENV_ID;
    if (step.kind === 'run' && step.env !== undefined) envId = envIds.get(step.env)!;
    let pin: Readonly<Record<string, string | number>> | undefined;
    if (step.kind === 'import') {
      envId = 'import';
      const resolved = await resolveImport(session, step, options.signal);
      if (!resolved.ok) return stepFailed(step, resolved.message);
      pin = resolved.pin;
    }
    const jobs = expandJobs(step, inputs.ids, (id) => store.entries(id), {
      envId, variables: session.variables, files: stepFiles(session, step), ...(pin !== undefined ? { pin } : {}),
    });
    const cached = jobs.map((job) => cachedResult(session, job));
    emit({ type: 'step-start', step: step.id, block: step.blockId, jobs: jobs.length, cached: cached.filter(Boolean).length });
    const results: ({ job: Job; outputs: Record<string, SnapshotId> } | undefined)[] = [];
    meta.batch(() => {
      jobs.forEach((job, n) => {
        const hit = cached[n];
        if (hit === undefined) return;
        counts.cached++;
        meta.recordRunJob(runJobRow(job, 'cached', hit.log));
        emit({ type: 'job-cached', job: job.id, step: step.id, block: step.blockId });
        results.push({ job, outputs: hit.outputs });
      });
    });
    results.push(...await Promise.all(jobs.filter((_, n) => cached[n] === undefined).map(async (job) => {
      const outputs = await staging(() => runJob(job));
      return outputs === undefined ? undefined : { job, outputs };
    })));
    const done = results.filter((r): r is { job: Job; outputs: Record<string, SnapshotId> } => r !== undefined);
    if (done.length < jobs.length) return { ok: false };
    const composed = composeOutputs(step, done, (id) => store.entries(id), (e) => store.composeTree(e));
    if (!composed.ok) return stepFailed(step, composed.message);
    for (const [path, id] of composed.ids) state.setKnown(path, id);
    return { ok: true };
  };

  const publish = async (step: Step & { kind: 'publish' }): Promise<StepOutcome> => {
    for (const input of step.inputs) {
      const found = state.lookup(input.path);
      if (found.kind !== 'known') continue;
      const to = resolve(session.pipelineDir, step.dir, input.path.slice('/data/'.length));
      await store.exportTo(found.id, to);
      emit({ type: 'published', path: input.path, to });
    }
    return { ok: true };
  };

  for (const step of pipeline.steps) outcomes.set(step.id, runStep(step));
  await Promise.all(outcomes.values());
  if (options.signal.aborted) return finish('interrupted');
  return finish(counts.failed > 0 ? 'failed' : 'ok');
}

function tailOf(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}
