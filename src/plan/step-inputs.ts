import type { Step } from '../pipeline/pipeline.js';
import type { DataState } from './data-state.js';

/**
 * The directories a map (or join) step takes its items from that are still
 * to be made: while there are some, which jobs it has is unknown.
 */
export function itemsPending(step: Step, state: DataState): string[] {
  return step.inputs.filter((i) => (i.pattern !== undefined || i.join !== undefined) && state.lookup(i.path).kind === 'pending').map((i) => `${i.path}/`);
}
