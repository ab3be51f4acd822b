import { lstatSync } from 'node:fs';
import type { Step } from '../pipeline/pipeline.js';
import { localPath } from '../imports/file-importer.js';
import { contentId } from '../store/content-id.js';
import { followNamed } from '../store/named-path.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { Session } from './session.js';

/**
 * A local import copies a file or directory whose content can be hashed
 * now, so what it will store is known before it runs: its readers' jobs can
 * be planned item by item instead of `blocked`. Not for `extract` (what an
 * archive holds is only known once unpacked). A directory's id is its pin's
 * (`ImportContext.hashTree` made its trees known to the store).
 */
export function predictLocalImport(session: Session, step: Step, pin: Readonly<Record<string, string | number>> | undefined): ReadonlyMap<string, SnapshotId> | undefined {
  if (step.kind !== 'import' || step.clause.source.scheme !== 'file' || step.clause.extract) return undefined;
  const [output] = step.outputs;
  if (output === undefined || step.outputs.length !== 1) return undefined;
  // The data the clause names, as the import will copy it (a link followed).
  const abs = followNamed(localPath(step.clause, session.pipelineDir));
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return typeof pin?.tree === 'string' ? new Map([[output.path, pin.tree]]) : undefined;
  // A file copied into a directory lands under its own name: only the plain cases are predicted.
  if (step.clause.destIsDir) return undefined;
  return new Map([[output.path, contentId(abs, (f, s) => session.meta.hashFile(f, s)).id]]);
}
