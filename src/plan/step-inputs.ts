import { posix } from 'node:path';
import { isUnder, parentOf } from '../pipeline/data-path.js';
import type { Input, Step } from '../pipeline/pipeline.js';
import { dataTarget } from '../store/safe-path.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { itemCombos } from './jobs.js';
import type { DataState } from './data-state.js';
import { MAX_LINKS } from './trees.js';

/**
 * The directories a map (or join) step takes its items from that are still
 * to be made: while there are some, which jobs it has is unknown.
 */
export function itemsPending(step: Step, state: DataState, hidden?: HiddenWriters): string[] {
  return step.inputs.filter((i) => i.pattern !== undefined && state.lookup(i.path, hidden?.get(i.path), i.from).kind === 'pending').map((i) => `${i.path}/`);
}

/** By input path, the writers a step does not see (`Pipeline.hidden`). */
export type HiddenWriters = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The items of each job of a map whose wildcards' directories are known
 * although it is blocked (by a join, or another input still to be made):
 * undefined for a step that maps over nothing, or over what is not known.
 */
export function knownItems(step: Step, state: DataState, hidden?: HiddenWriters): string[][] | undefined {
  const ids = new Map<Input, SnapshotId>();
  for (const input of step.inputs) {
    if (input.pattern === undefined) continue;
    const found = state.lookup(input.path, hidden?.get(input.path), input.from);
    if (found.kind !== 'known') return undefined;
    ids.set(input, found.id);
  }
  if (ids.size === 0) return undefined;
  return itemCombos(step, ids, (id) => state.entries(id)).map((c) => ('input' in c ? [c.name] : c.map((i) => i.name)));
}

/** What is known of a step's inputs: their ids, or why they are not known yet. */
export type InputsOutcome =
  | { kind: 'ready'; ids: Map<Input, SnapshotId> }
  | { kind: 'pending'; step: string }
  | { kind: 'missing'; message: string; conflict?: true };

export function resolveInputs(step: Step, state: DataState, hidden?: HiddenWriters): InputsOutcome {
  const ids = new Map<Input, SnapshotId>();
  for (const input of step.inputs) {
    const found = state.lookup(input.path, hidden?.get(input.path), input.from);
    if (found.kind === 'pending') return { kind: 'pending', step: found.step };
    if (found.kind === 'missing') {
      return found.conflict === true
        ? { kind: 'missing', message: `input ${input.path} cannot be put together: ${found.message} (each path has one writer)`, conflict: true }
        : { kind: 'missing', message: `input ${input.path} is missing: ${found.message}` };
    }
    if (found.kind === 'absent') {
      if (found.unbound !== undefined) return { kind: 'missing', message: found.unbound };
      // An optional input left unbound: a plain read finds nothing there (the command can test for it); a map or a join has no directory to walk.
      if (input.pattern === undefined && input.join === undefined) continue;
      return { kind: 'missing', message: `input ${input.path} is missing: the optional input ${found.path} is not bound` };
    }
    ids.set(input, found.id);
  }
  linkedInputs(state, ids);
  return { kind: 'ready', ids };
}


/**
 * An input an earlier step made a link to a file in /data (`ln -s
 * /data/other.txt /data/top.txt`, or `other.txt` relative to its
 * directory): the job reads what it leads to, so that file is an input too,
 * added to `ids` (placed in the workspace, where the link resolves to it,
 * and in the key). A link to a link is followed on. Only a file known here
 * is: the step that made the link names it, so it is upstream.
 */
export function linkedInputs(state: DataState, ids: Map<Input, SnapshotId>): void {
  const have = new Set([...ids.keys()].map((i) => i.path));
  for (const [input, first] of [...ids]) {
    let at = input.path;
    let id = first;
    for (let hops = 0; hops < MAX_LINKS && id.startsWith('link:'); hops++) {
      const text = id.slice('link:'.length);
      const target = dataTarget(text.startsWith('/') ? text : posix.join(parentOf(at), text));
      if (target === undefined || target === '/data' || [...have].some((p) => p === target || isUnder(target, p))) break;
      const found = state.lookup(target);
      // Not known here: written by a step this one does not follow (the link names it, the command does not), or by
      // none. The link is given as it is, as before. A directory is not given so: it may hold links a host job may
      // not be given (`host-input-links`).
      if (found.kind !== 'known' || found.id.startsWith('tree:')) break;
      ids.set({ path: target, isDir: false, from: [], at: input.at }, found.id);
      have.add(target);
      at = target;
      id = found.id;
    }
  }
}
