import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/markdown/parse.js';

const fence = '```';

function parse(source: string) {
  const { document, diagnostics } = parseMarkdown('p.md', source);
  return { blocks: document.blocks, diagnostics: diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.severity}: ${d.message}`) };
}

const first = `# A\n\n${fence}shark-run\necho a > /data/a.txt\n${fence}\n\n`;
const second = `${fence}shark-run\ncat /data/a.txt > /data/b.txt\n${fence}\n`;

describe('an invisible character before a Shark fence', () => {
  it('is an error at it, not a block dropped in silence (`cat a.md b.md` keeps b.md\'s byte order mark)', () => {
    const { blocks, diagnostics } = parse(`${first}\uFEFF${second}`);
    expect(blocks).toHaveLength(1);
    expect(diagnostics).toEqual([
      '7:1: error: a zero-width no-break space (U+FEFF) before this fence makes it no fence: markdown reads the line as text, so the block never runs (delete the character)',
    ]);
  });

  it('is found for a non-breaking or zero-width space, a ~~~ fence, inside a quote or a list item', () => {
    expect(parse(`${first}\u00a0${second}`).diagnostics).toEqual([
      '7:1: error: a non-breaking space (U+00A0) before this fence makes it no fence: markdown reads the line as text, so the block never runs (delete the character)',
    ]);
    expect(parse(`${first}> \u200b~~~shark-run\n> cat /data/a.txt > /data/b.txt\n> ~~~\n`).diagnostics).toEqual([
      '7:3: error: a zero-width space (U+200B) before this fence makes it no fence: markdown reads the line as text, so the block never runs (delete the character)',
    ]);
    expect(parse(`${first}- \u200b${second}`).diagnostics).toHaveLength(1);
  });

  it('leaves prose alone: a fence of another language, or text after the character', () => {
    expect(parse(`${first}\u00a0${fence}python\nprint(1)\n${fence}\n`).diagnostics).toEqual([]);
    expect(parse(`${first}\u00a0see the shark-run block above\n`).diagnostics).toEqual([]);
  });
});
