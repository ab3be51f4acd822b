import type { Job } from '../../plan/jobs.js';
import { definitionReasons, type KeyRecord } from '../../plan/key.js';
import { fsProbe } from '../../plan/host-tools.js';
import { localFileBase, localFileId } from '../../plan/local-files.js';
import { MISSING } from '../../plan/tools.js';
import type { Session } from '../../plan/session.js';

type Pairs = KeyRecord['files'];

/**
 * What of a job's definition outside /data changed since its step was
 * decided (a script it names edited while it ran, a `{deps}` file, a
 * program upgraded): its key holds their content as it was then, so a
 * result made with other bytes must not be stored under it, or reverting
 * the edit would find a result the reverted file never made. Said as `plan`
 * would say it (`local file fit.py changed (a… → b…)`); undefined when
 * nothing did. Only a file there before and after counts: one the job made
 * (`cp x scratch.txt`, named but absent when planned) or removed is no
 * other bytes than the key's, and runs again next time as before.
 *
 * Each job of a map asks this as it ends, so only the paths its record
 * names are looked at again (the command is not read again), each through
 * the stat cache: a file left alone costs a stat, not a read.
 */
export async function changedWhileRunning(session: Session, job: Job): Promise<string | undefined> {
  const step = job.step;
  if (step.kind !== 'run') return undefined;
  const before = job.record;
  const base = localFileBase(session.pipelineDir, step);
  const probe = fsProbe((p, st) => session.meta.hashFile(p, st));
  const now: KeyRecord = {
    ...before,
    files: await idsNow(before.files, (rel) => localFileId(session, base, rel)),
    // Resolved paths: a program missing then is no bytes the key holds.
    tools: await idsNow(before.tools ?? [], (path, id) => (id === MISSING ? undefined : probe.hash(path))),
    deps: await idsNow(before.deps ?? [], (rel) => localFileId(session, session.pipelineDir, rel)),
  };
  const same = (a: Pairs, b: Pairs): boolean => a.every(([, id], i) => b[i]![1] === id);
  if (same(before.files, now.files) && same(before.tools ?? [], now.tools ?? []) && same(before.deps ?? [], now.deps ?? [])) return undefined;
  return definitionReasons(before, now, () => false).tail[0];
}

/** `pairs` with each id read again; one no longer there (or no longer readable) keeps the id it had. */
async function idsNow(pairs: Pairs, read: (path: string, id: string) => Promise<string | undefined> | string | undefined): Promise<Pairs> {
  const now: [string, string][] = [];
  for (const [path, id] of pairs) {
    let seen: string | undefined;
    try {
      seen = await read(path, id);
    } catch {
      seen = undefined;
    }
    now.push([path, seen ?? id]);
  }
  return now;
}

/**
 * Why a local import's copy is not what its pin names (the key holds the
 * pin): the source was written while it was copied, so the bytes stored
 * are not those hashed (a checksum column checked the pin's hash, not
 * them). A single file's object is its pin's hash; a directory's tree is
 * the pin's tree (what `plan` predicts it will store). Undefined when the
 * copy is the pinned data, or for an import it cannot tell (extracted, or
 * a file put into a directory).
 */
export function importedOtherBytes(step: Job['step'], pin: KeyRecord['pin'], outputs: Readonly<Record<string, string>>): string | undefined {
  if (step.kind !== 'import' || step.clause.source.scheme !== 'file' || step.clause.extract || pin === undefined) return undefined;
  const id = outputs[step.clause.dest];
  if (id === undefined) return undefined;
  const pinned = typeof pin['tree'] === 'string' ? pin['tree'] : step.clause.destIsDir || typeof pin['sha256'] !== 'string' ? undefined : `sha256:${pin['sha256']}`;
  if (pinned === undefined || id.replace(/^sha256x:/, 'sha256:') === pinned) return undefined;
  return `${step.clause.source.path} changed while it was imported (stored ${id.slice(0, 15)}…, but its pin, and the key, name ${pinned.slice(0, 15)}…): its result is not kept under a key that names other bytes (run again)`;
}
