import { error, type Diagnostic } from '../diagnostics.js';
import { baseName } from './data-path.js';
import type { Pipeline } from './pipeline.js';

/**
 * Every job of a map writes its own outputs, so a map step's plain-file
 * output would be written once per item: that is an error, found before
 * anything runs. A path without an extension is most likely a directory
 * written without its trailing `/`: the message says so first.
 */
export function validateMaps(pipeline: Pipeline): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const step of pipeline.steps) {
    const wildcard = step.inputs.find((i) => i.pattern !== undefined);
    if (wildcard === undefined) continue;
    for (const o of step.outputs) {
      if (o.perItem || o.isDir) continue;
      const what = `\`${o.path}\` would be written by every job of this map over ${wildcard.path}/${wildcard.pattern}`;
      const looksLikeDir = !baseName(o.path).includes('.');
      problems.push(error(pipeline.document.file, o.at, looksLikeDir
        ? `${what}: if it is a directory the jobs write into, add the trailing \`/\` (${o.path}/); or name each job's output with + (${o.path}/+)`
        : `${what}: name each job's output with + (${o.path.replace(/\.[^/.]*$/, '')}/+) or write into a directory (${o.path}/)`));
    }
  }
  return problems;
}
