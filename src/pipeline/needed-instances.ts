import type { Document, SharkBlock } from '../markdown/document.js';
import type { Pipeline, Step } from './pipeline.js';

/** Why an instance `-e AXIS=V` leaves out is in the plan all the same. */
export interface Need {
  /** The step that reads what the instance writes. */
  readonly by: string;
  /** The path it reads (a directory with its `/`). */
  readonly reads: string;
  /** The `-e` that leaves the instance out: `-e S=future`. */
  readonly leftOutBy: string;
}

/** An instance `-e AXIS=V` leaves out and nothing kept needs: what it writes, for a target that names it or its paths. */
export interface LeftOut {
  /** The instance's id: `make[TAXA=AVES]`. */
  readonly block: string;
  readonly steps: readonly string[];
  /** The paths its steps write (a directory without its `/`). */
  readonly writes: readonly string[];
  /** The `-e` that leaves it out: `-e TAXA=MAMMALIA`. */
  readonly leftOutBy: string;
}

/**
 * The whole sweep's document cut down to the instances `-e` keeps (`values`:
 * each axis's kept values) and those they need. A step that names a path
 * only a left-out instance writes (`paste /data/aoh/current/x.txt` under
 * `-e S=future`) cannot run on the subset: that instance comes along as a
 * target's dependencies do, run or reused. A fan-in, whose input is written
 * by instances of several values of the axis that leaves one out (`find
 * /data/aoh/`), runs on the kept values' results instead, as documented.
 * `needed` is by instance id, for `plan` and `run` to say why.
 */
export function withNeededInstances(whole: Pipeline, values: ReadonlyMap<string, readonly string[]>): { document: Document; needed: Map<string, Need>; leftOut: LeftOut[] } {
  const leftOutBy = (block: SharkBlock): string[] =>
    (block.instance?.axes ?? []).filter(([name, value]) => values.get(name)?.includes(value) === false).map(([name]) => name);
  const shown = (axes: readonly string[]): string => axes.map((name) => `-e ${name}=${values.get(name)!.join(',')}`).join(' ');
  const included = new Set(whole.document.blocks.filter((b) => leftOutBy(b).length === 0).map((b) => b.index));
  const needed = new Map<string, Need>();
  // Writers come before their readers in the document: one backward pass closes the set.
  for (const step of [...whole.steps].reverse()) {
    if (!included.has(step.block.index)) continue;
    for (const input of step.inputs) {
      const writers = input.from.map((id) => whole.stepsById.get(id)).filter((w): w is Step => w !== undefined);
      const fansIn = variedAxes(writers);
      for (const writer of writers) {
        const axes = leftOutBy(writer.block);
        if (included.has(writer.block.index) || axes.some((name) => fansIn.has(name))) continue;
        included.add(writer.block.index);
        needed.set(writer.blockId, { by: step.id, reads: input.isDir ? `${input.path}/` : input.path, leftOutBy: shown(axes) });
      }
    }
  }
  const blocks = whole.document.blocks.filter((b) => included.has(b.index)).map((b, index) => ({ ...b, index }));
  const leftOut = whole.blocks.filter((b) => !included.has(b.block.index)).map((b): LeftOut => {
    const steps = b.steps.map((id) => whole.stepsById.get(id)!);
    return { block: b.id, steps: b.steps, writes: steps.flatMap((s) => s.outputs.map((o) => o.path)), leftOutBy: shown(leftOutBy(b.block)) };
  });
  return { document: { ...whole.document, blocks }, needed, leftOut };
}

/**
 * `steps` but the instances `-e` leaves out (`Pipeline.needed`) that none of
 * the others reads from: such an instance came along for a reader, and a run
 * that leaves the reader out (a `{manual}` block, without targets) leaves it
 * out too, as `-e` asked.
 */
export function withoutUnread(pipeline: Pipeline, steps: ReadonlySet<string>): Set<string> {
  const kept = new Set<string>();
  const read = new Set<string>();
  // Readers come after their writers: one backward pass sees every reader first.
  for (const step of [...pipeline.steps].reverse()) {
    if (!steps.has(step.id) || (pipeline.needed?.has(step.blockId) === true && !read.has(step.id))) continue;
    kept.add(step.id);
    for (const dep of step.after) read.add(dep);
  }
  return kept;
}

/** A `--force` name of instances `withoutUnread` left out: forcing it is forcing what `-e` leaves out, refused as for a target. */
export function forcedLeftOut(pipeline: Pipeline, names: ReadonlyMap<string, readonly Step[]>, covered: ReadonlySet<string>): { name: string; message: string } | undefined {
  for (const [name, steps] of names) {
    const needs = steps.map((s) => covered.has(s.id) ? undefined : pipeline.needed?.get(s.blockId));
    if (needs.length > 0 && needs.every((n) => n !== undefined)) return { name, message: `\`${name}\` is left out by ${needs[0]!.leftOutBy}` };
  }
  return undefined;
}

/** The axes whose value differs between the writers of one input: the reader fans in over them. */
function variedAxes(writers: readonly Step[]): Set<string> {
  const seen = new Map<string, string>();
  const varied = new Set<string>();
  for (const w of writers) {
    for (const [name, value] of w.block.instance?.axes ?? []) {
      const first = seen.get(name);
      if (first === undefined) seen.set(name, value);
      else if (first !== value) varied.add(name);
    }
  }
  return varied;
}

/**
 * What a fan-in must not see of the instances a subset pulled in: a step
 * reading a directory that instances of several values of an axis write
 * (`find /data/per/`) runs on the kept values' results, as documented, even
 * when another step needs a left-out value's instance (`cat
 * /data/per/a.txt`), which then runs and writes there too. By step id, then
 * input path: the writers hidden from that input.
 */
export function hiddenWriters(pipeline: Pipeline, needed: ReadonlyMap<string, Need>): Map<string, Map<string, Set<string>>> {
  const kept = new Map<string, Set<string>>();
  for (const { id, block } of pipeline.blocks) {
    if (needed.has(id)) continue;
    for (const [name, value] of block.instance?.axes ?? []) kept.set(name, (kept.get(name) ?? new Set()).add(value));
  }
  const hidden = new Map<string, Map<string, Set<string>>>();
  for (const step of pipeline.steps) {
    for (const input of step.inputs) {
      const writers = input.from.map((id) => pipeline.stepsById.get(id)).filter((w): w is Step => w !== undefined);
      const fansIn = variedAxes(writers);
      const pulledIn = writers.filter((w) => needed.has(w.blockId)
        && (w.block.instance?.axes ?? []).some(([name, value]) => fansIn.has(name) && kept.get(name)?.has(value) !== true));
      if (pulledIn.length === 0) continue;
      const byInput = hidden.get(step.id) ?? new Map<string, Set<string>>();
      byInput.set(input.path, new Set(pulledIn.map((w) => w.id)));
      hidden.set(step.id, byInput);
    }
  }
  return hidden;
}
