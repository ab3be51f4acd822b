import { isUnder } from '../pipeline/data-path.js';
import type { Input, Step } from '../pipeline/pipeline.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { linkedReads } from './data-links.js';
import type { DataState } from './data-state.js';

/** What is known of a step's inputs: their ids, or why they are not known yet. */
export type InputsOutcome =
  /** `linked`: what links on the inputs' paths lead to (`data-links.ts`), given to every job beside them. */
  | { kind: 'ready'; ids: Map<Input, SnapshotId>; linked: { path: string; id: SnapshotId }[] }
  | { kind: 'pending'; step: string }
  | { kind: 'missing'; message: string };

export function resolveInputs(step: Step, state: DataState): InputsOutcome {
  const ids = new Map<Input, SnapshotId>();
  const linked: { path: string; id: SnapshotId }[] = [];
  for (const input of step.inputs) {
    let found = state.lookup(input.path);
    // Only a plain read is resolved through links: a map's or a join's directory is walked as stored.
    const plain = input.pattern === undefined && input.join === undefined;
    const onTheWay = plain && (found.kind === 'missing' || (found.kind === 'known' && found.id.startsWith('link:'))) ? linkedReads(input.path, state) : undefined;
    if (onTheWay !== undefined) {
      // A link leading to nothing is still given as the link it is (the command may only look at it); one whose target a step will write waits for it.
      if (onTheWay.kind !== 'reads') found = found.kind === 'known' && onTheWay.kind !== 'pending' ? found : onTheWay;
      else if (found.kind === 'known' || onTheWay.inside) {
        linked.push(...onTheWay.reads.filter((r) => r.path !== input.path));
        // Passing through a link, the path itself is in no stored tree: what it leads to is given instead (a link out of /data leaves it missing).
        if (found.kind === 'missing') continue;
      }
    }
    if (found.kind === 'pending') return { kind: 'pending', step: found.step };
    if (found.kind === 'missing') return { kind: 'missing', message: `input ${input.path} is missing: ${found.message}` };
    if (found.kind === 'absent') {
      // An optional input left unbound: a plain read finds nothing there (the command can test for it); a map or a join has no directory to walk.
      if (input.pattern === undefined && input.join === undefined) continue;
      return { kind: 'missing', message: `input ${input.path} is missing: the optional input ${found.path} is not bound` };
    }
    ids.set(input, found.id);
  }
  // A link's target inside another input's directory is placed with it already.
  const given = [...ids.keys()].map((i) => i.path.replace(/(.)\/$/, '$1'));
  const extra = linked.filter((l, n) => !given.some((g) => g === l.path || isUnder(l.path, g)) && linked.findIndex((o) => o.path === l.path) === n);
  return { kind: 'ready', ids, linked: extra };
}

/**
 * The directories a map (or join) step takes its items from that are still
 * to be made: while there are some, which jobs it has is unknown.
 */
export function itemsPending(step: Step, state: DataState): string[] {
  return step.inputs.filter((i) => (i.pattern !== undefined || i.join !== undefined) && state.lookup(i.path).kind === 'pending').map((i) => `${i.path}/`);
}
