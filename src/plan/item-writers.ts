import { posix } from 'node:path';
import { error, type Diagnostic, type Position } from '../diagnostics.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import type { DataState } from './data-state.js';
import { withExtension } from './expanded-job.js';
import { descend, type EntriesOf } from './trees.js';

interface FileWriter {
  readonly step: Step;
  readonly at: Position;
}

/** `fileWriters` of each pipeline, made once: `run` asks for every map step as it reaches it. */
const writersOf = new WeakMap<Pipeline, ReadonlyMap<string, ReadonlyMap<string, FileWriter>>>();

/**
 * The files steps write by a path of their own (not a map's `+`, not a
 * directory), by the directory they are in: what a map's item outputs are
 * compared with once its items are known.
 */
function fileWriters(pipeline: Pipeline): ReadonlyMap<string, ReadonlyMap<string, FileWriter>> {
  const known = writersOf.get(pipeline);
  if (known !== undefined) return known;
  const byDir = new Map<string, Map<string, FileWriter>>();
  for (const step of pipeline.steps) {
    for (const o of step.outputs) {
      if (o.perItem || o.isDir || o.created === true) continue;
      const dir = posix.dirname(o.path);
      const names = byDir.get(dir) ?? new Map<string, FileWriter>();
      names.set(posix.basename(o.path), { step, at: o.at });
      byDir.set(dir, names);
    }
  }
  writersOf.set(pipeline, byDir);
  return byDir;
}

/**
 * A map step's item output that another step writes too, by the very path
 * (`/data/out/+` of item `a.txt`, and `> /data/out/a.txt`): two writers of
 * one file, which only the items tell. Said at the later writer in the
 * document, the other one in a note, as two steps writing one path are.
 * Only the names in the output directories of the step are looked up.
 */
export function itemWriterClash(
  pipeline: Pipeline,
  step: Step,
  jobs: readonly { readonly job: { readonly plusName: string | undefined } }[],
): Diagnostic | undefined {
  if (!step.outputs.some((o) => o.perItem)) return undefined;
  const writers = fileWriters(pipeline);
  const outputs = step.outputs.filter((o) => o.perItem && writers.has(o.path));
  if (outputs.length === 0) return undefined;
  for (const { job } of jobs) {
    const name = job.plusName;
    if (name === undefined) continue;
    for (const o of outputs) {
      const file = withExtension(name, o.ext);
      const other = writers.get(o.path)!.get(file);
      if (other === undefined || other.step.id === step.id) continue;
      const path = `${o.path}/${file}`;
      const plus = `${o.path}/+${o.ext ?? ''}`;
      const message = `\`${path}\` is written by two steps: \`${step.id}\` (its item \`${name}\`, as ${plus}) and \`${other.step.id}\` (each path has one writer)`;
      const mapNote = { at: o.at, message: `map \`${step.id}\` writes its item \`${name}\` here` };
      const otherNote = { at: other.at, message: `step \`${other.step.id}\` writes \`${path}\` here` };
      return other.step.index > step.index
        ? error(pipeline.document.file, other.at, message, [mapNote])
        : error(pipeline.document.file, o.at, message, [otherNote]);
    }
  }
  return undefined;
}

/**
 * A directory `step` wrote whole (an import of a directory, a step's `/data/d/`)
 * holding a file another step writes by its own path (`extra.txt /data/ov/x.txt`
 * beside `ov/ /data/ov/`, whose `x.txt` is dropped for it): two writers of one
 * file, which only the directory's content tells, known once it is made (a local
 * import's, at `plan`). Said as `itemWriterClash` says it.
 */
export function treeWriterClash(
  pipeline: Pipeline, step: Step, idsOf: () => ReadonlyMap<string, string>, entriesOf: EntriesOf,
): (Diagnostic & { readonly offender: string }) | undefined {
  let ids: ReadonlyMap<string, string> | undefined;
  for (const o of step.outputs) {
    if (!o.isDir || o.perItem) continue;
    for (const other of pipeline.steps) {
      if (other.id === step.id) continue;
      for (const w of other.outputs) {
        if (w.perItem || w.isDir || !w.path.startsWith(`${o.path}/`)) continue;
        // Looked up only when another step writes a file inside: most directories have none.
        const id = (ids ??= idsOf()).get(o.path);
        if (id === undefined || descend(id, w.path.slice(o.path.length + 1), entriesOf) === undefined) continue;
        const message = `\`${w.path}\` is written by two steps: \`${step.id}\` (its directory ${o.path}/ holds it) and \`${other.id}\` (each path has one writer)`;
        const dirNote = { at: o.at, message: `step \`${step.id}\` writes \`${o.path}/\` here` };
        const fileNote = { at: w.at, message: `step \`${other.id}\` writes \`${w.path}\` here` };
        // The later of the two in the document is the one at fault, said at its place.
        return other.index > step.index ? { ...error(pipeline.document.file, w.at, message, [dirNote]), offender: other.id }
          : { ...error(pipeline.document.file, o.at, message, [fileNote]), offender: step.id };
      }
    }
  }
  return undefined;
}

/** The ids `state` knows for what `step` itself wrote at its outputs (its inputs inside them left out, as composed). */
export function ownOutputs(step: Step, state: DataState): Map<string, string> {
  const ids = new Map<string, string>();
  for (const o of step.outputs) {
    const found = state.lookup(o.path, undefined, [step.id]);
    if (found.kind === 'known') ids.set(o.path, found.id);
  }
  return ids;
}
