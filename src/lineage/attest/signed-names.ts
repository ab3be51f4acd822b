import type { LineageNode } from '../lineage.js';
import { SHARK_NS } from '../export/namespace.js';
import type { Metadata } from '../../store/metadata.js';
import type { Statement } from './statement.js';

/** The job a statement names (its invocation id, `…/run/N/job/JOB`). */
function signedJob(statement: Statement): string | undefined {
  const invocation = statement.predicate.runDetails.metadata.invocationId;
  const job = /\/job\/([^/]+)$/.exec(invocation.slice(SHARK_NS.length))?.[1];
  try {
    return job === undefined ? undefined : decodeURIComponent(job);
  } catch {
    return undefined;
  }
}

/** A map job's items as its name carries them (`scale[a.txt]`): what no later name of the same result can change. */
const itemsOf = (job: string): string => (job.endsWith(']') && job.includes('[') ? job.slice(job.indexOf('[')) : '');

/**
 * What lineage shows of job `n`'s name and place against what its verified
 * statement signed: the run that made the result records the job under the
 * signed name, at the signed line, with its cache key (a `run_jobs` row
 * renamed or moved is a problem), and the map items lineage shows are the
 * signed ones. A result a later run found cached is shown as that run names
 * it (its block renamed or moved since, which changes no key): said in a note
 * beside the signed name, not as a problem.
 */
export function namingProblems(n: LineageNode, statement: Statement, meta: Metadata): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const job = signedJob(statement);
  const location = String(statement.predicate.buildDefinition.externalParameters['location'] ?? '');
  if (job === undefined) return { problems: [`${n.job}: its envelope names no job`], notes };
  const made = meta.runJob(n.run, job);
  if (made === undefined || made.key !== n.key) {
    problems.push(`${n.job}: run ${n.run}, which made it, records no job ${job} of its cache key, as its envelope says (a row of run_jobs was changed)`);
  } else if (String(made.line) !== /:(\d+):\d+$/.exec(location)?.[1]) {
    problems.push(`${n.job}: run ${n.run}, which made it, records it at line ${made.line}, not at ${location} as its envelope says`);
  }
  if (itemsOf(n.job) !== itemsOf(job)) problems.push(`${n.job}: the map items lineage shows are not the signed ones (${job})`);
  const shown = n.madeBy ?? n;
  if (problems.length === 0 && (shown.job !== job || shown.location !== location)) {
    notes.push(`${n.job}: shown as a later run names it, at ${shown.location}; its envelope signs it as ${job}, at ${location}, in run ${n.run}`);
  }
  return { problems, notes };
}
