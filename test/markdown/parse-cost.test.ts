import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/markdown/parse.js';

const fence = '```';
const pipeline = `# A\n\n${fence}shark-run\necho hi > /data/x.txt\n${fence}\n\n`;

/** Seconds `parseMarkdown` takes on the document, and its blocks (so the parse is not optimised away). */
function timed(source: string): { seconds: number; blocks: number } {
  const t = performance.now();
  const { document } = parseMarkdown('p.md', source);
  return { seconds: (performance.now() - t) / 1000, blocks: document.blocks.length };
}

/**
 * Shapes of prose that the markdown parser took time quadratic in their
 * length for: ~30 KB of each took from 5 s to over a minute. Linear, each
 * takes about a second; the bound leaves room for a loaded machine.
 */
const QUADRATIC: Record<string, string> = {
  'headings underlined with ---': 'a\n-\n'.repeat(8000),
  'headings underlined with ===': 'a\n=\n'.repeat(8000),
  'quotes between paragraphs': '> a\n\nb\n'.repeat(8000),
  'lists between paragraphs': 'a\n\n- b\n\n'.repeat(8000),
  'nested lists': '- - a\n'.repeat(8000),
  'unmatched emphasis in one paragraph': '\\\\*'.repeat(16000),
  'emphasis closers in one paragraph': 'a* '.repeat(30000),
  'link labels in one paragraph': '[a]'.repeat(30000),
  'image openers in one paragraph': '![a]('.repeat(20000),
};

describe('the cost of parsing', () => {
  it.each(Object.keys(QUADRATIC))('reads %s in linear time', (shape) => {
    const { seconds, blocks } = timed(pipeline + QUADRATIC[shape]!);
    expect(blocks).toBe(1);
    // Quadratic, each took minutes; linear, ~1 s quiet and up to ~6 s beside a full suite on 2 cores.
    expect(seconds).toBeLessThan(15);
  });
});
