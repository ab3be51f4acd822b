import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { toString } from 'mdast-util-to-string';
import type { Nodes, Root } from 'mdast';
import { parseMarkdown } from '../../src/markdown/parse.js';

const fence = '```';
const block = `${fence}shark-run\necho hi > /data/x.txt\n${fence}\n`;

/** The text of the last heading before the code block, as a full parse of the document (inline syntax included) gives it. */
function fullParseSection(source: string): string {
  const tree = unified().use(remarkParse).parse(source) as Root;
  let last = '';
  const visit = (node: Nodes): boolean => {
    if (node.type === 'code') return true;
    if (node.type === 'heading') last = toString(node).replace(/\s+/g, ' ').trim();
    return 'children' in node && node.children.some((c) => visit(c));
  };
  visit(tree);
  return last;
}

/** Headings in the forms markdown writes them, each before a block, with the link definitions some name after it. */
const HEADINGS: Record<string, string> = {
  plain: '# Species AOH\n',
  emphasis: '# Step *one* and __two__\n',
  'code span': '## Run `make` *now*\n',
  'escapes and entities': '# Escaped \\* star, \\# hash &amp; entity &copy;\n',
  'inline link': '# See [the data](http://x.org/a_b) here\n',
  'references, defined after it': '# [Ref] and [full][ref] and [Other Label] and [missing]\n\n',
  image: '# ![alt *text*](img.png) image\n',
  autolink: '# <http://auto.link/x_y> autolink\n',
  'inline HTML': '# <b>bold</b> tag\n',
  'closing hashes': '# trailing hashes ##\n',
  'a hash before the closing ones': '# foo # #\n',
  'setext with a hard break': 'Line one  \nLine *two*\n===\n',
  'setext with an escaped break': 'a\\\nb *c*\n---\n',
  'setext in a quote': '> A *b*\n> c `d`\n> ===\n',
  'a lazy line of = in a quote': '> *a*\n===\n',
  'in a list item': '- # *Listed* item\n',
  'empty ATX': '#\n',
  'an unclosed emphasis': '# a *b\n',
  'underscores in words': '# snake_case_name and *x*\n',
};
const DEFINITIONS = '\n[ref]: /u\n[other   label]: /v "title"\n';

describe('section names', () => {
  it.each(Object.keys(HEADINGS))('are the heading text of a full parse: %s', (form) => {
    const source = `${HEADINGS[form]!}\n${block}${DEFINITIONS}`;
    const { document, diagnostics } = parseMarkdown('p.md', source);
    expect(diagnostics).toEqual([]);
    expect(document.blocks[0]!.section).toBe(fullParseSection(source));
  });

  it('takes a heading too long to be read for inline syntax as written', () => {
    const long = `# ${'*a* '.repeat(400)}\n\n${block}`;
    expect(parseMarkdown('p.md', long).document.blocks[0]!.section).toBe('*a* '.repeat(400).trim());
  });
});
