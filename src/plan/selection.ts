import { forcedLeftOut, withoutUnread, type Need } from '../pipeline/needed-instances.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import { upstreamPick } from './item-picks.js';
import { joinPicks, type JobPick } from './job-picks.js';
import { resolveName } from './target-names.js';

/**
 * Which steps a plan or run covers, decided once from the DAG (`step.after`)
 * before anything is planned, so that `plan` and `run` agree: the steps the
 * targets need, or without targets every step but the `{manual}` blocks and
 * what needs them. `--force` is here too, as step ids.
 */
export interface Selection {
  /** Step ids covered (publish steps included), in no particular order. */
  readonly steps: ReadonlySet<string>;
  /** Steps left out because of `{manual}`, in document order: each with the manual step it needs (itself for a manual one). */
  readonly manual: ReadonlyMap<string, string>;
  /** How many steps the targets do not need (0 without targets). */
  readonly leftOut: number;
  /** Step ids of the blocks named by `--force`: their jobs run even when cached. */
  readonly forced: ReadonlySet<string>;
  /** Covered map steps of which only some jobs run: the targets named those jobs (an id, or a path one writes), and nothing needs the whole map. */
  readonly only?: ReadonlyMap<string, JobPick>;
  /** Steps `--force` names some jobs of, not the whole: only those jobs run even when cached. */
  readonly forcedJobs?: ReadonlyMap<string, JobPick>;
  /** What `plan` notes and `run`'s summary says of each `--force` name none of whose steps are covered (only when there are any). */
  readonly forceUnused?: readonly string[];
}

/** Why a `--force` name the targets leave out is not run. */
export const NOT_NEEDED = 'not needed for the targets, not run';

/** `forced`: the name came from `--force`, not the targets (the message names neither). */
export type SelectionError = { readonly reason: 'unknown-target'; readonly target: string; readonly forced: boolean; readonly message: string };

export type SelectionResult = { ok: true; selection: Selection } | { ok: false; error: SelectionError };

/** Every step, nothing forced: what a plan or run without targets or flags covers for a document with no `{manual}`. */
export function everything(pipeline: Pipeline): Selection {
  return { steps: new Set(pipeline.steps.map((s) => s.id)), manual: new Map(), leftOut: 0, forced: new Set() };
}

/**
 * What a run's summary says of the steps, axis values and map jobs it left
 * out; nothing when it left none out. `partial`: the map steps of which it
 * ran only the jobs the targets named, which `gc` must not take for
 * finished (`lineage/gc-keep.ts`): their other items' results are older runs'.
 * `later`: what was said of `--force` names once the maps' items were known
 * (`StepDecision.forceUnused`), after the selection's own.
 */
export function leftOutSummary(pipeline: Pipeline, selection: Selection, later: readonly string[] = []): { leftOut?: number; manual?: string[]; needsManual?: string[]; axes?: Record<string, string[]>; partial?: string[]; needed?: NeededInstance[]; forceUnused?: readonly string[] } {
  const manual = [...selection.manual].filter(([id, m]) => id === m).map(([id]) => pipeline.stepsById.get(id)?.blockId ?? id);
  const needs = [...selection.manual].filter(([id, m]) => id !== m).map(([id]) => id);
  const axes = restrictedAxes(pipeline);
  const needed = neededInstances(pipeline, selection);
  const forceUnused = [...(selection.forceUnused ?? []), ...later];
  return {
    ...(selection.leftOut > 0 ? { leftOut: selection.leftOut } : {}),
    ...(selection.only !== undefined && selection.only.size > 0 ? { partial: [...selection.only.keys()] } : {}),
    ...(manual.length > 0 ? { manual: [...new Set(manual)] } : {}),
    ...(needs.length > 0 ? { needsManual: needs } : {}),
    ...(Object.keys(axes).length > 0 ? { axes } : {}),
    ...(needed.length > 0 ? { needed } : {}),
    ...(forceUnused.length > 0 ? { forceUnused } : {}),
  };
}

/** An instance `-e` leaves out that a step of the run reads from: it runs, or is reused, all the same. */
export interface NeededInstance extends Need {
  readonly instance: string;
}

/** The instances of `pipeline.needed` the selection covers, in document order. */
export function neededInstances(pipeline: Pipeline, selection: Selection): NeededInstance[] {
  if (pipeline.needed === undefined) return [];
  return pipeline.blocks.flatMap(({ id, steps }) => {
    const need = pipeline.needed!.get(id);
    return need !== undefined && steps.some((s) => selection.steps.has(s)) ? [{ instance: id, ...need }] : [];
  });
}

/** What `plan` notes of a needed instance. */
export function neededNote(n: NeededInstance): string {
  return `${n.instance} is included although ${n.leftOutBy} leaves it out: ${n.by} reads ${n.reads}, which it writes`;
}

/**
 * The axes `-e AXIS=V` restricted to some of their values, with the values
 * kept: those the instances have. A step reading every value's results (a
 * fan-in) then ran on part of them, under a key of its own, and `gc` must
 * not take the run for one that finished it (`lineage/gc-keep.ts`).
 */
export function restrictedAxes(pipeline: Pipeline): Record<string, string[]> {
  const present = new Map<string, Set<string>>();
  // An instance a kept step needs is in the run, not in the subset `-e` asked for.
  for (const { id, block } of pipeline.blocks) {
    if (pipeline.needed?.has(id) === true) continue;
    for (const [name, value] of block.instance?.axes ?? []) present.set(name, (present.get(name) ?? new Set()).add(value));
  }
  const out: Record<string, string[]> = {};
  for (const [name, axis] of pipeline.document.frontmatter?.axes ?? []) {
    const kept = present.get(name);
    if (kept !== undefined && kept.size < axis.values.length) out[name] = axis.values.map((v) => v.value).filter((v) => kept.has(v));
  }
  return out;
}

export function isManual(step: Step): boolean {
  return flag(step, 'manual');
}

export function isPrecious(step: Step): boolean {
  return flag(step, 'precious');
}

function flag(step: Step, name: string): boolean {
  const value = step.block.options[name];
  return value === true || value === 'true';
}

/**
 * `targets` are `/data` paths or block, instance or step ids; `force` the
 * values of `--force` (each may be a comma list). An unknown name is an
 * error naming the block ids and the closest one.
 */
export function selectSteps(pipeline: Pipeline, targets: readonly string[], force: readonly string[] = []): SelectionResult {
  const forced = new Set<string>();
  const forceNames = new Map<string, readonly Step[]>();
  const forcedJobs = new Map<string, JobPick>();
  for (const value of force) {
    const names = splitList(value);
    // `--force ''` names nothing: a mistake, not a request to force nothing.
    if (names.length === 0) return { ok: false, error: { reason: 'unknown-target', target: value, forced: true, message: `expects block ids (one, or a comma list), not \`${value}\`` } };
    for (const name of names) {
      const found = resolveName(pipeline, name, true);
      if (!found.ok) return found;
      for (const s of found.steps) if (!found.picks.has(s.id)) forced.add(s.id);
      for (const [id, pick] of found.picks) forcedJobs.set(id, joinPicks(forcedJobs.get(id), { names: [pick] }));
      forceNames.set(name, found.steps);
    }
  }
  // A step forced whole is forced whole, whatever jobs of it are also named.
  for (const id of forced) forcedJobs.delete(id);
  const forcing = { forced, ...(forcedJobs.size > 0 ? { forcedJobs } : {}) };
  if (targets.length === 0) {
    const rest = withoutManual(pipeline);
    const dropped = forcedLeftOut(pipeline, forceNames, rest.steps);
    if (dropped !== undefined) return { ok: false, error: { reason: 'unknown-target', target: dropped.name, forced: true, message: dropped.message } };
    return { ok: true, selection: withForce({ ...rest, ...forcing }, forceNames, (s) => manualNote(pipeline, s, rest.manual)) };
  }
  const named = new Set<string>();
  const only = new Map<string, JobPick>();
  for (const target of targets) {
    const found = resolveName(pipeline, target, false);
    if (!found.ok) return found;
    for (const s of found.steps) if (!found.picks.has(s.id)) named.add(s.id);
    for (const [id, pick] of found.picks) only.set(id, joinPicks(only.get(id), { names: [pick] }));
  }
  // Steps are in document order and a step comes after what it reads: one backward pass closes the set. A map
  // some of whose jobs are picked needs only the same items of a map it reads item by item (item-picks.ts).
  const steps = new Set([...named, ...only.keys()]);
  for (const step of [...pipeline.steps].reverse()) {
    if (!steps.has(step.id)) continue;
    const pick = named.has(step.id) ? undefined : only.get(step.id);
    for (const dep of step.after) {
      steps.add(dep);
      const upstream = upstreamPick(step, pick, pipeline.stepsById.get(dep)!);
      if (upstream === undefined) named.add(dep);
      else only.set(dep, joinPicks(only.get(dep), upstream));
    }
  }
  // A map named whole, or read by a step of the run, runs whole: its reader needs every item.
  for (const id of named) only.delete(id);
  // A publish block comes along when everything it copies out is made (whole) by the selected steps; a `{manual}` one only when named.
  for (const step of pipeline.steps) {
    if (step.kind === 'publish' && !isManual(step) && step.after.length > 0 && step.after.every((d) => steps.has(d) && !only.has(d))) steps.add(step.id);
  }
  const selection = { steps, manual: new Map<string, string>(), leftOut: pipeline.steps.length - steps.size, ...forcing, ...(only.size > 0 ? { only } : {}) };
  return { ok: true, selection: withForce(selection, forceNames, () => NOT_NEEDED) };
}

/**
 * The selection with a note for each `--force` name that covers none of its
 * steps: a force the targets (or `{manual}`) leave out would otherwise be
 * dropped without a word, and the user left to think the block reran.
 */
function withForce(selection: Selection, names: ReadonlyMap<string, readonly Step[]>, why: (step: Step) => string): Selection {
  const unused = [...names].filter(([, steps]) => !steps.some((s) => selection.steps.has(s.id))).map(([name, steps]) => `--force ${name}: ${why(steps[0]!)}`);
  return unused.length === 0 ? selection : { ...selection, forceUnused: unused };
}

/** Why a step left out without targets does not run: it is `{manual}`, or needs a block that is. */
function manualNote(pipeline: Pipeline, step: Step, manual: ReadonlyMap<string, string>): string {
  const by = manual.get(step.id);
  if (by === undefined || by === step.id) return '{manual}, not run unless named as a target (or needed by one)';
  return `needs ${pipeline.stepsById.get(by)?.blockId ?? by}, which is {manual}: not run unless named as a target`;
}

/** The `{manual}` steps (each to itself) and the steps that read from them (each to the `{manual}` one it needs). */
export function manualNeeds(pipeline: Pipeline): Map<string, string> {
  const manual = new Map<string, string>();
  for (const step of pipeline.steps) {
    if (isManual(step)) manual.set(step.id, step.id);
    else {
      const dep = step.after.find((d) => manual.has(d));
      if (dep !== undefined) manual.set(step.id, manual.get(dep)!);
    }
  }
  return manual;
}

/** Without targets: every step but the `{manual}` ones and those that read from them. */
function withoutManual(pipeline: Pipeline): Omit<Selection, 'forced'> {
  const manual = manualNeeds(pipeline);
  const steps = withoutUnread(pipeline, new Set(pipeline.steps.filter((s) => !manual.has(s.id)).map((s) => s.id)));
  return { steps, manual, leftOut: 0 };
}

/** `a,b[X=1,Y=2]` → `a`, `b[X=1,Y=2]`: commas inside an instance id's brackets belong to it. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}
