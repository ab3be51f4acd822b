import { expect } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

const fence = '```';

/** A document of blocks: each `[info, body]` becomes a fenced block, after optional frontmatter. */
export function doc(blocks: [string, string][], frontmatter?: string): string {
  const head = frontmatter === undefined ? '' : `---\n${frontmatter}\n---\n\n`;
  return head + blocks.map(([info, body]) => `${fence}${info}\n${body}\n${fence}\n`).join('\n');
}

/** Loads a document that must have no diagnostic (or, with `allowWarnings`, no error). */
export function load(source: string, allowWarnings = false): Pipeline {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(diagnostics.filter((d) => !allowWarnings || d.severity === 'error').map((d) => d.message)).toEqual([]);
  return pipeline!;
}

/** The errors of a document that must not load, as `line:col: message [related…]`. */
export function errors(source: string): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(pipeline).toBeUndefined();
  return diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}${(d.related ?? []).map((r) => ` [${r.at.line}:${r.at.col}: ${r.message}]`).join('')}`);
}
