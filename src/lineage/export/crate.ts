import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { VERSION } from '../../version.js';
import { readProblem } from '../../read-problem.js';
import { makeDirs } from '../../store/make-dirs.js';
import { overlaps } from '../../pipeline/data-path.js';
import { damagedMessage, entityAt, itemKey, placeData, unavailableData, type CrateEntity, type LeftOutLink, type Ref } from './crate-data.js';
import { environmentOf } from './crate-variables.js';
import { workflowEntities, WFRUN } from './crate-workflow.js';
import { dataOf, type DataItem, type RunView } from './run-jobs.js';
import { printable, shownName } from '../../printable.js';

export const RO_CRATE = 'https://w3id.org/ro/crate/1.1';
export const PROFILES = [
  { id: 'https://w3id.org/ro/wfrun/process/0.5', name: 'Process Run Crate', version: '0.5' },
  { id: 'https://w3id.org/ro/wfrun/workflow/0.5', name: 'Workflow Run Crate', version: '0.5' },
  { id: 'https://w3id.org/ro/wfrun/provenance/0.5', name: 'Provenance Run Crate', version: '0.5' },
  { id: 'https://w3id.org/workflowhub/workflow-ro-crate/1.0', name: 'Workflow RO-Crate', version: '1.0' },
] as const;

/**
 * The crate's @context: RO-Crate 1.1's, and the terms Shark uses that it
 * lacks (it is built on schema.org 10.0), each with its full IRI, as 1.1
 * asks of terms its context does not define: a JSON-LD reader drops an
 * undefined one. `sha256` is schema.org's, the IRI RO-Crate 1.2 gives it;
 * the container image terms and `environment` are Workflow Run Crate's.
 */
export const CONTEXT = [`${RO_CRATE}/context`, {
  sha256: 'http://schema.org/sha256',
  ContainerImage: `${WFRUN}ContainerImage`,
  containerImage: `${WFRUN}containerImage`,
  environment: `${WFRUN}environment`,
}] as const;

/** A failure is `invalid` when the output directory given cannot take the crate (exit 2); otherwise the run's data could not be written (exit 1). */
export type CrateResult = { ok: true; entities: number; leftOut: readonly LeftOutLink[] } | { ok: false; message: string; invalid?: boolean };

const ref = (id: string): Ref => ({ '@id': id });
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The data the run took from the host (bound inputs): read by some job, and
 * neither a job's output nor inside or around one — a file under a directory
 * a job made, or a directory gathered from a map's outputs, is the run's own.
 */
function hostInputs(items: readonly DataItem[]): DataItem[] {
  const trim = (p: string): string => p.replace(/\/$/, '');
  const written = items.filter((d) => d.writer !== undefined).map((d) => trim(d.path));
  return items.filter((d) => d.writer === undefined && !written.some((w) => overlaps(trim(d.path), w)));
}

/**
 * Writes a Provenance Run Crate of one run into `outDir` (new or empty): the
 * document as the main workflow, each block that took part a tool with its
 * HowToStep, its actions (`workflowEntities`) and a ControlAction over them,
 * Shark's OrganizeAction, and every piece of
 * data the jobs read or wrote under `data/`. Built in a sibling directory
 * and renamed into place, so a failure leaves nothing half-written (nor the
 * directories made above it). A target that cannot take it is `invalid`.
 */
export async function writeCrate(view: RunView, documentSource: string, outDir: string): Promise<CrateResult> {
  const target = resolve(outDir);
  const unfit = unfitTarget(target, outDir);
  if (unfit !== undefined) return { ok: false, message: unfit, invalid: true };
  const items = dataOf(view);
  const gone = unavailableData(view.store, items, view.run.id);
  if (gone !== undefined) return { ok: false, message: `cannot write the crate: ${gone}` };
  const staged = stage(target);
  if (!staged.ok) return { ok: false, message: `cannot write the crate into ${shownName(outDir)}: ${printable(staged.message)}`, invalid: true };
  const { tmp } = staged;
  const fail = (message: string): CrateResult => {
    rmSync(staged.made ?? tmp, { recursive: true, force: true });
    return { ok: false, message: `cannot write the crate: ${message}` };
  };
  try {
    const docName = basename(view.pipelinePath);
    copyFileSync(view.pipelinePath, join(tmp, docName));
    const data = await placeData(view.store, items, tmp);
    if (!data.ok) return fail(damagedMessage(data.damaged.path, data.damaged.id, view.run.id, 'damaged'));
    const idOf = (path: string, id: string): Ref[] => {
      const placed = data.placed.get(itemKey({ path, id }));
      return placed === undefined ? [] : [ref(placed)];
    };
    const graph = crateGraph(view, documentSource, docName, data.entities, data.leftOut.map((l) => l.entity), idOf, items);
    writeFileSync(join(tmp, 'ro-crate-metadata.json'), JSON.stringify({ '@context': CONTEXT, '@graph': graph }, null, 2) + '\n');
    moveInto(tmp, target);
    return { ok: true, entities: graph.length, leftOut: data.leftOut };
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** Why the crate cannot go to `target` (`outDir` as given): it cannot be reached, something other than a directory is there (a link is not followed), or a directory that is not empty. */
function unfitTarget(target: string, outDir: string): string | undefined {
  let st;
  try {
    st = lstatSync(target, { throwIfNoEntry: false });
  } catch (e) {
    // `f/x` where f is a file, a loop of links on the way, a name too long: no directory can be made there.
    return `cannot write the crate into ${shownName(outDir)}: ${readProblem(e)}`;
  }
  if (st === undefined) return undefined;
  if (st.isSymbolicLink()) return `${shownName(outDir)} is a symbolic link: the crate is not written through one (give the directory it leads to, or a new name)`;
  if (!st.isDirectory()) return `${shownName(outDir)} exists and is not a directory`;
  return readdirSync(target).length > 0 ? `${shownName(outDir)} exists and is not empty` : undefined;
}

/**
 * The sibling directory the crate is built in, and the first of the
 * directories above it that had to be made (removed again, with it, if the
 * crate is not written). Made as `mkdir` makes one, under the umask (not
 * `mkdtemp`'s 0700): renamed into place, it is the crate others are to read.
 */
function stage(target: string): { ok: true; tmp: string; made: string | undefined } | { ok: false; message: string } {
  try {
    const made = makeDirs(dirname(target));
    // Not named after the crate: a name as long as a directory may have would make this one too long.
    const tmp = join(dirname(target), `.shark-crate-${randomBytes(6).toString('hex')}`);
    mkdirSync(tmp);
    return { ok: true, tmp, made };
  } catch (e) {
    return { ok: false, message: readProblem(e) };
  }
}

/**
 * Puts the built crate at `target`: renamed there, or, into an empty
 * directory the user made, entry by entry, so that directory keeps its own
 * mode, owner and group (a setgid project directory stays one). Entries
 * already moved go back if one cannot be.
 */
function moveInto(tmp: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(tmp, target);
    return;
  }
  const moved: string[] = [];
  try {
    for (const name of readdirSync(tmp)) {
      renameSync(join(tmp, name), join(target, name));
      moved.push(name);
    }
  } catch (e) {
    for (const name of moved) renameSync(join(target, name), join(tmp, name));
    throw e;
  }
  rmdirSync(tmp);
}

/**
 * What the run published, as the crate lists it: the data a job wrote at a
 * published path (a file, or a directory it wrote whole), or else the File or
 * Dataset at that path when jobs wrote around it (a directory a map filled,
 * a file inside a directory a job made).
 */
function publishedData(paths: readonly string[], items: readonly DataItem[], dataEntities: readonly CrateEntity[], idOf: (path: string, id: string) => Ref[]): Ref[] {
  const trim = (p: string): string => p.replace(/\/$/, '');
  const written = items.filter((d) => d.writer !== undefined);
  const ids = new Set(dataEntities.map((e) => e['@id']));
  return paths.flatMap((p) => {
    const whole = written.filter((d) => trim(d.path) === trim(p));
    if (whole.length > 0) return whole.flatMap((d) => idOf(d.path, d.id));
    const at = written.some((d) => overlaps(trim(d.path), trim(p))) ? entityAt(p, ids) : undefined;
    return at === undefined ? [] : [ref(at)];
  });
}

/** What the crate says of the document it holds, the one there is now, when that may not be the one the run read. */
function documentNote(docName: string, view: RunView): { description?: string } {
  const run = view.run.id;
  if (view.document === 'changed') return { description: `${docName} as it is now, not as run ${run} ran it: the document changed since` };
  if (view.document === 'unknown') return { description: `${docName} as it is now: run ${run} did not record the document it ran, which may have been another` };
  return {};
}

/**
 * How the run ended, as `shark runs` says it: completed, failed (with the
 * jobs that failed and how, or the run's status when no job did: a publish
 * refused, a run interrupted), or still going.
 */
function runStatus(view: RunView): { actionStatus: Ref; error?: string } {
  const { status, id } = view.run;
  if (status === 'ok') return { actionStatus: ref('http://schema.org/CompletedActionStatus') };
  if (status === 'running') return { actionStatus: ref('http://schema.org/ActiveActionStatus') };
  const jobs = [
    ...view.failed.map((f) => `job ${f.row.job} (line ${f.row.line}) failed: ${f.error}`),
    // A step that failed as a whole: a publish refused leaves no job's row.
    ...view.stepFailures.map((f) => `${f.job} (${f.where}) failed: ${f.reason}`),
  ];
  return { actionStatus: ref('http://schema.org/FailedActionStatus'), error: jobs.length > 0 ? jobs.join('; ') : `run ${id} ${status}` };
}

function crateGraph(
  view: RunView, documentSource: string, docName: string, dataEntities: readonly CrateEntity[], leftOut: readonly CrateEntity[],
  idOf: (path: string, id: string) => Ref[], items: readonly DataItem[],
): CrateEntity[] {
  const run = view.run;
  const runAction = `#run-${run.id}`;
  const user = ref('#user');
  const published = (paths: readonly string[]): Ref[] => publishedData(paths, items, dataEntities, idOf);
  const { tools, steps, actions, controls, images, variables, localFiles, sources } = workflowEntities(view, idOf, published);
  const ended = run.ended === null ? {} : { endTime: iso(run.ended) };
  // The document's file in the crate, as a URI reference (`my%20pipe.md`), as the data files' ids are: a JSON-LD reader drops an IRI holding a space.
  const docId = encodeURIComponent(docName);
  const doc = {
    '@id': docId, '@type': ['File', 'SoftwareSourceCode', 'ComputationalWorkflow', 'HowTo'], name: docName, ...documentNote(docName, view),
    programmingLanguage: ref('#shark-markdown'), sha256: createHash('sha256').update(documentSource).digest('hex'),
    hasPart: tools.map((t) => ref(t['@id'])), step: steps.map((s) => ref(s['@id'])), ...environmentOf(variables.parameters(view.jobs)),
  };
  return [
    { '@id': 'ro-crate-metadata.json', '@type': 'CreativeWork', about: ref('./'), conformsTo: [ref(RO_CRATE), ref(PROFILES[3].id)] },
    {
      '@id': './', '@type': 'Dataset', name: `Run ${run.id} of ${docName}`,
      description: `What Shark ran for ${docName} in run ${run.id}, with every piece of data its jobs read and wrote.`,
      datePublished: new Date().toISOString(), conformsTo: PROFILES.map((p) => ref(p.id)), mainEntity: ref(docId),
      // The links a step made that the crate leaves out, beside the run (a list only when there are some).
      mentions: leftOut.length === 0 ? ref(runAction) : [ref(runAction), ...leftOut.map((e) => ref(e['@id']))],
      hasPart: [ref(docId), ...dataEntities.map((e) => ref(e['@id']))],
    },
    ...PROFILES.map((p) => ({ '@id': p.id, '@type': 'CreativeWork', name: p.name, version: p.version })),
    doc,
    { '@id': '#shark-markdown', '@type': 'ComputerLanguage', name: 'Shark literate markdown', alternateName: 'Shark' },
    { '@id': '#shark', '@type': 'SoftwareApplication', name: 'Shark', softwareVersion: VERSION },
    { '@id': '#user', '@type': 'Person', name: userInfo().username },
    ...tools, ...steps, ...images, ...actions, ...controls, ...variables.entities, ...localFiles, ...sources,
    {
      '@id': runAction, '@type': 'CreateAction', name: `Run ${run.id} of ${docName}`, instrument: ref(docId), agent: user,
      object: hostInputs(items).flatMap((d) => idOf(d.path, d.id)),
      result: published([...view.published.values()].flat()), startTime: iso(run.started), ...ended, ...runStatus(view),
      ...environmentOf(variables.all),
    },
    {
      '@id': `#run-${run.id}-shark`, '@type': 'OrganizeAction', name: `Shark ${VERSION}, run ${run.id}`, instrument: ref('#shark'),
      agent: user, object: controls.map((c) => ref(c['@id'])), result: ref(runAction), startTime: iso(run.started), ...ended,
    },
    ...dataEntities, ...leftOut,
  ];
}
