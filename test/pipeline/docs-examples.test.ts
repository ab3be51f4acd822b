import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { ROOT } from '../helpers/golden.js';

/** The ````markdown examples of the format guide, with the line each starts on. */
function examples(): { line: number; text: string }[] {
  const lines = readFileSync(join(ROOT, 'docs', 'format.md'), 'utf8').split('\n');
  const found: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '````markdown') continue;
    const end = lines.indexOf('````', i + 1);
    found.push({ line: i + 2, text: lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return found;
}

describe('docs/format.md', () => {
  const all = examples();

  it('has examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
  });

  it.each(all.map((e) => [e.line, e.text] as const))('example at line %i is a valid pipeline', (_, text) => {
    const { pipeline, diagnostics } = loadPipeline('example.md', text);
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`)).toEqual([]);
    expect(pipeline).toBeDefined();
  });

  it('is not itself a pipeline: its examples are prose to Shark', () => {
    const { diagnostics } = loadPipeline('format.md', readFileSync(join(ROOT, 'docs', 'format.md'), 'utf8'));
    expect(diagnostics.map((d) => d.message)).toEqual([
      'no Shark blocks in this document: tag code blocks as shark-run, shark-build, shark-import or shark-publish',
    ]);
  });
});
