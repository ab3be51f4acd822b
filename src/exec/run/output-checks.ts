import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Position } from '../../diagnostics.js';
import type { Job } from '../../plan/jobs.js';
import { isDirectoryOutput } from '../../pipeline/pipeline.js';
import { readableToOwner } from '../../store/owner-access.js';
import { inTheWay } from '../../store/safe-path.js';
import type { ModifiedInput } from '../../store/snapshot-store.js';
import { unstorableOutput } from '../../store/storable.js';
import type { FailureReason } from '../events.js';

/** Why a job failed, as run-job.ts records and reports it. */
export interface Failure {
  readonly message: string;
  readonly reason: FailureReason;
  readonly exitCode?: number | null;
  readonly at?: Position;
  /** Where the command was to run refused it (an engine, a cluster): nothing of the job's own may be in its log. */
  readonly unrun?: boolean;
  /** A cluster task given up on that may still run: its workspace is kept for it, and for the next run to take it over. */
  readonly leftRunning?: boolean;
}

/**
 * What is wrong with the outputs a job's command left in its workspace
 * (`root`), before any is stored: one the store cannot keep, or a `+/FILE`
 * the command did not write. Undefined when every output can be committed.
 */
export function outputProblem(root: string, job: Job): Failure | undefined {
  const step = job.step;
  for (const o of job.outputs) {
    // The user's (a container's handed back by the owner fix), an output of mode 000 is read as root would read it.
    readableToOwner(root, o.path);
    // Not through a link in place of a directory above it: committing refuses that output, naming the link.
    const bad = inTheWay(root, dirname(o.path)) === undefined ? unstorableOutput(root, o.path, isDirectoryOutput(o.output)) : undefined;
    if (bad !== undefined) return { reason: step.kind === 'import' ? 'import' : 'bad-output', message: bad, at: o.output.at };
    // `+/stats.txt`: the item's directory, which Shark made, is there; the name the command gives in it must be too.
    const files = o.output.files ?? [];
    const unmade = files.findIndex((f) => lstatSync(`${root}${o.path}/${f}`, { throwIfNoEntry: false }) === undefined);
    if (unmade >= 0) return { reason: 'missing-output', message: `step did not create ${o.path}/${files[unmade]!}`, at: o.output.filesAt?.[unmade] ?? o.output.at };
  }
  return undefined;
}

/**
 * Why a job that changed its inputs in place failed. Another job given the
 * same data may have done it: the message blames no one.
 */
export function modifiedMessage(modified: readonly ModifiedInput[]): string {
  const of = (change: ModifiedInput['change']): string => modified.filter((m) => m.change === change).map((m) => m.path).join(', ');
  const parts: string[] = [];
  if (of('bytes') !== '') parts.push(`its input ${of('bytes')} was changed in place while the job ran (written through its hard link, by this job or another given the same data at the same time); the damaged data was discarded and will be recomputed`);
  if (of('mode') !== '') parts.push(`the mode of its input ${of('mode')} was changed while the job ran (\`chmod\` through its hard link, by this job or another given the same data at the same time); the stored mode was put back: a step must not change its inputs (copy one to change it)`);
  if (of('replaced') !== '') parts.push(`its input ${of('replaced')} was replaced by another file (as \`sed -i\` or \`perl -pi\` do): a step's inputs are read-only, and the change would be lost; write the changed data to a path of the step's own (\`sed … ${modified.find((m) => m.change === 'replaced')!.path} > /data/NEW\`)`);
  return parts.join('; ');
}
