import { accessSync, constants, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { error } from '../diagnostics.js';
import type { ImportStep } from '../pipeline/pipeline.js';
import { deniedPath } from '../store/unreadable.js';
import { InvalidInput, readingInput, type Session } from './session.js';

/**
 * Throws the `EACCES` of the first file or directory under `path` (itself
 * included, a link at the top followed) that this process may not read.
 * A walk of names and modes, nothing read: what lets `run` refuse such an
 * input before it records a run, as it refuses a missing one.
 */
function assertReadable(path: string, top = true): void {
  const st = top ? statSync(path) : lstatSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) assertReadable(join(path, name), false);
  } else if (st.isFile()) {
    accessSync(path, constants.R_OK);
  }
}

/**
 * Host data the run would read that this process may not: a frontmatter
 * input (when `inputs`: `plan` finds those as it hashes them) or a local
 * import (`file:`), thrown as `InvalidInput` at its frontmatter entry or
 * its import line, before anything is recorded: exit 2, as a missing one.
 */
export async function refuseUnreadable(session: Session, hostInputs: ReadonlyMap<string, string>, { inputs }: { inputs: boolean }): Promise<void> {
  if (inputs) for (const [dataPath, host] of hostInputs) await readingInput(session, dataPath, host, async () => assertReadable(host));
  for (const step of session.pipeline.steps) {
    if (step.kind === 'import' && step.clause.source.scheme === 'file') refuseUnreadableImport(session, step, step.clause.source.path);
  }
}

function refuseUnreadableImport(session: Session, step: ImportStep, written: string): void {
  const abs = resolve(session.pipelineDir, written);
  try {
    assertReadable(abs);
  } catch (e) {
    const denied = deniedPath(e);
    if (denied === undefined) return; // Missing or special: the import reports it as it is resolved.
    const inside = denied === abs ? '' : ` holds ${join(written, relative(abs, denied))}, which`;
    const message = `local import \`${step.clause.raw}\`${inside} cannot be read: permission denied`;
    throw new InvalidInput(error(session.pipeline.document.file, step.at, message));
  }
}
