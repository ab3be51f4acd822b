import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlurmClient } from './client.js';
import { readManifest, readStatus, type TaskSpec } from './manifest.js';
import { isFinished, type JobState } from './parse.js';

/** A job a run that died submitted, which this run can wait for instead of submitting it again. */
export interface Adoptable {
  /** The Slurm job or array task that runs it. */
  readonly taskId: string;
  readonly statusPath: string;
  /** The dead run's workspace, where its outputs appear. */
  readonly workspace: string;
  readonly logPath: string;
  readonly slurmLog: string;
}

/** A submission this store recorded (`by-job/<job id>` names its directory), with its manifest read; null: none. */
export type Submitted = { readonly dir: string; readonly tasks: TaskSpec[][] } | null;

/**
 * The jobs, by key, of this user's Slurm jobs that this store's runs
 * submitted — their ids have a `<dir>/by-job/<job id>` record, written
 * when they were submitted, naming the submission's manifest — and that are
 * still queued or running, or that ended well with their outputs still in
 * their workspace: what a run that died left behind. Neither their name (another
 * pipeline sharing the step names it otherwise) nor which run submitted
 * them matters: a job is known by its key. `skip`: this run's own
 * submissions. `seen` keeps manifests read once per run.
 */
export async function adoptable(client: SlurmClient, dir: string, skip: ReadonlySet<string>, seen: Map<string, Submitted>): Promise<Map<string, Adoptable>> {
  const found = await client.ownJobs();
  return found.ok ? adoptableAmong(found.value, dir, skip, seen) : new Map();
}

/** `adoptable` among `jobs`, this user's jobs as the controller listed them (`SlurmClient.ownJobs`). */
export function adoptableAmong(jobs: readonly JobState[], dir: string, skip: ReadonlySet<string>, seen: Map<string, Submitted>): Map<string, Adoptable> {
  const out = new Map<string, Adoptable>();
  const states = new Map(jobs.map((j) => [j.id, j]));
  for (const jobId of new Set(jobs.map((j) => j.jobId))) {
    if (skip.has(jobId)) continue;
    const submitted = submissionOf(dir, jobId, seen);
    if (submitted === null) continue;
    const { tasks } = submitted;
    const array = tasks.length > 1;
    tasks.forEach((specs, t) => {
      const taskId = array ? `${jobId}_${t}` : jobId;
      const state = states.get(taskId) ?? (array ? undefined : states.get(jobId));
      specs.forEach((spec) => {
        if (!existsSync(spec.workspace)) return;
        if (state === undefined || isFinished(state.status)) {
          // Ended: only a job that reported success, and whose outputs are still there, is worth taking over
          // (the dead run may have committed them, which moved them out, before it died).
          if (readStatus(spec.statusPath)?.outcome.status !== 'ok' || !spec.outputs.every((o) => present(spec.workspace + o.path))) return;
        }
        out.set(spec.key, {
          taskId, statusPath: spec.statusPath, workspace: spec.workspace, logPath: spec.logPath,
          slurmLog: join(submitted.dir, array ? `slurm-${t}.out` : 'slurm-0.out'),
        });
      });
    });
  }
  return out;
}

function present(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** The submission `jobId` is in this store, read once; null when the store has no record of it (not Shark's, or another store's). */
function submissionOf(dir: string, jobId: string, seen: Map<string, Submitted>): Submitted {
  let s = seen.get(jobId);
  if (s !== undefined) return s;
  try {
    const manifestDir = readFileSync(join(dir, 'by-job', jobId), 'utf8').trim();
    s = { dir: manifestDir, tasks: readManifest(join(manifestDir, 'manifest.jsonl')) };
  } catch {
    s = null;
  }
  seen.set(jobId, s);
  return s;
}
