import { byPosition, type Diagnostic } from '../diagnostics.js';
import { parseMarkdown } from '../markdown/parse.js';
import { buildPipeline } from './infer.js';
import type { Pipeline } from './pipeline.js';

/** Markdown text → validated pipeline, or every problem found, in document order. */
export function loadPipeline(file: string, source: string): { pipeline: Pipeline | undefined; diagnostics: Diagnostic[] } {
  const parsed = parseMarkdown(file, source);
  const built = buildPipeline(parsed.document);
  const diagnostics = [...parsed.diagnostics, ...built.diagnostics].sort(byPosition);
  return { pipeline: diagnostics.some((d) => d.severity === 'error') ? undefined : built.pipeline, diagnostics };
}
