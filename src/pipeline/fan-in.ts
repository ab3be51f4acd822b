import type { Pipeline } from './pipeline.js';

/**
 * The axes over which each step reads the results of several values'
 * instances (a directory they write into, or files of two values), itself
 * or through the steps it reads from (`total` reading
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
    // A directory (or a map's, a join's) read whole holds what every instance writes there: those axes fan in. Files
    // named one by one fan in over an axis only when they are of two of its values (`cat /data/per/a.txt` reads one
    // instance's file, under the key the whole sweep gives it; `-e` changes nothing of it).
    const named = new Map<string, Set<string>>();
    for (const input of step.inputs) {
      const whole = input.isDir || input.pattern !== undefined || input.join !== undefined;
      for (const id of input.from) {
        for (const [name, value] of pipeline.stepsById.get(id)?.block.instance?.axes ?? []) {
          if (own.has(name)) continue;
          if (whole) axes.add(name);
          else named.set(name, (named.get(name) ?? new Set<string>()).add(value));
        }
      }
    }
    for (const [name, values] of named) if (values.size > 1) axes.add(name);
    for (const id of step.after) for (const name of out.get(id) ?? []) axes.add(name);
    out.set(step.id, axes);
  }
  return out;
}
