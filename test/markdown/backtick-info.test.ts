import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/markdown/parse.js';

const fence = '```';

function parse(source: string) {
  const { document, diagnostics } = parseMarkdown('p.md', source);
  return { blocks: document.blocks, diagnostics: diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`) };
}

const MESSAGE = 'a backtick in the info string of a ``` fence makes it no fence: markdown reads this line as text, so the block never runs (open it with ~~~, or leave the backtick out)';

describe('a Shark tag line of a ``` fence holding a backtick', () => {
  it('is an error at the backtick, not a block dropped in silence (check said ok, and the publish never ran)', () => {
    const { blocks, diagnostics } = parse(`# Q\n\n${fence}shark-run\necho 1 > /data/o.txt\n${fence}\n\n${fence}shark-publish:a\`b\n/data/o.txt\n${fence}\n`);
    expect(blocks).toHaveLength(1);
    expect(diagnostics).toEqual([`7:19: error: ${MESSAGE}`]);
  });

  it('is found inside a quote or a list item, and in an option', () => {
    expect(parse(`> ${fence}shark-run {id=\`x\`}\n> echo 2 > /data/p.txt\n> ${fence}\n`).diagnostics).toEqual([`1:20: error: ${MESSAGE}`]);
    expect(parse(`- ${fence}shark-run {id=\`x\`}\n  echo 2 > /data/p.txt\n  ${fence}\n`).diagnostics).toEqual([`1:20: error: ${MESSAGE}`]);
  });

  it('leaves prose alone, and a ~~~ fence may hold one', () => {
    expect(parse('Run `shark-run` blocks with ``` fences.\n\n```shark-run\necho 1 > /data/o.txt\n```\n').diagnostics).toEqual([]);
    expect(parse('~~~shark-publish:a`b\n/data/o.txt\n~~~\n').diagnostics).toEqual([]);
  });
});
