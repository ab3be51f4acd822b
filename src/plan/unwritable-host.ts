import { resolve } from 'node:path';
import { error } from '../diagnostics.js';
import { importLockKey, lockPathFor } from '../lockfile.js';
import { publishedAt } from '../pipeline/publish-targets.js';
import { deniedOnTheWay } from '../writable-path.js';
import type { Selection } from './selection.js';
import { InvalidInput, type Session } from './session.js';

/**
 * What the run is sure to write on the host but may not, thrown as
 * `InvalidInput` at the line that asks for it, before anything runs: a
 * publish target in a directory Shark may not write in (`chmod 555`, a
 * read-only file system), or the lock file when an import the run covers
 * has no pin in it yet. Found as the run wrote them, they failed it at
 * the end, after every step it had run (a publish), or after the download
 * (a pin). Only the steps the run covers (`selection`) count: a `{manual}`
 * publish block it does not reach asks for nothing.
 */
export function refuseUnwritable(session: Session, selection: Selection): void {
  refuseUnwritablePublish(session, selection);
  refuseUnpinnable(session, selection);
}

/** The lock file of `refuseUnwritable`, when an import the run covers has no pin in it yet. */
export function refuseUnpinnable(session: Session, selection: Selection): void {
  const file = session.pipeline.document.file;
  for (const step of session.pipeline.steps) {
    if (!selection.steps.has(step.id) || step.kind !== 'import' || step.clause.source.scheme === 'file' || pinned(session, step.clause.raw, step.clause.dest)) continue;
    // The lock is written beside itself (a temporary file renamed over it) under a lock file there: its directory counts.
    const denied = deniedOnTheWay(session.lockPath);
    if (denied !== undefined) throw new InvalidInput(error(file, step.at, `cannot pin this import in the lock file ${lockPathFor(file)}: ${denied}`));
  }
}

/** The publish directories of `refuseUnwritable`, which need no store: `run` says them before it makes one. */
export function refuseUnwritablePublish(session: Pick<Session, 'pipeline' | 'pipelineDir'>, selection: Selection): void {
  const file = session.pipeline.document.file;
  for (const step of session.pipeline.steps) {
    if (!selection.steps.has(step.id) || step.kind !== 'publish') continue;
    for (const input of step.inputs) {
      const to = resolve(session.pipelineDir, publishedAt(step.dir, input.path));
      const denied = deniedOnTheWay(to);
      if (denied !== undefined) throw new InvalidInput(error(file, input.at, `cannot publish ${input.path} to ${to}: ${denied}`));
    }
  }
}

/** Whether the lock file holds this import's pin: a run that fetches it writes none. */
function pinned(session: Session, raw: string, dest: string): boolean {
  const pin = session.lock.imports[importLockKey(raw, dest)];
  return pin !== undefined && Object.keys(pin).length > 0;
}
