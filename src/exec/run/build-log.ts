import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunContext } from './context.js';

/**
 * Where a run keeps the log of environment `env`'s build, beside its jobs'
 * logs: a job's log name ends in `-HASH.log` (`RunContext.logPath`), so no
 * job's is ever `NAME.build.log`.
 */
export function buildLogIn(logsDir: string, env: string): string {
  return join(logsDir, `${env}.build.log`);
}

/**
 * Keeps what the engine said while building `env` (the docker build log,
 * which the run prints only the end of) and notes the build in the run's
 * summary, where `shark logs` finds it: a build is no job, and has no row
 * among them. `text` comes masked (the environment provider hides the
 * secrets in all a build says, its error too). `image`: the built
 * environment's id, none when the build failed. Returns the log's path, or
 * null when the disk refused it: the log is an account, not the result.
 */
export function keepBuildLog(ctx: RunContext, env: string, text: string, image: string | undefined): string | null {
  const environment = ctx.session.pipeline.environments.get(env);
  let log: string | null = buildLogIn(ctx.logsDir, env);
  try {
    writeFileSync(log, text);
  } catch {
    log = null;
  }
  ctx.builds.push({ env, block: environment?.blockId ?? env, line: environment?.block.at.line ?? 1, status: image === undefined ? 'failed' : 'ok', log, ...(image === undefined ? {} : { image }) });
  return log;
}
