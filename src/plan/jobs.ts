import { Minimatch } from 'minimatch';
import type { Position } from '../diagnostics.js';
import { shownStepOutput, type Input, type Output, type Step } from '../pipeline/pipeline.js';
import { isUnder } from '../pipeline/data-path.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { KEY_VERSION, keyMaker, type KeyRecord } from './key.js';
import { ExpandedJob, withExtension, type StepShape } from './expanded-job.js';
import { overlay, withoutGiven, type Part } from './trees.js';

/** One item of a map: a path under a wildcard input's directory that matches its pattern (`AVES/robin.geojson`). */
export interface Item {
  readonly input: Input;
  readonly name: string;
  readonly id: SnapshotId;
}

/** One concrete execution of a step; a map step has one job per item (or combination). */
export interface Job {
  readonly id: string;
  readonly step: Step;
  readonly items: readonly Item[];
  /** Stable across edits of the document: the step's outputs (or command) plus the items. */
  readonly identity: string;
  /** What the job reads, by path, with ids: materialized into its workspace. */
  readonly inputs: readonly { readonly path: string; readonly id: SnapshotId }[];
  /** Paths the job must create. */
  readonly outputs: readonly { readonly path: string; readonly output: Output }[];
  readonly record: KeyRecord;
  readonly key: string;
  /** The name `+` stands for. */
  readonly plusName: string | undefined;
  /** Why the job cannot run, found before it starts (a joined item that does not exist): it fails with this. */
  readonly problem?: { readonly at: Position; readonly message: string };
}

export interface JobContext {
  readonly envId: string;
  readonly variables: readonly (readonly [string, string])[];
  readonly files: readonly (readonly [string, string])[];
  readonly pin?: Readonly<Record<string, string | number>>;
  /**
   * The pipeline's container working directory (frontmatter `path:`, `pipeline.workdir`):
   * in the key of container steps. Plan and run must both pass it, or neither.
   */
  readonly workdir?: string;
  /** A host step's programs (`plan/tools.ts`), computed once per step; ignored for container steps. */
  readonly tools?: readonly (readonly [string, string])[];
  /** `{deps=…}` files with content hashes. */
  readonly deps?: readonly (readonly [string, string])[];
}

export { withExtension } from './expanded-job.js';

export function stepIdentity(step: Step): string {
  if (step.outputs.length > 0) return step.outputs.map(shownStepOutput).sort().join('\n');
  return step.kind === 'run' ? `cmd:${step.command}` : `${step.kind}:${step.id}`;
}

/** A job's identity without its items (`ExpandedJob.identity`): its step's (`stepIdentity`). */
export function baseIdentity(identity: string): string {
  return identity.split('\0', 1)[0]!;
}

export function itemLabel(items: readonly Item[]): string {
  return items.map((i) => i.name).join(', ');
}

/** A job's item(s) as a run's row names them (`run_jobs.item`): null for a step of one job. */
export function rowItem(items: readonly Item[]): string | null {
  return items.map((i) => i.name).join(',') || null;
}

/**
 * A wildcard input whose id is a file: it has no items, so the map would
 * quietly run no job at all. Checked before expandJobs by plan and run.
 */
export function mapOverFile(
  step: Step,
  inputIds: ReadonlyMap<Input, SnapshotId>,
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
): { readonly at: Position; readonly message: string } | undefined {
  // A tree whose record is missing is the store's problem, reported where it is read, not this one.
  const isFile = (id: SnapshotId): boolean => !id.startsWith('tree:') && entriesOf(id) === undefined;
  const input = step.inputs.find((i) => i.pattern !== undefined && isFile(inputIds.get(i)!));
  if (input === undefined) return undefined;
  return {
    at: input.at,
    message: `maps over \`${input.path}/${input.pattern}\`, but ${input.path} is a file, not a directory: a map runs one job per item of a directory`,
  };
}

/**
 * Expands a step into jobs once its inputs' ids are known: one job, or one
 * per item of each wildcard input (the cartesian product of several). Each
 * map job's key holds only its own items' ids.
 */
export function expandJobs(
  step: Step,
  inputIds: ReadonlyMap<Input, SnapshotId>,
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  ctx: JobContext,
): Job[] {
  const combos = itemCombos(step, inputIds, entriesOf);
  // An input without an id is an optional one left unbound: not there, and not in the key.
  // And what a link among the inputs leads to (`linkedInputs`), which the step does not name.
  const plain = [...inputIds].filter(([i]) => i.pattern === undefined && i.join === undefined).map(([i, id]) => ({ path: i.path, id }));
  const joins = step.inputs.filter((i) => i.join !== undefined).map((input) => ({ input, id: inputIds.get(input)! }));
  // Everything but the inputs is the same for every job of the step: written and hashed once (keyMaker).
  const shared = sharedRecord(step, ctx);
  const mapped = new Map(step.inputs.filter((i) => i.pattern !== undefined).map((input) => [input, inputIds.get(input)!]));
  const shape: StepShape = { step, baseIdentity: stepIdentity(step), plain, joins, mapped, entriesOf, shared, keyFor: keyMaker(shared) };
  return combos.map((items) => new ExpandedJob(shape, items));
}

/** The items of each job of a map (one per combination of its wildcards' items), from its wildcard inputs' ids. */
export function itemCombos(step: Step, inputIds: ReadonlyMap<Input, SnapshotId>, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined): (Item[] | Item)[] {
  let combos: (Item[] | Item)[] = [[]];
  for (const input of step.inputs.filter((i) => i.pattern !== undefined)) {
    const matching = itemsOf(input, inputIds.get(input)!, entriesOf);
    // The first (most often the only) wildcard: its items as they are, no combination made (a million-item map).
    combos = combos.length === 1 && (combos[0] as Item[]).length === 0 ? matching
      : combos.flatMap((combo) => matching.map((item) => ('input' in combo ? [combo, item] : [...combo, item])));
  }
  return combos;
}

/** The wildcard inputs of a map (as `/data/dir/PATTERN`) that match nothing: why it has no job. */
export function unmatchedPatterns(step: Step, inputIds: ReadonlyMap<Input, SnapshotId>, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined): string[] {
  return step.inputs.filter((i) => i.pattern !== undefined && itemsOf(i, inputIds.get(i)!, entriesOf).length === 0).map((i) => `${i.path}/${i.pattern}`);
}

/** What every job of a step has in its key record: all of it but the inputs. */
export function sharedRecord(step: Step, ctx: JobContext): Omit<KeyRecord, 'inputs'> {
  const none: readonly never[] = [];
  return {
    v: KEY_VERSION,
    kind: step.kind === 'import' ? 'import' : 'run',
    env: ctx.envId,
    command: step.kind === 'run' ? step.command : step.kind === 'import' ? step.clause.raw : '',
    cwd: step.kind === 'run' ? (step.cwd ?? null) : null,
    workdir: step.kind === 'run' && step.env !== undefined ? (ctx.workdir ?? null) : null,
    prelude: step.kind === 'run' ? step.exports : none,
    variables: step.kind === 'run' ? ctx.variables : none,
    files: ctx.files,
    tools: step.kind === 'run' && step.env === undefined ? (ctx.tools ?? none) : none,
    deps: step.kind === 'run' ? (ctx.deps ?? none) : none,
    outputs: step.outputs.map(shownStepOutput),
    network: step.kind === 'run' && step.network,
    ...(ctx.pin !== undefined ? { pin: ctx.pin } : {}),
  };
}

/**
 * The ids of a step's outputs from its jobs' results. A map step's `+`
 * directory is the tree of its jobs' items; a shared output directory is
 * the union of what each job wrote into it, and two jobs writing the same
 * name is an error naming both. Of a directory a step writes next to files
 * it read there, only what it added is its output.
 */
export function composeOutputs(
  step: Step,
  results: readonly { readonly job: Job; readonly outputs: Readonly<Record<string, SnapshotId>> }[],
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  composeTree: (entries: readonly TreeEntry[]) => SnapshotId,
): { ok: true; ids: Map<string, SnapshotId> } | { ok: false; message: string } {
  const ids = new Map<string, SnapshotId>();
  const isMapStep = step.inputs.some((i) => i.pattern !== undefined);
  const own = (job: Job, path: string, id: SnapshotId): SnapshotId => {
    const given = job.inputs.filter((i) => isUnder(i.path, path)).map((i) => ({ rel: i.path.slice(path.length + 1), id: i.id }));
    return withoutGiven(id, given, entriesOf, composeTree);
  };
  const paths = [...new Set(step.outputs.map((o) => o.path))];
  for (const path of paths) {
    const outs = step.outputs.filter((o) => o.path === path);
    if (!isMapStep) {
      const result = results[0];
      const id = result?.outputs[path];
      if (id !== undefined) ids.set(path, outs[0]!.isDir ? own(result!.job, path, id) : id);
      continue;
    }
    // Without the jobs' labels first (a string per item, for messages alone); with them when there is something to say.
    const composed = mapDirectory(path, outs, results, own, false, entriesOf, composeTree);
    if (!composed.ok) {
      const told = mapDirectory(path, outs, results, own, true, entriesOf, composeTree);
      return told.ok ? composed : told;
    }
    ids.set(path, composed.id);
  }
  return { ok: true, ids };
}

/**
 * The usual map's directory: every part a name of its own at the top (no
 * `/`, no two alike). Its entries sorted once, two alike found side by
 * side: no map of a million names (twice: the check and the overlay), ~1 s
 * of a 1,000,000-item cached plan. Undefined otherwise: the overlay decides.
 */
function flatDirectory(parts: readonly Part[], composeTree: (entries: readonly TreeEntry[]) => SnapshotId): SnapshotId | undefined {
  const entries: TreeEntry[] = [];
  for (const p of parts) {
    if (p.rel.includes('/')) return undefined;
    entries.push({ name: p.rel, id: p.id });
  }
  // Items come in name order, so this is one pass of comparisons (and the store's own sort another).
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let n = 1; n < entries.length; n++) if (entries[n]!.name === entries[n - 1]!.name) return undefined;
  return composeTree(entries);
}

/** A map step's directory `path` from what each job wrote there; `labeled`: each part says which item wrote it. */
function mapDirectory(
  path: string,
  outs: readonly Output[],
  results: readonly { readonly job: Job; readonly outputs: Readonly<Record<string, SnapshotId>> }[],
  own: (job: Job, path: string, id: SnapshotId) => SnapshotId,
  labeled: boolean,
  entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
  composeTree: (entries: readonly TreeEntry[]) => SnapshotId,
): { ok: true; id: SnapshotId } | { ok: false; message: string } {
  const parts: Part[] = [];
  for (const { job, outputs } of results) {
    const by = labeled ? `item ${itemLabel(job.items)}` : '';
    for (const o of outs) {
      if (o.perItem) {
        const rel = withExtension(job.plusName!, o.ext);
        parts.push({ rel, id: outputs[`${path}/${rel}`]!, by });
        continue;
      }
      const tree = own(job, path, outputs[path]!);
      for (const e of entriesOf(tree) ?? []) parts.push({ rel: e.name, id: e.id, by });
    }
  }
  if (!labeled) {
    const flat = flatDirectory(parts, composeTree);
    if (flat !== undefined) return { ok: true, id: flat };
  }
  // By index, not by label: a million-item map would copy a label per item.
  const seen = new Map<string, number>();
  const item = (p: Part): string => p.by.slice('item '.length);
  for (let n = 0; n < parts.length; n++) {
    const part = parts[n]!;
    const previous = seen.get(part.rel);
    if (previous !== undefined) return { ok: false, message: `two jobs write ${path}/${part.rel}: items ${item(parts[previous]!)} and ${item(part)}` };
    seen.set(part.rel, n);
  }
  const composed = overlay(path, undefined, parts, entriesOf, composeTree);
  if (!composed.ok) return { ok: false, message: composed.message.replace(/written by two steps/, 'written by two jobs') };
  return composed;
}

/**
 * The items of a wildcard input: the paths under its tree that match its
 * pattern of one or more segments (`*.tif`, or one glob per level), each
 * level matched like the shell does; only directories are walked into.
 */
function itemsOf(input: Input, id: SnapshotId, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined): Item[] {
  // `*/`: directories only, as sh matches it.
  const dirsOnly = input.pattern!.endsWith('/');
  const levels = input.pattern!.replace(/\/$/, '').split('/').map(matcher);
  const found: Item[] = [];
  const walk = (tree: SnapshotId, level: number, prefix: string): void => {
    const match = levels[level]!;
    for (const e of entriesOf(tree) ?? []) {
      if (!match(e)) continue;
      if (level === levels.length - 1) {
        if (!dirsOnly || entriesOf(e.id) !== undefined) found.push({ input, name: prefix + e.name, id: e.id });
      }
      else if (entriesOf(e.id) !== undefined) walk(e.id, level + 1, `${prefix}${e.name}/`);
    }
  };
  walk(id, 0, '');
  return found;
}

/** Whether a name matches one level of a pattern (`*.txt`), as a map's items are found. */
export function matchesLevel(pattern: string, name: string): boolean {
  return matcher(pattern)({ name, id: '' });
}

/**
 * Like the shell: `*` matches every name not starting with a dot. Compiled
 * once per pattern, not per item, nor per instance of a sweep (thousands of
 * steps share `*.txt`).
 */
function matcher(pattern: string): (e: TreeEntry) => boolean {
  if (pattern === '*') return (e) => !e.name.startsWith('.');
  let mm = compiled.get(pattern);
  if (mm === undefined) {
    if (compiled.size >= 1024) compiled.clear();
    compiled.set(pattern, (mm = new Minimatch(pattern, { dot: false })));
  }
  const m = mm;
  // sh matches a leading dot only by a dot written out: minimatch takes `[.]foo` (a one-character set) for `.foo`.
  const dot = pattern.startsWith('.') || pattern.startsWith('\\.');
  return (e) => (dot || !e.name.startsWith('.')) && m.match(e.name);
}

const compiled = new Map<string, Minimatch>();
