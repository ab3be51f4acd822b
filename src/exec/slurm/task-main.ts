#!/usr/bin/env node
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { connectDocker } from '../docker/client.js';
import { DockerExecutor } from '../docker/docker-executor.js';
import type { ExecOutcome, Executor } from '../executor.js';
import { HostExecutor } from '../host-executor.js';
import { writeAtomically } from '../../lockfile/atomic-write.js';
import { grantedThreads, readManifest, requestOf, SECRETS_VARIABLE, type TaskEnvironment, type TaskSpec } from './manifest.js';

/**
 * What one Slurm array task runs on the compute node: its line of the
 * manifest (`$SLURM_ARRAY_TASK_ID`, 0 for a job that is no array), each job
 * of it in turn with the same executors as a local run (so the same
 * isolation), and for each a status file saying how it ended. It never
 * touches the store: the submitting `shark run` checks and commits.
 * SIGTERM (scancel, Slurm's time limit) cancels the job that is running.
 * A run without `-k` stops at its first failure, wherever it happens: a
 * job does not start once the run's stop file exists, and a failed one
 * makes it.
 */
async function main(): Promise<number> {
  const [manifestPath] = process.argv.slice(2);
  if (manifestPath === undefined) return fail('usage: task-main MANIFEST');
  const index = Number(process.env['SLURM_ARRAY_TASK_ID'] ?? '0');
  let tasks: TaskSpec[][];
  try {
    tasks = readManifest(manifestPath);
  } catch (e) {
    return fail(`cannot read the manifest ${manifestPath}: ${(e as Error).message}`);
  }
  const specs = tasks[index];
  if (!Number.isInteger(index) || specs === undefined) return fail(`the manifest ${manifestPath} has no task ${index}`);
  const secrets = JSON.parse(process.env[SECRETS_VARIABLE] ?? '{}') as Record<string, string>;
  delete process.env[SECRETS_VARIABLE];
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let failed = 0;
  for (const spec of specs) {
    const started = Date.now();
    let outcome: ExecOutcome;
    const stopped = spec.stopFile !== undefined && existsSync(spec.stopFile);
    if (controller.signal.aborted || stopped) outcome = { status: 'cancelled' };
    else {
      try {
        const req = requestOf(spec, secrets, controller.signal);
        const threads = grantedThreads(spec, process.env);
        // What Slurm granted, in SHARK_THREADS and as a container's CPU limit alike (the block's {threads} asked, Slurm decided).
        const granted = threads === undefined ? req : { ...req, env: { ...req.env, SHARK_THREADS: threads }, ...(req.cpus !== undefined ? { cpus: Number(threads) } : {}) };
        outcome = await executorFor(spec.environment).run(granted);
        // SIGTERM (Ctrl-C of the run, scancel, the time limit) reaches every process of the task at once: the job's
        // program killed, its script may go on and end well (`sleep 8 && echo done || echo partial`), and its
        // cut-short output was stored as ok. A job that ran as the task was told to stop is cancelled, whatever it said.
        if (outcome.status === 'ok' && !controller.signal.aborted) await new Promise((r) => setImmediate(r));
        if (outcome.status === 'ok' && controller.signal.aborted) outcome = { status: 'cancelled' };
      } catch (e) {
        outcome = { status: 'failed', reason: 'internal', exitCode: null, message: `the task could not run the job: ${(e as Error).message}` };
      }
    }
    if (outcome.status !== 'ok') failed++;
    // Said in the job's log: the command never ran to say anything there.
    if (outcome.status === 'failed' && (outcome.reason === 'internal' || outcome.reason === 'environment')) sayOnce(spec.logPath, `shark: ${outcome.message}\n`);
    if ((outcome.status === 'failed' || outcome.status === 'timeout') && spec.stopFile !== undefined) stopRun(spec.stopFile);
    writeAtomically(spec.statusPath, JSON.stringify({ outcome, host: hostname(), started, ended: Date.now(), ...(stopped ? { stopped } : {}) }), 0o644);
  }
  return failed === 0 ? 0 : 1;
}

const executors = new Map<string, Executor>();

function executorFor(environment: TaskEnvironment): Executor {
  const name = environment.kind === 'host' ? 'host' : `docker:${environment.image}:${environment.shown ?? ''}`;
  let executor = executors.get(name);
  if (executor === undefined) {
    if (environment.kind === 'host') executor = new HostExecutor();
    else {
      const { image, shown } = environment;
      // The node needs Docker and the image: Shark checks both and fails the job with a clear message otherwise.
      executor = new DockerExecutor(async () => {
        const connection = await connectDocker();
        if (!connection.ok) return { ok: false, message: `no Docker on node ${hostname()}: ${connection.message}` };
        if ((await connection.client.imageId(image)) === undefined) return { ok: false, message: `node ${hostname()} does not have the image ${image}` };
        return { ok: true, client: connection.client, image, ...(shown !== undefined ? { environment: shown } : {}) };
      });
    }
    executors.set(name, executor);
  }
  return executor;
}

/** Makes the run's stop file: what the submitting run does too, once it sees the failure. */
function stopRun(stopFile: string): void {
  try {
    writeFileSync(stopFile, '');
  } catch {
    // The run makes it when it reads this job's status.
  }
}

function fail(message: string): number {
  process.stderr.write(`shark task: ${message}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`shark task: ${e.message}\n`);
    process.exit(2);
  },
);

/** Appends `line` to the job's log unless the executor ended it with that line already (a refusal it logged itself). */
function sayOnce(logPath: string, line: string): void {
  const wanted = Buffer.from(line);
  const tail = Buffer.alloc(wanted.length);
  let read = 0;
  try {
    // Its last bytes alone: a job's log may be large.
    const fd = openSync(logPath, 'r');
    try {
      read = readSync(fd, tail, 0, tail.length, Math.max(0, fstatSync(fd).size - tail.length));
    } finally {
      closeSync(fd);
    }
  } catch {
    // No log yet: the line is its first.
  }
  if (read !== wanted.length || !tail.equals(wanted)) appendFileSync(logPath, line);
}
