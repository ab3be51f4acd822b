import type { Pipeline } from './pipeline.js';

/**
 * The axes over which each step reads the results of several values'
 * instances, itself or through the steps it reads from (`total` reading
 * what every `per-taxon[TAXA=…]` wrote, and whatever reads `total`). Run
 * with some of those axes' values only (`-e AXIS=V`), such a step sees part
 * of its inputs, under a key the whole sweep does not have. By step id.
 */
export function fanInAxes(pipeline: Pipeline): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  // Steps come after the steps they read from: one pass in document order.
  for (const step of pipeline.steps) {
    const own = new Set((step.block.instance?.axes ?? []).map(([name]) => name));
    const axes = new Set<string>();
    for (const id of step.after) {
      for (const [name] of pipeline.stepsById.get(id)?.block.instance?.axes ?? []) if (!own.has(name)) axes.add(name);
      for (const name of out.get(id) ?? []) axes.add(name);
    }
    out.set(step.id, axes);
  }
  return out;
}
