import { error, type Diagnostic } from '../diagnostics.js';
import type { Pipeline } from './pipeline.js';

/**
 * Every job of a map writes its own outputs, so a map step's plain-file
 * output would be written once per item: that is an error, found before
 * anything runs.
 */
export function validateMaps(pipeline: Pipeline): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const step of pipeline.steps) {
    const wildcard = step.inputs.find((i) => i.pattern !== undefined);
    if (wildcard === undefined) continue;
    for (const o of step.outputs) {
      if (o.perItem || o.isDir) continue;
      problems.push(error(pipeline.document.file, o.at,
        `\`${o.path}\` would be written by every job of this map over ${wildcard.path}/${wildcard.pattern}: ` +
        `name each job's output with + (${o.path.replace(/\.[^/.]*$/, '')}/+) or write into a directory (${o.path}/)`));
    }
  }
  return problems;
}
