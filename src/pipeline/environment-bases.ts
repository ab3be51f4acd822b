import { warning, type Diagnostic } from '../diagnostics.js';
import type { Pipeline } from './pipeline.js';

/**
 * A FROM naming another environment of the document (`FROM base`, `base`
 * defined by a shark-build block too). The engine takes the image of that
 * name it has, or pulls one, never the environment: the build fails with a
 * registry's error far from the cause, or starts from an unrelated image of
 * that name. A warning, not an error: an image of that name on the machine
 * may be what was meant. An environment's own name (`FROM python` in
 * `shark-build:python`), another tag and a registry path are images.
 */
export function basesNamingEnvironments(pipeline: Pipeline | undefined, file: string): Diagnostic[] {
  if (pipeline === undefined) return [];
  const byName = new Map([...pipeline.environments.keys()].map((name) => [name.toLowerCase(), name]));
  const found: Diagnostic[] = [];
  for (const env of pipeline.environments.values()) {
    for (const { image, at } of env.spec.froms ?? []) {
      const other = byName.get(image.toLowerCase().replace(/:latest$/, ''));
      if (other === undefined || other === env.name) continue;
      found.push(warning(file, at, `FROM ${image} takes the image \`${image}\` as the engine has it (or pulls it from a registry), not the environment \`${other}\` of this document: `
        + 'environments do not build on one another (put its instructions in this block)'));
    }
  }
  return found;
}
