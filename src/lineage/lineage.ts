import { shownPin } from '../imports/shown-url.js';
import { isUnder } from '../pipeline/data-path.js';
import { sha256 } from '../store/hash.js';
import type { Metadata } from '../store/metadata.js';
import { axesHad, isEmpty, otherAxes, otherValues, shownConfiguration, type Configuration } from './configuration.js';
import { directoryId } from './directory-id.js';
import { readLineage, type LineageProducer } from './lineage-read.js';
import type { MadeBy } from './lineage-result.js';
import { localFilesOf, type LocalFile } from './local-files.js';
import { failedProducer, latestProducer } from './latest-producer.js';
import { failedUpstream } from './failed-upstream.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { PerRun } from './per-run.js';
import { noRunsMessage, notARun } from './runs.js';
import { counted } from '../counted.js';

/** The account of one job that produced data. */
export interface LineageNode {
  readonly job: string;
  readonly block: string;
  readonly location: string;
  /** `group` stands for the several jobs (a map's) that wrote one directory. */
  readonly kind: 'run' | 'import' | 'group';
  readonly command: string;
  readonly environment: string;
  /** The frontmatter, config file and `-e` values the job ran with (part of its key; never a secret): only when it had some. */
  readonly variables?: Readonly<Record<string, string>>;
  readonly source?: Readonly<Record<string, string | number>>;
  /** `{network=host}`: the job shared the host's network, so what it read from there is not in its inputs. */
  readonly network?: 'host';
  readonly impure?: true;
  /** The local files (scripts, `{deps}`) in the job's key with the content ids they had: only when it had some. */
  readonly files?: readonly LocalFile[];
  readonly outputs: Readonly<Record<string, string>>;
  readonly started: string;
  readonly ended: string;
  readonly host: string;
  readonly version: string;
  readonly key: string;
  /** The run that made the result (an earlier one for a job found cached; for a group, the run asked about). */
  readonly run: number;
  /**
   * For a result made by a run of another document (a step both share): the
   * job as that run named it and where its block was there. `job`, `block`
   * and `location` are this document's.
   */
  readonly madeBy?: MadeBy;
  /** `fsck --repair` dropped the result since, its stored data missing or damaged: this is the record of it, the data is gone. */
  readonly dropped?: true;
  /** Each input with the jobs that wrote it (none for a host input, or when `--depth` cut it: `truncated`). */
  readonly inputs: readonly LineageInput[];
  /** For the directory asked about: the run did not finish the steps that write it, so it holds only what some of their jobs wrote. */
  readonly unfinished?: string;
}

export interface LineageInput {
  readonly path: string;
  readonly id: string;
  readonly from: readonly LineageNode[];
  readonly truncated?: true;
  /** No job of the run wrote it: a host input (text marks it `(input)`). */
  readonly input?: true;
  /** No job wrote into it, and it holds nothing: a map's directory when nothing matched (text: `(empty: …)`). */
  readonly empty?: true;
  /**
   * The jobs `from` made these bytes again after this job read the same
   * bytes (a result made again, `--force`, found cached by this reader): why
   * their times come after its own (text: `made again after … read the same bytes`).
   */
  readonly madeAgainAfterRead?: true;
}

/** The id of a directory that holds nothing. */
const EMPTY_TREE = `tree:${sha256('')}`;


/** Why a lineage could not be shown: `reason` lets each caller pick its exit status. */
export interface LineageFailure {
  readonly reason: 'never-run' | 'unknown-run' | 'not-produced';
  readonly error: string;
}

export interface LineageOptions {
  /** A run of this pipeline (default: the latest that produced the path). */
  readonly run?: number;
  /** How many levels of producers to follow below the top job (default: all). */
  readonly depth?: number;
  /** `-e` values: the latest run (or `run`, if it did) that made the path under them. */
  readonly configuration?: Configuration;
  /** The document, when it checks: a path no run made is explained by a failure upstream of the step writing it. */
  readonly pipeline?: Pipeline;
}

/**
 * Everything that produced `path` in a run of a pipeline (the latest that
 * produced it, unless `options.run`): the job that wrote it (or the directory it is in), then,
 * recursively, the jobs that wrote each of that job's inputs, down to
 * imports and host inputs.
 */
export function lineageOf(meta: Metadata, pipelinePath: string, path: string, options: LineageOptions = {}): LineageNode | LineageFailure {
  const query = lineageQuery(meta, pipelinePath, path, options);
  return 'error' in query ? query : query.read();
}

/** A lineage placed before it is read: the run it is read from, known first, is what a kept rendering of it is found by. */
export interface LineageQuery {
  /** The run whose jobs it shows; undefined under `-e` values (a run that made the path under them is sought). */
  readonly run?: number;
  read(): LineageNode | LineageFailure;
}

/** The run `lineageOf` reads the lineage of `path` from, and how it reads it. */
export function lineageQuery(meta: Metadata, pipelinePath: string, path: string, options: LineageOptions = {}): LineageQuery | LineageFailure {
  const runs = meta.runs(pipelinePath);
  if (runs.length === 0) return { reason: 'never-run', error: noRunsMessage(meta, pipelinePath, 'this pipeline') };
  const run = options.run === undefined ? undefined : runs.find((r) => r.id === options.run);
  if (options.run !== undefined && run === undefined) {
    return { reason: 'unknown-run', error: notARun(options.run, runs) };
  }
  const { configuration } = options;
  if (configuration !== undefined && !isEmpty(configuration)) {
    return { read: () => lineageUnder(meta, run === undefined ? runs.map((r) => r.id) : [run.id], path, configuration, options.depth) };
  }
  // Without --run: the latest run that made the path (one that did not touch it hides none before it).
  const made = run === undefined ? latestProducer(meta, runs, path) : { run: run.id };
  // A run records the jobs that failed, not the steps skipped for them: the document says which of those a step needs.
  const upstream = (runId: number, latest: boolean): string => {
    const why = options.pipeline === undefined ? undefined : failedUpstream(meta, options.pipeline, runId, path, latest);
    return why === undefined ? '' : `: ${why}`;
  };
  if (made === undefined) return { reason: 'not-produced', error: `no run of this pipeline produced ${path}${upstream(runs[0]!.id, true)}` };
  if ('failed' in made) return { reason: 'not-produced', error: made.failed };
  return {
    run: made.run,
    read: () => lineageInRun(meta, made.run, path, options.depth)
      ?? { reason: 'not-produced', error: failedProducer(meta, made.run, path) ?? `no job of run ${made.run} produced ${path}${upstream(made.run, false)}` },
  };
}

/**
 * The lineage of `path` in the first of `runs` (newest first) that made it
 * under `c`; with one run (`--run N`), why that one did not.
 */
function lineageUnder(meta: Metadata, runs: readonly number[], path: string, c: Configuration, depth = Infinity): LineageNode | LineageFailure {
  let latest: { run: number; other: ReturnType<typeof otherValues> } | undefined;
  // The latest run that made the path from other axis values, named when no run made it from these.
  let latestAxes: number | undefined;
  for (const runId of runs) {
    const axes = otherAxes(meta, runId, path, c);
    if (axes !== undefined) {
      if (runs.length === 1) return { reason: 'not-produced', error: axes };
      if (latest === undefined && latestAxes === undefined && lineageInRun(meta, runId, path, 0) !== undefined) latestAxes = runId;
      continue;
    }
    const top = restricted(meta, lineageInRun(meta, runId, path, 0), c);
    if (top === undefined) {
      if (runs.length === 1) return { reason: 'not-produced', error: failedProducer(meta, runId, path) ?? `no job of run ${runId} produced ${path}` };
      continue;
    }
    const other = otherValues(meta, top, c);
    if (other.length === 0) return depth === 0 ? top : restricted(meta, lineageInRun(meta, runId, path, depth), c)!;
    latest ??= { run: runId, other };
  }
  const had = latest?.other.map((o) => o.had).join(', ');
  if (runs.length === 1 && latest !== undefined) return { reason: 'not-produced', error: `run ${latest.run} produced ${path} with ${had}, not ${latest.other.map((o) => o.wanted).join(', ')}` };
  const nearest = latestAxes !== undefined && (latest === undefined || latestAxes > latest.run)
    ? ` (the latest that did, run ${latestAxes}, had ${axesHad(meta, latestAxes, c)})`
    : latest !== undefined ? ` (the latest that did, run ${latest.run}, had ${had})` : '';
  return { reason: 'not-produced', error: `no run of this pipeline produced ${path} with ${shownConfiguration(c)}${nearest}` };
}

/**
 * A directory's lineage under `-e AXIS=V`: of the jobs several instances
 * ran into it, those of the instances the subset keeps (all of them when
 * none is kept: the run's blocks were named otherwise than the document's now).
 */
function restricted(meta: Metadata, node: LineageNode | undefined, c: Configuration): LineageNode | undefined {
  if (node?.kind !== 'group' || c.blocks === undefined || c.axes.size === 0) return node;
  const all = node.inputs[0]?.from ?? [];
  const kept = all.filter((n) => c.blocks!.has(n.block));
  if (kept.length === all.length || kept.length === 0) return node;
  return groupOf(meta, node.job, kept, node.run, ` with ${shownConfiguration(c, 'axes')}`);
}

/** The node of a directory several jobs (`from`, a map's or several instances') wrote: it stands for all of them. */
function groupOf(meta: Metadata, path: string, from: readonly LineageNode[], run: number, under = ''): LineageNode {
  return {
    job: path, block: from[0]!.block, location: '', kind: 'group', command: `${counted(from.length, 'job')} wrote ${path}${under}`,
    environment: '', outputs: {}, started: '', ended: '', host: '', version: '', key: '', run,
    inputs: [{ path, id: directoryId(meta, path, from.map((f) => f.outputs)) ?? '', from }],
  };
}

/** The lineage of `path` as run `runId` made it, or undefined when no job of that run wrote it. */
export function lineageInRun(meta: Metadata, runId: number, path: string, depth = Infinity): LineageNode | undefined {
  // All read first, a level of jobs per few statements; the nodes are then built from memory.
  const data = readLineage(meta, runId, path, depth);
  if (data.top.length === 0) return undefined;
  // By the run a job was found in and its name there (a run has one job of a name).
  const seen = new PerRun<LineageNode>();
  const build = (f: LineageProducer, level: number): LineageNode => {
    // A job reached at two levels is cut at a different place: one entry per level when cutting.
    const id = depth === Infinity ? f.job : `${f.job}\0${level}`;
    const cached = seen.get(f.in, id);
    if (cached !== undefined) return cached;
    const r = data.result(f);
    const started = new Date(r.started).toISOString();
    const node: LineageNode = {
      job: f.job,
      block: f.block,
      location: `${r.file}:${r.line}:${r.col}`,
      kind: r.kind,
      command: r.command,
      environment: r.env,
      ...(r.variables.length > 0 ? { variables: Object.fromEntries(r.variables) } : {}),
      ...(r.pin !== null ? { source: shownPin(r.pin) } : {}),
      ...(r.network === 'host' ? { network: 'host' as const, impure: true as const } : {}),
      ...(r.files.length + r.deps.length > 0 ? { files: localFilesOf(r.files, r.deps) } : {}),
      outputs: r.outputs,
      started,
      ended: new Date(r.ended).toISOString(),
      host: r.host,
      version: r.version,
      key: f.key,
      run: r.run,
      ...(r.madeBy !== undefined ? { madeBy: r.madeBy } : {}),
      ...(r.dropped ? { dropped: true as const } : {}),
      inputs: r.inputs.map(([p, id]) => {
        const from = byName(data.producers(f, p).filter((g) => g.job !== f.job));
        if (from.length === 0) return id === EMPTY_TREE ? { path: p, id, from: [], empty: true } : { path: p, id, from: [], input: true };
        if (level >= depth) return { path: p, id, from: [], truncated: true };
        const made = from.map((g) => build(g, level + 1));
        // Read before the run's producer made the same bytes again (`--force`): a reader's time before its producer's.
        return { path: p, id, from: made, ...(made.some((m) => m.kind !== 'group' && m.started > started) ? { madeAgainAfterRead: true as const } : {}) };
      }),
    };
    seen.set(f.in, id, node);
    return node;
  };
  const { top } = data;
  const node = top.length === 1 ? build(top[0]!, 0) : groupOf(meta, path, byName(top).map((f) => build(f, 0)), runId);
  // Only of a directory jobs wrote into: one job's own output is whole, whatever its step's other jobs did.
  const note = top.length === 1 && Object.keys(node.outputs).some((o) => o.replace(/\/$/, '') === path || isUnder(path, o.replace(/\/$/, ''))) ? undefined : unfinished(meta, runId, path, top.map((f) => f.job));
  return note === undefined ? node : { ...node, unfinished: note };
}

/**
 * What a directory's lineage says when the run did not finish the steps whose
 * jobs write it (a map item failed, Ctrl-C): `run 1 did not finish map: 1 of
 * its 3 jobs did not end ok, …`, or, while it runs, `run 1 is still running
 * map: …`; undefined when it finished them.
 */
function unfinished(meta: Metadata, runId: number, path: string, jobs: readonly string[]): string | undefined {
  const begun = meta.runRows.begun(runId);
  const steps = new Set<string>();
  for (const job of jobs) {
    // A map job is its step's id and its item in brackets (the item may hold brackets too); another job is its step.
    let step = job;
    for (let cut = job.lastIndexOf('['); !begun.has(step) && cut > 0; cut = job.lastIndexOf('[', cut - 1)) step = job.slice(0, cut);
    if (begun.has(step)) steps.add(step);
  }
  const short = [...steps].flatMap((step) => {
    const all = begun.get(step)!;
    const missing = all - meta.runRows.endedOk(runId, step);
    return missing > 0 ? [{ step, all, missing }] : [];
  });
  if (short.length === 0) return undefined;
  // A run still going has not failed the jobs it has not ended: they may yet end well. Asked only of a run short of jobs.
  const live = meta.liveRuns().some((r) => r.id === runId);
  const said = short.map(({ step, all, missing }) =>
    `${step}: ${missing} of its ${all} jobs ${live ? `${missing === 1 ? 'has' : 'have'} not ended ok yet` : 'did not end ok'}`);
  return live
    ? `run ${runId} is still running ${said.join('; ')}, so ${path} holds only what the others wrote so far`
    : `run ${runId} did not finish ${said.join('; ')}, so ${path} holds only what the others wrote`;
}

/** Jobs in the order of their names (a map's items as `ls` lists them), not the order they ended in. */
function byName<T extends { readonly job: string }>(jobs: readonly T[]): readonly T[] {
  return jobs.length < 2 ? jobs : [...jobs].sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
}
