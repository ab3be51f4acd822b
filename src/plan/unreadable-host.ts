import { accessSync, constants, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { error } from '../diagnostics.js';
import { localPath, missingLocal } from '../imports/file-importer.js';
import type { ImportStep } from '../pipeline/pipeline.js';
import { deniedPath } from '../store/unreadable.js';
import { InvalidInput, type Session } from './session.js';

/**
 * Throws the `EACCES` of the first file or directory under `path` (itself
 * included, a link at the top followed) that this process may not read.
 * A walk of names and modes, nothing read: what lets `run` refuse such an
 * import before it records a run, as it refuses a missing one.
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
 * Local imports (`file:`) that are missing or that this process may not
 * read, thrown as `InvalidInput` at the import line before anything is
 * recorded: exit 2, as a missing frontmatter input. Found only as the import
 * ran, a missing one was a failed run (exit 1) that plan had called `run`.
 * (Frontmatter inputs are refused as they are hashed or stored: `readingInput`.)
 */
export function refuseUnreadable(session: Session): void {
  for (const step of session.pipeline.steps) {
    if (step.kind === 'import' && step.clause.source.scheme === 'file') refuseUnreadableImport(session, step, step.clause.source.path);
  }
}

function refuseUnreadableImport(session: Session, step: ImportStep, written: string): void {
  const abs = resolve(session.pipelineDir, written);
  // A link as the source is its target's data: one that leads nowhere is missing too.
  if (!existsSync(abs)) {
    const message = missingLocal(step.clause, localPath(step.clause, session.pipelineDir));
    throw new InvalidInput(error(session.pipeline.document.file, step.at, message));
  }
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
