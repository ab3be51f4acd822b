import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { VERSION } from '../../version.js';
import { SHARK_NS } from './namespace.js';
import { activityKey, pinnedSource, sha256Of, type PinnedSource, type RunJob, type RunView } from './run-jobs.js';
import type { FailedJob } from './run-outcome.js';
import { dataId, enc, provData } from './prov-data.js';
import { localFilesOf, type LocalFile } from '../local-files.js';
import { appendAll } from '../../fold.js';

/** An attribute value: a string, or a typed literal / qualified name as PROV-JSON writes them. */
export type Value = string | number | { readonly $: string; readonly type: string };

export interface ProvNode {
  readonly id: string;
  /** `prov:type` values besides the kind of node (qualified names). */
  readonly types: readonly string[];
  readonly attrs: Readonly<Record<string, Value>>;
}

export interface ProvActivity extends ProvNode {
  /** Undefined for a job that failed before its command started. */
  readonly start: string | undefined;
  readonly end: string | undefined;
}

export type RelationKind = 'used' | 'wasGeneratedBy' | 'wasDerivedFrom' | 'wasAssociatedWith' | 'actedOnBehalfOf' | 'hadMember' | 'alternateOf';

/** A relation with its PROV-JSON arguments (`prov:activity`, `prov:entity`, …), in the order PROV-N lists them. */
export interface ProvRelation {
  readonly kind: RelationKind;
  readonly args: Readonly<Record<string, string>>;
}

/** One run as PROV: what both serialisations (PROV-JSON, PROV-O JSON-LD) are written from. */
export interface ProvModel {
  readonly prefixes: Readonly<Record<string, string>>;
  readonly entities: readonly ProvNode[];
  readonly activities: readonly ProvActivity[];
  readonly agents: readonly ProvNode[];
  readonly relations: readonly ProvRelation[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const qname = (q: string): Value => ({ $: q, type: 'prov:QUALIFIED_NAME' });
const short = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

export const jobActivityId = (job: RunJob): string => `shark-job:${enc(activityKey(job))}`;
const planId = (step: string, command: string): string => `shark-plan:${encodeURIComponent(step)}-${short(command)}`;
const envId = (env: string): string => `shark-env:${encodeURIComponent(env)}`;
const variableId = (name: string, value: string): string => `shark-var:${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
// The path whole as one segment: a local file may be absolute, or climb out of the document's directory.
const localFileId = (f: LocalFile): string => `shark-file:${encodeURIComponent(f.path)}@${encodeURIComponent(f.id)}`;

/** An import's pinned source: the clause, and each field of its pin (`shark:pin-sha256`, `shark:pin-etag`, …). */
function sourceEntity(id: string, s: PinnedSource): ProvNode {
  const pin = Object.fromEntries(s.fields.map(([k, v]) => [`shark:pin-${k.replace(/[^A-Za-z0-9_]/g, '_')}`, v]));
  return { id, types: ['shark:Source'], attrs: { 'prov:label': s.clause, 'shark:source': s.clause, ...(s.url !== undefined ? { 'shark:url': s.url } : {}), ...pin } };
}

/** A local file a job's key held, as an entity: its path as the document names it, and the content it had. */
function localFileEntity(f: LocalFile): ProvNode {
  const sha = sha256Of(f.id);
  return {
    id: localFileId(f), types: f.deps ? ['shark:LocalFile', 'shark:Dependency'] : ['shark:LocalFile'],
    attrs: { 'prov:label': f.path, 'shark:path': f.path, 'shark:content': f.id, ...(sha !== undefined ? { 'shark:sha256': sha } : {}) },
  };
}

/**
 * The run as PROV. Each job is an activity named after the run that computed
 * it: a job this run found cached adds no activity of its own, it is the
 * activity of the earlier run (with that run's times). Data is an entity per
 * path and content (`provData`: what a cached job read is the data as its
 * run had it); a command is a plan, an environment an entity the job
 * used, and so is each variable's value (`prov:value`), as a parameter is
 * in PROV, and each local file its key held (a script its command names, a
 * `{deps}` file: `shark-file:PATH@ID`, the bytes it had), and what an
 * import was pinned to (`shark-source:…`, a `shark:pin-FIELD` each field of
 * its lock entry); Shark is a software agent acting for the user who exports.
 */
export function provModel(view: RunView, documentSource: string): ProvModel {
  const entities = new Map<string, ProvNode>();
  const activities: ProvActivity[] = [];
  const relations: ProvRelation[] = [];
  const rel = (kind: RelationKind, args: Record<string, string>): void => void relations.push({ kind, args });
  const shark = 'shark-agent:shark';
  const user = `shark-agent:user/${encodeURIComponent(userInfo().username)}`;

  const data = provData(view);
  for (const e of data.entities) entities.set(e.id, e);
  const planOf = (step: string, command: string): string => {
    const plan = planId(step, command);
    if (!entities.has(plan)) entities.set(plan, { id: plan, types: ['prov:Plan', 'shark:Command'], attrs: { 'prov:label': step, 'shark:command': command } });
    return plan;
  };
  const envOf = (envContent: string): string => {
    const env = envId(envContent);
    if (!entities.has(env)) entities.set(env, { id: env, types: ['shark:Environment'], attrs: { 'prov:label': envContent, 'shark:environment': envContent } });
    return env;
  };
  const docId = `shark-doc:${encodeURIComponent(basename(view.pipelinePath))}@${short(documentSource)}`;
  entities.set(docId, {
    id: docId, types: ['prov:Plan', 'shark:Document'],
    attrs: { 'prov:label': basename(view.pipelinePath), 'shark:sha256': createHash('sha256').update(documentSource).digest('hex') },
  });

  // Each activity is the making of a result, described as the run that made it recorded it (once: two jobs may reuse one).
  const made = new Set<string>();
  for (const job of view.jobs) {
    const r = job.record;
    const act = jobActivityId(job);
    if (made.has(act)) continue;
    made.add(act);
    activities.push({
      id: act, types: ['shark:Job'], start: iso(r.started), end: iso(r.ended),
      attrs: { 'prov:label': job.madeAs, 'shark:block': r.meta.block, 'shark:location': `${r.meta.file}:${r.meta.line}:${r.meta.col}`, 'shark:host': r.meta.host, 'shark:version': r.meta.version, 'shark:run': r.runId },
    });
    const plan = planOf(r.meta.step, r.meta.command);
    const env = envOf(r.record.env);
    const inputs = r.record.inputs.map(([path, id]) => data.used(job, path, id));
    for (const i of inputs) rel('used', { 'prov:activity': act, 'prov:entity': i });
    rel('used', { 'prov:activity': act, 'prov:entity': env });
    for (const f of localFilesOf(r.record.files, r.record.deps)) {
      const e = localFileEntity(f);
      if (!entities.has(e.id)) entities.set(e.id, e);
      rel('used', { 'prov:activity': act, 'prov:entity': e.id });
    }
    const source = pinnedSource(job);
    if (source !== undefined) {
      const e = `shark-source:${source.id}`;
      if (!entities.has(e)) entities.set(e, sourceEntity(e, source));
      rel('used', { 'prov:activity': act, 'prov:entity': e });
    }
    for (const [name, value] of r.record.variables) {
      const v = variableId(name, value);
      if (!entities.has(v)) entities.set(v, { id: v, types: ['shark:Variable'], attrs: { 'prov:label': `${name}=${value}`, 'shark:name': name, 'prov:value': value } });
      rel('used', { 'prov:activity': act, 'prov:entity': v });
    }
    for (const [path, id] of Object.entries(r.outputs)) {
      const out = dataId({ path, id });
      rel('wasGeneratedBy', { 'prov:entity': out, 'prov:activity': act });
      for (const i of inputs) rel('wasDerivedFrom', { 'prov:generatedEntity': out, 'prov:usedEntity': i, 'prov:activity': act });
    }
    rel('wasAssociatedWith', { 'prov:activity': act, 'prov:agent': shark, 'prov:plan': plan });
  }
  // A job that failed happened too (the crate has its action): an activity that generated nothing, using what it read.
  for (const f of view.failed) {
    const act = failedActivity(view.run.id, f);
    activities.push(act);
    for (const [path, id] of f.inputs) {
      const e = dataId({ path, id });
      if (entities.has(e)) rel('used', { 'prov:activity': act.id, 'prov:entity': e });
    }
    if (f.env !== undefined) rel('used', { 'prov:activity': act.id, 'prov:entity': envOf(f.env) });
    rel('wasAssociatedWith', { 'prov:activity': act.id, 'prov:agent': shark, ...(f.command === undefined ? {} : { 'prov:plan': planOf(f.row.step, f.command) }) });
  }
  appendAll(relations, data.relations);

  const runAct = `shark-run:${view.run.id}`;
  activities.push({
    id: runAct, types: ['shark:Run'], start: iso(view.run.started), end: view.run.ended === null ? undefined : iso(view.run.ended),
    attrs: { 'prov:label': `run ${view.run.id} of ${basename(view.pipelinePath)}`, 'shark:status': view.run.status },
  });
  rel('wasAssociatedWith', { 'prov:activity': runAct, 'prov:agent': shark, 'prov:plan': docId });
  rel('actedOnBehalfOf', { 'prov:delegate': shark, 'prov:responsible': user });

  return {
    prefixes: {
      shark: `${SHARK_NS}vocab#`, 'shark-data': `${SHARK_NS}data/`, 'shark-job': `${SHARK_NS}`, 'shark-run': `${SHARK_NS}run/`,
      'shark-plan': `${SHARK_NS}command/`, 'shark-env': `${SHARK_NS}environment/`, 'shark-var': `${SHARK_NS}variable/`, 'shark-file': `${SHARK_NS}file/`, 'shark-source': `${SHARK_NS}source/`, 'shark-agent': `${SHARK_NS}agent/`, 'shark-doc': `${SHARK_NS}document/`,
    },
    entities: [...entities.values()],
    activities,
    agents: [
      { id: shark, types: ['prov:SoftwareAgent'], attrs: { 'prov:label': 'Shark', 'shark:version': VERSION } },
      { id: user, types: ['prov:Person'], attrs: { 'prov:label': userInfo().username } },
    ],
    relations,
  };
}

/** A job of run `run` that failed, as an activity: when its command ran (if it got that far), and how it failed. */
function failedActivity(run: number, f: FailedJob): ProvActivity {
  return {
    id: `shark-job:${enc(`run/${run}/job/${f.row.job}`)}`, types: ['shark:Job'],
    start: f.started === undefined ? undefined : iso(f.started), end: f.ended === undefined ? undefined : iso(f.ended),
    attrs: { 'prov:label': f.row.job, 'shark:block': f.row.block, 'shark:line': f.row.line, 'shark:run': run, 'shark:status': 'failed', 'shark:error': f.error },
  };
}

/** `prov:type` values as PROV-JSON writes qualified names. */
export const typeValues = (types: readonly string[]): Value | Value[] => (types.length === 1 ? qname(types[0]!) : types.map(qname));
