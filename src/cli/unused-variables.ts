import type { Pipeline } from '../pipeline/pipeline.js';
import { closest } from '../plan/closest-name.js';
import { printable } from '../printable.js';

/**
 * Warnings for `-e NAME=VALUE` (or shark.yaml's `env:`) naming a variable the
 * document neither declares nor uses, when one it has is a letter or two
 * away (`-e CUVRE=0.3` beside `CURVE`): the value still enters every job's
 * environment and key, so every job would run again for a typo. A name
 * near none is taken as meant (`OMP_NUM_THREADS`, read by the programs).
 */
export function unusedVariableWarnings(pipeline: Pipeline, given: ReadonlyMap<string, string>): string[] {
  const source = pipeline.document.source;
  const fm = pipeline.document.frontmatter;
  const named = (name: string): boolean => new RegExp(`(^|\\n)[ \\t]*${name}[ \\t]*:|\\$\\{?${name}(?![A-Za-z0-9_])|%\\{${name}\\}`).test(source);
  const known = [...(fm?.variables.keys() ?? []), ...(fm?.axes.keys() ?? [])].filter((k) => !given.has(k) || named(k));
  const warnings: string[] = [];
  for (const name of given.keys()) {
    if (named(name)) continue;
    const near = closest(name, known.filter((k) => k !== name));
    if (near === undefined) continue;
    warnings.push(`shark: warning: -e ${printable(name)}: the document neither declares nor uses \`${printable(name)}\` (did you mean \`${near}\`?); it is still in every job's environment and key, so every job runs again\n`);
  }
  return warnings;
}
