import { overlaps } from '../pipeline/data-path.js';
import { fanInAxes } from '../pipeline/fan-in.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Metadata } from '../store/metadata.js';
import type { LineageNode } from './lineage.js';
import { parseStored } from '../store/damaged-database.js';

/**
 * The `-e` values a lineage is asked under, as `plan` and `run` take them:
 * which of the runs made PATH the way the user means. Without them a
 * lineage is of the latest run that made PATH, whatever values it ran with.
 */
export interface Configuration {
  /**
   * Variables: the job that wrote PATH had these values (every run job has
   * them all in its key). All of them, as `plan -e` keys jobs: the
   * document's (frontmatter, config file) with the `-e` values over them.
   */
  readonly variables: ReadonlyMap<string, string>;
  /** The names of `variables` the user gave (`-e`, the config file's `env:`): what messages name. */
  readonly given?: ReadonlySet<string>;
  /** Axes restricted to some of their values (`-e AXIS=V1,V2`): the run ran at least these values. */
  readonly axes: ReadonlyMap<string, readonly string[]>;
  /**
   * The axes the step writing PATH reads every instance of together
   * (`fanInAxes`), itself or upstream: on those the run ran exactly the
   * values `axes` keeps (all of them when it keeps none), as `plan -e`
   * keys that step: a run with other values made another result. Empty
   * without `-e`: then the latest run, whatever values it ran.
   */
  readonly fansIn?: ReadonlySet<string>;
  /**
   * With axes restricted: the blocks (instances) the subset keeps, as
   * `plan -e` has them. A directory several instances write shows only
   * the jobs of these.
   */
  readonly blocks?: ReadonlySet<string>;
}

/** Asks for no run in particular: no values, and no fan-in to find a run of exactly the document's values for. */
export function isEmpty(c: Configuration): boolean {
  return c.variables.size === 0 && c.axes.size === 0 && (c.fansIn?.size ?? 0) === 0;
}

/** `YEAR=2020, TAXA=AVES`: the configuration (or its `part`) as the user gave it. */
export function shownConfiguration(c: Configuration, part: 'variables' | 'axes' | 'all' = 'all'): string {
  const variables = part === 'axes' ? [] : [...c.variables].filter(([k]) => c.given?.has(k) ?? true).map(([k, v]) => `${k}=${v}`);
  const axes = part === 'variables' ? [] : [...c.axes].map(([k, vs]) => `${k}=${vs.join(',')}`);
  return [...variables, ...axes].join(', ');
}

/**
 * Why run `runId` did not run the axis values of `c`, or undefined when it
 * did: a run restricted on an axis recorded the values it ran
 * (`summary.axes`); any other ran them all. On an axis PATH's step fans in
 * over, it must have run exactly those values.
 */
export function otherAxes(meta: Metadata, runId: number, path: string, c: Configuration): string | undefined {
  if (c.axes.size === 0 && (c.fansIn?.size ?? 0) === 0) return undefined;
  const ran = ranAxes(meta, runId);
  if (![...c.axes].every(([axis, values]) => ran[axis] === undefined || values.every((v) => ran[axis]!.includes(v)))) {
    return `run ${runId} did not run ${shownConfiguration(c, 'axes')}`;
  }
  for (const axis of c.fansIn ?? []) {
    const [had, wanted] = [ran[axis], c.axes.get(axis)];
    if (had === undefined ? wanted === undefined : wanted !== undefined && had.length === wanted.length && had.every((v) => wanted.includes(v))) continue;
    const values = (vs: readonly string[] | undefined): string => (vs === undefined ? `every value of ${axis}` : `${axis}=${vs.join(',')}`);
    return `run ${runId} made ${path} from ${values(had)} (its step reads their instances together), not from ${values(wanted)}${wanted === undefined ? '' : ' alone'}`;
  }
  return undefined;
}

/** The values a run restricted on some axes ran (`summary.axes`): none for a run of the whole sweep. */
function ranAxes(meta: Metadata, runId: number): Record<string, string[]> {
  const json = meta.db.prepare<[number], { axes: string | null }>("SELECT json_extract(summary, '$.axes') AS axes FROM runs WHERE id = ?").get(runId)?.axes ?? null;
  return json === null ? {} : parseStored<Record<string, string[]>>(json, "a run's configuration");
}

/** `T=a`, or `every value of T`: the values run `runId` ran of each axis `c` asks about, as a message names them. */
export function axesHad(meta: Metadata, runId: number, c: Configuration): string {
  const ran = ranAxes(meta, runId);
  const axes = new Set([...c.axes.keys(), ...(c.fansIn ?? [])]);
  return [...axes].map((axis) => (ran[axis] === undefined ? `every value of ${axis}` : `${axis}=${ran[axis]!.join(',')}`)).join(', ');
}

/**
 * The variables of `c` that the job which wrote the lineage's path had
 * otherwise, as it had them: `NAME=VALUE`, or `no NAME`; none when they
 * agree, or when an import wrote it (an import has no variables).
 */
export function otherValues(meta: Metadata, top: LineageNode, c: Configuration): { readonly had: string; readonly wanted: string }[] {
  const job = top.kind === 'group' ? top.inputs[0]?.from.find((n) => n.kind === 'run') : top.kind === 'run' ? top : undefined;
  if (job === undefined || c.variables.size === 0) return [];
  // Variables are part of the key: a result replaced or dropped since (result_history) had the same.
  const row = meta.db.prepare<[string, string], { variables: string | null }>(`SELECT json_extract(record, '$.variables') AS variables FROM results WHERE key = ?
    UNION ALL SELECT json_extract(record, '$.variables') FROM result_history WHERE key = ? LIMIT 1`).get(job.key, job.key);
  const had = new Map(parseStored<[string, string][]>(row?.variables ?? '[]', "a run's variables"));
  return [...c.variables].filter(([k, v]) => had.get(k) !== v).map(([k, v]) => ({ had: had.has(k) ? `${k}=${had.get(k)}` : `no ${k}`, wanted: `${k}=${v}` }));
}

/**
 * Whether a step of `pipeline` (as `-e AXIS=V` restricted it to some
 * instances) writes `path`, a directory above it or something inside it:
 * a path only a left-out instance writes has no job in that configuration.
 */
export function writesPath(pipeline: Pipeline, path: string): boolean {
  return pipeline.steps.some((s) => s.outputs.some((o) => overlaps(path, o.path.replace(/\/$/, ''))));
}

/**
 * The axes the steps of `pipeline` writing `path` (or a directory above
 * it, or something inside it) read every instance of together, themselves
 * or upstream: their results under `-e` are the subset's own.
 */
export function fansInOver(pipeline: Pipeline, path: string): Set<string> {
  const fansIn = fanInAxes(pipeline);
  const axes = new Set<string>();
  for (const s of pipeline.steps) {
    if (s.outputs.some((o) => overlaps(path, o.path.replace(/\/$/, '')))) for (const axis of fansIn.get(s.id) ?? []) axes.add(axis);
  }
  return axes;
}
