import type { LastAttempt } from '../store/metadata.js';
import { rowItem, type Job } from './jobs.js';
import type { Session } from './session.js';

/**
 * The last attempts of the jobs to run, by identity (the step's outputs as
 * written, and the items). A job whose identity has none is compared with
 * its item's last attempt in the document's runs of the step: after its
 * outputs were renamed (`+.txt` → `+`), it is the same item's job, and the
 * plan says what changed rather than "new item".
 */
export function lastAttempts(session: Session, step: string, jobs: readonly Job[]): Map<string, LastAttempt> {
  const found = session.meta.own.lastAttempts(jobs.map((j) => j.identity), session.pipelinePath);
  const renamed = jobs.filter((j) => !found.has(j.identity));
  if (renamed.length === 0) return found;
  const byItem = session.meta.own.lastAttemptsOfStep(step, session.pipelinePath);
  for (const job of renamed) {
    const attempt = byItem.get(rowItem(job.items));
    if (attempt !== undefined) found.set(job.identity, attempt);
  }
  return found;
}
