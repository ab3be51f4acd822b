import { byPosition, type Diagnostic } from '../diagnostics.js';
import { parseMarkdown } from '../markdown/parse.js';
import { buildPipeline } from './infer.js';
import type { Pipeline } from './pipeline.js';

/** Markdown text → validated pipeline, or every problem found, in document order. */
export function loadPipeline(file: string, source: string): { pipeline: Pipeline | undefined; diagnostics: Diagnostic[] } {
  const parsed = parseMarkdown(file, source);
  // With no blocks parsed because of an earlier problem, "empty pipeline" would only add noise.
  if (parsed.document.blocks.length === 0 && parsed.diagnostics.length > 0) {
    return { pipeline: undefined, diagnostics: parsed.diagnostics.sort(byPosition) };
  }
  const built = buildPipeline(parsed.document);
  const diagnostics = [...parsed.diagnostics, ...built.diagnostics].sort(byPosition);
  return { pipeline: diagnostics.some((d) => d.severity === 'error') ? undefined : built.pipeline, diagnostics };
}
