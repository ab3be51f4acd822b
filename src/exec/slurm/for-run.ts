import { join } from 'node:path';
import type { RunSession } from '../executor.js';
import { pipelineName, SlurmExecutor, TASK_COMMAND, type SlurmRunOptions } from './slurm-executor.js';

/** How often a run asks Slurm how its jobs are doing. */
const POLL_MS = 1000;

/** The store's directory every node sees: submissions' manifests and status files, `by-job/` records. */
export function slurmDirIn(metaDir: string): string {
  return join(metaDir, 'slurm');
}

/**
 * The Slurm executor of one run: its files in the store's shared directory, `-j` as each array's throttle,
 * and `stopFile` (absent under `-k`) the file that exists once the run stops starting jobs.
 */
export function slurmExecutorFor(session: RunSession, options: SlurmRunOptions, jobs: number, stopFile?: string): SlurmExecutor {
  return new SlurmExecutor({
    client: options.client,
    dir: slurmDirIn(session.store.metaDir),
    pipeline: pipelineName(session.pipelinePath),
    throttle: jobs,
    itemsPerTask: Math.max(1, options.itemsPerTask),
    extra: options.extra,
    secrets: session.secrets ?? new Map(),
    pollMs: options.pollMs ?? POLL_MS,
    taskCommand: TASK_COMMAND,
    ...(stopFile === undefined ? {} : { stopFile }),
  });
}
