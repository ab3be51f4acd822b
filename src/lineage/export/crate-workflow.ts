import { shownUrls } from '../../imports/shown-url.js';
import type { CrateEntity, Ref } from './crate-data.js';
import { crateVariables, environmentOf, type CrateVariables } from './crate-variables.js';
import { pinnedSource, sha256Of, type PinnedSource, type RunJob, type RunView } from './run-jobs.js';
import { localFilesOf, type LocalFile } from '../local-files.js';

const ref = (id: string): Ref => ({ '@id': id });
const iso = (ms: number): string => new Date(ms).toISOString();
const COMPLETED = ref('http://schema.org/CompletedActionStatus');
const FAILED = ref('http://schema.org/FailedActionStatus');
/** The Workflow Run Crate terms (https://w3id.org/ro/terms/workflow-run) the crate uses: its @context gives their IRIs. */
export const WFRUN = 'https://w3id.org/ro/terms/workflow-run#';

const toolId = (block: string): string => `#tool-${encodeURIComponent(block)}`;
const stepId = (block: string): string => `#step-${encodeURIComponent(block)}`;
/** A cached job is the action of the run that computed it, named as that run named the job (as in PROV). */
const jobActionId = (j: RunJob): string => `#run-${j.record.runId}-job-${encodeURIComponent(j.madeAs)}`;
const dockerImage = (env: string): string | undefined => /^docker:sha256:([0-9a-f]{64})$/.exec(env)?.[1];

/** The document's blocks as the crate describes them, and the actions of the run. */
export interface WorkflowEntities {
  readonly tools: readonly CrateEntity[];
  readonly steps: readonly CrateEntity[];
  readonly actions: readonly CrateEntity[];
  readonly controls: readonly CrateEntity[];
  readonly images: readonly CrateEntity[];
  readonly variables: CrateVariables;
  /** The local files jobs' keys held (`localFileEntity`). */
  readonly localFiles: readonly CrateEntity[];
  /** What imports were pinned to (`sourceEntity`). */
  readonly sources: readonly CrateEntity[];
}

/**
 * A local file a job's key held (a script its command names, a `{deps}`
 * file), as the version it ran with: not in the crate (it is no data of the
 * run), so a contextual entity naming it by its path and bytes.
 */
function localFileEntity(f: LocalFile): CrateEntity {
  const sha = sha256Of(f.id);
  return {
    '@id': `#local-${encodeURIComponent(f.path)}@${encodeURIComponent(f.id)}`, '@type': 'CreativeWork', name: f.path, identifier: f.id,
    description: f.deps ? 'a {deps} file of the step, beside the document' : 'a local file the command names, beside the document',
    ...(sha !== undefined ? { sha256: sha } : {}),
  };
}

/**
 * What an import was pinned to, as a contextual entity: the clause, the URL
 * when it is one, and each field of the pin as an identifier (`sha256:…`,
 * `etag:"v1"`, `doi:…`), its checksum and size as properties too.
 */
function sourceEntity(s: PinnedSource): CrateEntity {
  const field = (name: string): string | undefined => s.fields.find(([k]) => k === name)?.[1];
  const sha = field('sha256');
  const size = field('size');
  return {
    '@id': `#source-${s.id}`, '@type': 'CreativeWork', name: s.clause, description: 'the pinned source of an import (its lock file entry)',
    identifier: s.fields.map(([k, v]) => (v.startsWith(`${k}:`) ? v : `${k}:${v}`)), ...(s.url !== undefined ? { url: s.url } : {}),
    ...(sha !== undefined ? { sha256: sha } : {}), ...(size !== undefined ? { contentSize: size } : {}),
  };
}

/** The @ids an entity's property refers to (one reference or a list). */
const refsOf = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((r) => (r as Ref)['@id']);

/** The directories above a data entity's @id (its path in the crate), each as a Dataset's @id: `data/`, `data/d/`; none for a `#…` entity. */
function datasetsAbove(id: string): string[] {
  if (id.startsWith('#')) return [];
  const parts = id.replace(/\/$/, '').split('/');
  return parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
}

/**
 * Which blocks' actions made what the actions of each block read (or the
 * image they ran in): the same entity, a directory holding a file read, or
 * a file inside a directory read (a map's items read as their folder).
 * Indexed by @id, so a map of a million items is not compared pair by pair.
 */
function madeFor(byBlock: ReadonlyMap<string, readonly CrateEntity[]>): Map<string, Set<string>> {
  const makers = new Map<string, Set<string>>();
  const holders = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, id: string, block: string): void => void m.set(id, (m.get(id) ?? new Set()).add(block));
  for (const [block, actions] of byBlock) {
    for (const made of actions.flatMap((a) => refsOf(a['result']))) {
      add(makers, made, block);
      for (const dir of datasetsAbove(made)) add(holders, dir, block);
    }
  }
  return new Map([...byBlock].map(([block, actions]) => {
    const from = new Set<string>();
    for (const read of actions.flatMap((a) => [...refsOf(a['object']), ...refsOf(a['containerImage'])])) {
      for (const id of [read, ...datasetsAbove(read)]) for (const b of makers.get(id) ?? []) from.add(b);
      for (const b of holders.get(read) ?? []) from.add(b);
    }
    from.delete(block);
    return [block, from];
  }));
}

/**
 * Blocks in an order where every block comes after the blocks whose actions
 * made what its actions read (or the image they ran in), as the recorded
 * actions say: the document may have changed since the run, a block renamed
 * or gone while its cached job is still the run's. Otherwise the document's
 * order (its blocks after those they read from), and blocks it no longer has
 * last; where the record goes round in a circle, the first left of that order.
 */
function blockPositions(view: RunView, byBlock: ReadonlyMap<string, readonly CrateEntity[]>): string[] {
  const used = new Set(byBlock.keys());
  const blocks = view.pipeline.blocks.filter((b) => used.has(b.id));
  const preferred: string[] = [];
  const placedInDocument = new Set<string>();
  while (preferred.length < blocks.length) {
    const next = blocks.find((b) => !placedInDocument.has(b.id) && b.after.every((a) => placedInDocument.has(a) || !used.has(a)));
    if (next === undefined) break;
    preferred.push(next.id);
    placedInDocument.add(next.id);
  }
  preferred.push(...[...used].filter((b) => !placedInDocument.has(b)).sort());
  const needs = madeFor(byBlock);
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < preferred.length) {
    const left = preferred.filter((b) => !placed.has(b));
    const next = left.find((b) => [...needs.get(b)!].every((n) => placed.has(n))) ?? left[0]!;
    order.push(next);
    placed.add(next);
  }
  return order;
}

/**
 * Every block that took part in the run as a tool (`SoftwareApplication`)
 * with its `HowToStep` and a `ControlAction` over its actions: each job a
 * `CreateAction` (a cached one the action of the run that computed it; one
 * that failed, `FailedActionStatus` with its `error`); a
 * `shark-build` block whose image jobs ran in, an action whose result is
 * that image (a `ContainerImage` with its id as `sha256`, each job run in it
 * naming it as `containerImage`; one action per image, a cached job may have
 * run in an older one); a publish block that published in the run, an action whose object is what it
 * published (`published`: the crate's entities for its paths). Each job's
 * variables are its action's `environment`, their parameters its tool's
 * (`crateVariables`).
 */
export function workflowEntities(
  view: RunView, idOf: (path: string, id: string) => Ref[], published: (paths: readonly string[]) => Ref[],
): WorkflowEntities {
  const user = ref('#user');
  const byBlock = new Map<string, CrateEntity[]>();
  const act = (block: string, action: CrateEntity): CrateEntity => {
    byBlock.set(block, [...(byBlock.get(block) ?? []), action]);
    return action;
  };

  const images = new Map<string, CrateEntity>();
  const builds = new Map<string, Set<string>>();
  const imageOf = (j: RunJob): string | undefined => {
    const hex = dockerImage(j.record.record.env);
    if (hex === undefined) return undefined;
    const step = view.pipeline.stepsById.get(j.row.step);
    const env = step?.kind === 'run' ? step.env : undefined;
    const id = `#image-${hex}`;
    if (!images.has(id)) {
      images.set(id, {
        '@id': id, '@type': ['ContainerImage', 'SoftwareApplication'], additionalType: ref(`${WFRUN}DockerImage`),
        name: env ?? j.record.record.env, identifier: j.record.record.env, sha256: hex,
      });
    }
    const block = env === undefined ? undefined : view.pipeline.environments.get(env)?.blockId;
    if (block !== undefined) builds.set(block, (builds.get(block) ?? new Set()).add(id));
    return id;
  };
  const variables = crateVariables(view.jobs);
  const localFiles = new Map<string, CrateEntity>();
  const localRefs = (j: RunJob): Ref[] => localFilesOf(j.record.record.files, j.record.record.deps).map((f) => {
    const e = localFileEntity(f);
    if (!localFiles.has(e['@id'])) localFiles.set(e['@id'], e);
    return ref(e['@id']);
  });
  const sources = new Map<string, CrateEntity>();
  const sourceRefs = (j: RunJob): Ref[] => {
    const s = pinnedSource(j);
    if (s === undefined) return [];
    const e = sourceEntity(s);
    if (!sources.has(e['@id'])) sources.set(e['@id'], e);
    return [ref(e['@id'])];
  };
  const jobActions = view.jobs.map((j) => {
    const image = imageOf(j);
    return act(j.row.block, {
      '@id': jobActionId(j), '@type': 'CreateAction', name: `${j.madeAs} (run ${j.record.runId})`, identifier: j.madeAs,
      description: j.record.meta.command, instrument: ref(toolId(j.row.block)),
      object: [...j.record.record.inputs.flatMap(([p, id]) => idOf(p, id)), ...localRefs(j), ...sourceRefs(j)], result: Object.entries(j.record.outputs).flatMap(([p, id]) => idOf(p, id)),
      startTime: iso(j.record.started), endTime: iso(j.record.ended), agent: user, actionStatus: COMPLETED,
      ...(image !== undefined ? { containerImage: ref(image) } : {}), ...environmentOf(variables.values(j.record.record.variables)),
    });
  });
  const buildActions = [...builds].flatMap(([block, ids]) => [...ids].map((image) => act(block, {
    '@id': `#build-${encodeURIComponent(block)}-${image.slice('#image-'.length, '#image-'.length + 12)}`, '@type': 'CreateAction',
    name: `build ${images.get(image)!['name'] as string}`, instrument: ref(toolId(block)), result: ref(image), agent: user, actionStatus: COMPLETED,
  })));
  const failedActions = view.failed.map((f) => act(f.row.block, {
    '@id': `#run-${view.run.id}-job-${encodeURIComponent(f.row.job)}`, '@type': 'CreateAction', name: `${f.row.job} (run ${view.run.id})`,
    identifier: f.row.job, ...(f.command === undefined ? {} : { description: f.command }), instrument: ref(toolId(f.row.block)),
    object: f.inputs.flatMap(([p, id]) => idOf(p, id)),
    ...(f.started === undefined ? {} : { startTime: iso(f.started) }), ...(f.ended === undefined ? {} : { endTime: iso(f.ended) }),
    agent: user, actionStatus: FAILED, error: f.error,
  }));
  // Only what the run published: a publish step an input's failure skipped (or the targets left out) made nothing.
  // A publish step's id is its block's, and the run recorded it: a heading renamed since still names it.
  const publishActions = [...view.published].flatMap(([block, paths]) => {
    const object = published(paths);
    return object.length === 0 ? [] : [act(block, {
      '@id': `#run-${view.run.id}-publish-${encodeURIComponent(block)}`, '@type': 'CreateAction', name: `${block} (run ${view.run.id})`,
      instrument: ref(toolId(block)), object, agent: user, actionStatus: COMPLETED,
    })];
  });

  const order = blockPositions(view, byBlock);
  const blockText = (b: string): string => {
    const node = view.pipeline.blocks.find((n) => n.id === b);
    const text = (node?.block.body ?? []).map((l) => l.text).join('\n');
    // An import's URLs are described as every export shows them: no password, no token.
    return node?.kind === 'import' ? shownUrls(text) : text;
  };
  const commands = (b: string): string => [...new Set(view.jobs.filter((j) => j.row.block === b).map((j) => j.record.meta.command))].join('\n');
  // A block with no job (a build, a publish) is described by its text, which is the run's only if the document is.
  const description = (b: string): { description?: string } =>
    view.jobs.some((j) => j.row.block === b) ? { description: commands(b) } : view.document === 'same' ? { description: blockText(b) } : {};
  return {
    tools: order.map((b) => ({
      '@id': toolId(b), '@type': 'SoftwareApplication', name: b, ...description(b),
      ...environmentOf(variables.parameters(view.jobs.filter((j) => j.row.block === b))),
    })),
    steps: order.map((b, i) => ({ '@id': stepId(b), '@type': 'HowToStep', name: b, position: i, workExample: ref(toolId(b)) })),
    actions: [...buildActions, ...jobActions, ...failedActions, ...publishActions],
    controls: order.map((b) => ({
      '@id': `#run-${view.run.id}-step-${encodeURIComponent(b)}`, '@type': 'ControlAction', name: `orchestrate ${b}`,
      instrument: ref(stepId(b)), object: (byBlock.get(b) ?? []).map((a) => ref(a['@id'])),
    })),
    images: [...images.values()],
    variables,
    localFiles: [...localFiles.values()],
    sources: [...sources.values()],
  };
}
