import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { formatDiagnostic } from '../diagnostics.js';
import { loadPipeline } from '../pipeline/load.js';
import type { Pipeline } from '../pipeline/pipeline.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERRUPTED = 130;

/** Thrown only to carry an exit status up through commander; never shown as a stack trace. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function displayName(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/** Reads and validates a pipeline; prints every problem and exits 2 when it is not valid. */
export function loadOrReport(path: string, stderr: (s: string) => void): Pipeline {
  const file = displayName(path);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a markdown file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    stderr(`${file}: error: cannot read pipeline: ${why}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  const { pipeline, diagnostics } = loadPipeline(file, source);
  for (const d of diagnostics) stderr(formatDiagnostic(d, source) + '\n');
  if (pipeline === undefined) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    stderr(`${errors} error${errors === 1 ? '' : 's'} in ${file}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  return pipeline;
}
