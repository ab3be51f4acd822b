import { baseName, isUnder, parentOf } from '../pipeline/data-path.js';
import type { Step } from '../pipeline/pipeline.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { DataState } from './data-state.js';
import { composeOutputs, matchesLevel, withExtension, type Job } from './jobs.js';
import { descend } from './trees.js';
import type { Session } from './session.js';
import type { JobDecision, StepDecision } from './step-plan.js';

/**
 * What a map whose jobs are partly cached is known to write before it runs:
 * its directories as its cached jobs made them, and the paths (one per item)
 * its other jobs will write. A join behind it is decided item by item from
 * these, as `run` decides it once the map is done: only the items the map
 * runs again wait for it.
 */
export interface PartMade {
  readonly step: string;
  /** Each output directory, of the cached jobs' items alone. */
  readonly ids: ReadonlyMap<string, SnapshotId>;
  /** Each item path still to be written, with the step that writes it. */
  readonly pending: ReadonlyMap<string, string>;
}

/**
 * The part a map step is known to make, or undefined when it is not a map of
 * items (`+` outputs alone), none of its jobs is cached, or a job of it will
 * fail as it stands (`run` skips what reads it then).
 */
export function partMade(
  session: Session, step: Step, state: DataState, done: readonly { job: Job; outputs: Record<string, SnapshotId> }[], decided: readonly JobDecision[],
  past?: Past,
): PartMade | undefined {
  // A job waiting for its joined item has it missing for now (`decidePast`): not a job that fails.
  const fails = (j: Job): boolean => j.problem !== undefined && past?.waitsFor(j) === undefined;
  // None cached: nothing is known of it yet, and a map over it stays one blocked line (`plan` in docs/cli.md).
  if (done.length === 0 || step.outputs.length === 0 || !step.outputs.every((o) => o.perItem)) return undefined;
  // Made only here: most steps have none cached, and a plan of a million jobs would copy them all to find out.
  const rest = decided.filter((d) => d.cached === undefined).map((d) => d.job);
  if (rest.some(fails)) return undefined;
  return composedPart(session, step, state, done, rest, past?.unmade ?? []);
}

/**
 * What a map of which some jobs failed or were skipped (under `--keep-going`) made:
 * its done jobs' directories, and its other items as still to be written, so a map
 * joining it (or mapping over it) runs the items that were made and skips the rest
 * (`exec/run/past-failed.ts`), as `plan` shows them the next time.
 */
export function failedPart(
  session: Session, step: Step, state: DataState, done: readonly { job: Job; outputs: Record<string, SnapshotId> }[],
  notDone: readonly Job[], unmade: readonly { readonly name: string }[],
): PartMade | undefined {
  if (done.length === 0 || step.outputs.length === 0 || !step.outputs.every((o) => o.perItem)) return undefined;
  return composedPart(session, step, state, done, notDone, unmade);
}

/** The done jobs' directories put together, and the other jobs' and unmade items' paths as pending. */
function composedPart(
  session: Session, step: Step, state: DataState, done: readonly { job: Job; outputs: Record<string, SnapshotId> }[],
  rest: readonly Job[], unmade: readonly { readonly name: string }[],
): PartMade | undefined {
  const composed = composeOutputs(step, done, (id) => state.entries(id), (e) => session.store.composeTree(e));
  if (!composed.ok) return undefined;
  const pending = new Map<string, string>();
  for (const job of rest) for (const o of job.outputs) pending.set(o.path, step.id);
  for (const { name } of unmade) for (const o of step.outputs) pending.set(`${o.path}/${withExtension(name, o.ext)}`, step.id);
  return { step: step.id, ids: composed.ids, pending };
}

/** A step decided past maps that are partly made (`decidePast`). */
export interface Past {
  readonly decision: StepDecision & { kind: 'jobs' };
  /** The step a job waits for (the writer of an item it joins), if any. */
  readonly waitsFor: (job: Job) => string | undefined;
  /** Items of the directory it maps over still to be made, in name order, with their writer: a blocked job each. */
  readonly unmade: readonly { readonly name: string; readonly by: string; /** Why its job fails once made (`joinedMissing`). */ readonly fails?: string }[];
}

/**
 * A step blocked only by maps that are partly made, which it joins (or maps
 * over): decided with those directories as their cached jobs made them, and,
 * for each job, the step it still waits for (the writer of an item it joins),
 * if any, and the items still to be made of the directory it maps over.
 * Undefined when something else holds it up.
 */
export async function decidePast(
  session: Session, step: Step, state: DataState, parts: ReadonlyMap<string, PartMade>, decide: () => Promise<StepDecision>,
): Promise<Past | undefined> {
  const hidden = session.pipeline.hidden?.get(step.id);
  const laid: PartMade[] = [];
  const paths: string[] = [];
  let mapped: { dir: string; pattern: string; part: PartMade } | undefined;
  // Its items, when a map over such a directory: those made and those to be, over one level of one wildcard alone.
  const oneLevel = step.inputs.filter((i) => i.pattern !== undefined).length === 1;
  for (const input of step.inputs) {
    const found = state.lookup(input.path, hidden?.get(input.path), input.from);
    if (found.kind !== 'pending') continue;
    const part = parts.get(found.step);
    // A file of one item (`cat /data/dbl/a.txt`): read from the directory as far as it is made, as a join reads its item.
    const holder = input.pattern === undefined && input.join === undefined && !input.isDir && part !== undefined
      ? [...part.ids.keys()].find((dir) => isUnder(input.path, dir)) : undefined;
    const byItem = input.join !== undefined || (oneLevel && input.pattern !== undefined && !input.pattern.includes('/')) || holder !== undefined;
    const dir = holder ?? input.path;
    if (!byItem || part?.ids.has(dir) !== true) return undefined;
    if (input.pattern !== undefined) mapped = { dir: input.path, pattern: input.pattern, part };
    if (paths.includes(dir)) continue;
    laid.push(part);
    paths.push(dir);
  }
  if (laid.length === 0) return undefined;
  // For this decision alone: the directories as far as they are made, then pending again for every other step.
  paths.forEach((path, n) => state.setKnown(path, laid[n]!.ids.get(path)!, laid[n]!.step));
  let decision: StepDecision;
  try {
    decision = await decide();
  } finally {
    paths.forEach((path, n) => state.setPending(path, laid[n]!.step));
  }
  if (decision.kind !== 'jobs') return undefined;
  // A memo of a whole run over just the items made (the failed one absent then) answers each job, cached: taken
  // job by job, as the directories are not whole (and no memo is kept of them).
  const { memo: _whole, ...byJob } = decision;
  const pending = new Map<string, string>();
  const above = new Map<string, string>();
  for (const part of laid) {
    for (const [path, by] of part.pending) {
      pending.set(path, by);
      for (let dir = parentOf(path); !paths.includes(dir) && isUnder(dir, '/data'); dir = parentOf(dir)) above.set(dir, by);
    }
  }
  const waitsFor = (job: Job): string | undefined => {
    for (const { path } of job.inputs) {
      const by = above.get(path) ?? writerAbove(path, pending, paths);
      if (by !== undefined) return by;
    }
    return undefined;
  };
  const unmade = mapped === undefined ? []
    : [...mapped.part.pending].filter(([path]) => parentOf(path) === mapped.dir && matchesLevel(mapped.pattern, baseName(path)))
      .map(([path, by]) => {
        const fails = joinedMissing(step, state, baseName(path));
        return { name: baseName(path), by, ...(fails !== undefined ? { fails } : {}) };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { decision: byJob, waitsFor, unmade };
}

/** The step writing `path` or a directory above it, below one of `roots`. */
function writerAbove(path: string, pending: ReadonlyMap<string, string>, roots: readonly string[]): string | undefined {
  for (let at = path; isUnder(at, '/data') && !roots.includes(at); at = parentOf(at)) {
    const by = pending.get(at);
    if (by !== undefined) return by;
  }
  return undefined;
}

/**
 * Why a job of `step` for item `name`, still to be made by a map upstream,
 * will fail once it is: an item it joins from a directory known now (a
 * frontmatter input, a step's cached output) that has no such item. `plan`
 * says it beside `upstream will run`, where `run` would only find it then.
 */
export function joinedMissing(step: Step, state: DataState, name: string): string | undefined {
  for (const input of step.inputs) {
    if (input.join === undefined) continue;
    const found = state.lookup(input.path, undefined, input.from);
    if (found.kind !== 'known') continue;
    const rel = withExtension(name, input.join.ext);
    const item = descend(found.id, rel, (id) => state.entries(id));
    const missing = item === undefined ? rel : input.join.file !== undefined && descend(item, input.join.file, (id) => state.entries(id)) === undefined ? `${rel}/${input.join.file}` : undefined;
    if (missing !== undefined) return `then fails: the joined item ${missing} is not in ${input.path}/`;
  }
  return undefined;
}
