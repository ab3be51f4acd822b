import { warning, type Diagnostic, type Position } from '../diagnostics.js';
import type { Pipeline, RunStep } from './pipeline.js';

/**
 * Warnings where a container step names a file beside the document
 * (`sh scripts/fit.sh`) that its environment's Dockerfile copies nowhere:
 * a container sees its image's files and /data, never the host's, so the
 * command finds no such file there (a host step reads it, and keys it). A
 * step moved from the host into a container broke without a word: its job
 * ended well, its log saying `can't open`, its output empty. `exists` says
 * whether a path relative to the document's directory is there.
 */
export function hostFilesInContainers(pipeline: Pipeline, exists: (relative: string) => boolean): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const step of pipeline.steps) {
    if (step.kind !== 'run' || step.env === undefined) continue;
    const env = pipeline.environments.get(step.env);
    if (env === undefined) continue;
    for (const file of step.localFiles) {
      if (file.startsWith('/') || /[*?[]/.test(file) || !exists(file) || copied(env.spec.contextFiles, file)) continue;
      found.push(warning(pipeline.document.file, wordAt(step, file), `\`${file}\` is a file beside the document, which a container does not see (it has its image's files and /data), `
        + `and environment ${step.env} copies it nowhere: COPY it in ${step.env}'s shark-build block, or run the step on the host (a \`shark-run\` block without an environment)`));
    }
  }
  return found;
}

/** Whether a COPY or ADD of the build context (`contextFiles`) takes `file`: itself, a directory above it, `.`, or a pattern there. */
function copied(contextFiles: readonly string[], file: string): boolean {
  return contextFiles.some((c) => {
    const source = c.replace(/^\.\//, '').replace(/\/+$/, '');
    const fixed = source.split('/').findIndex((part) => /[*?[]/.test(part));
    const prefix = fixed < 0 ? source : source.split('/').slice(0, fixed).join('/');
    return prefix === '' || prefix === '.' || file === prefix || file.startsWith(`${prefix}/`);
  });
}

/** Where `file` is written in the step's command (its first line's position when not found as written: a `cd` joined it). */
function wordAt(step: RunStep, file: string): Position {
  const at = step.command.indexOf(file);
  if (at < 0) return step.at;
  const before = step.command.slice(0, at);
  const line = before.split('\n').length - 1;
  return line === 0 ? { line: step.at.line, col: step.at.col + at } : { line: step.at.line + line, col: at - before.lastIndexOf('\n') };
}
