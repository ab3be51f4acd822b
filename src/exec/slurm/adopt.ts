import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlurmClient } from './client.js';
import { readManifest, readStatus } from './manifest.js';
import { isFinished } from './parse.js';

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

/**
 * The jobs, by key, of Slurm jobs named `name` that are still queued or
 * running, or that ended well with their workspace still there: what a run
 * that died left behind. Each submission's manifest is found through
 * `<dir>/by-job/<job id>`, written when it was submitted.
 */
export async function adoptable(client: SlurmClient, dir: string, name: string): Promise<Map<string, Adoptable>> {
  const out = new Map<string, Adoptable>();
  const found = await client.findByName(name);
  if (!found.ok) return out;
  const states = new Map(found.value.map((j) => [j.id, j]));
  for (const jobId of new Set(found.value.map((j) => j.jobId))) {
    let manifestDir: string;
    let tasks;
    try {
      manifestDir = readFileSync(join(dir, 'by-job', jobId), 'utf8').trim();
      tasks = readManifest(join(manifestDir, 'manifest.jsonl'));
    } catch {
      continue;
    }
    const array = tasks.length > 1;
    tasks.forEach((specs, t) => {
      const taskId = array ? `${jobId}_${t}` : jobId;
      const state = states.get(taskId) ?? (array ? undefined : states.get(jobId));
      specs.forEach((spec) => {
        if (!existsSync(spec.workspace)) return;
        if (state === undefined || isFinished(state.status)) {
          // Ended: only a job that reported success is worth taking over.
          if (readStatus(spec.statusPath)?.outcome.status !== 'ok') return;
        }
        out.set(spec.key, {
          taskId, statusPath: spec.statusPath, workspace: spec.workspace, logPath: spec.logPath,
          slurmLog: join(manifestDir, array ? `slurm-${t}.out` : 'slurm-0.out'),
        });
      });
    });
  }
  return out;
}
