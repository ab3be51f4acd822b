import { describe, expect, it } from 'vitest';
import { markdownToHtml } from '../../src/serve/markdown-html.js';
import { parseDelimited } from '../../src/serve/preview.js';
import { geoJsonSvg } from '../../src/serve/geojson-svg.js';

const plain = (): undefined => undefined;

describe('the document as HTML', () => {
  it('shows raw HTML in the markdown as text, and drops links that could run script', () => {
    const html = markdownToHtml('# T <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](data:text/html,x) [d](https://example.org/?q=<x>) [e](../other.md)\n', plain);
    expect(html).not.toMatch(/<script|<img|javascript:|data:text/i);
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('<a href="https://example.org/?q=&#60;x&#62;">d</a>');
    expect(html).toContain('<a href="../other.md">e</a>');
  });

  it('leaves out an HTML comment alone (shark shell\'s `Written by` showed as text), but shows one with markup after it', () => {
    const html = markdownToHtml('<!-- Written by `shark shell`. -->\n\n# T\n\n<!-- a --> <script>x</script>\n', plain);
    expect(html).not.toContain('Written by');
    expect(html).toContain('&#60;script&#62;');
  });

  it('renders headings, emphasis, tight lists and ordinary code blocks', () => {
    const html = markdownToHtml('## Two\n\n*it* **bold** `x<y`\n\n- one\n- two\n\n```python\nprint("<hi>")\n```\n', plain);
    expect(html).toContain('<h2>Two</h2>');
    expect(html).toContain('<em>it</em> <strong>bold</strong> <code>x&#60;y</code>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<pre><code class="language-python">print(&#34;&#60;hi&#62;&#34;)</code></pre>');
  });

  it('hands each code block to the caller with the line of its opening fence', () => {
    const seen: [string | null | undefined, number][] = [];
    const html = markdownToHtml('# P\n\ntext\n\n```shark-run\necho hi > /data/x\n```\n', (node, line) => {
      seen.push([node.lang, line]);
      return '<section>BLOCK</section>';
    });
    expect(seen).toEqual([['shark-run', 5]]);
    expect(html).toContain('<section>BLOCK</section>');
  });
});

describe('previews', () => {
  it('reads CSV with quoted separators, doubled quotes and CRLF line ends', () => {
    expect(parseDelimited('a,b\r\n"x, y","say ""hi"""\r\n', ',')).toEqual([['a', 'b'], ['x, y', 'say "hi"']]);
  });

  it('draws nothing for GeoJSON without coordinates, and a closed path for a polygon', () => {
    expect(geoJsonSvg({ type: 'FeatureCollection', features: [] })).toBeUndefined();
    const svg = geoJsonSvg({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] })!;
    expect(svg).toMatch(/<path class="geo-polygon" d="M[^"]+ Z"\/>/);
  });
});

describe('GeoJSON with a very large outline', () => {
  it('draws a range of 300,000 vertices, framed by its extremes', async () => {
    const { geoJsonSvg } = await import('../../src/serve/geojson-svg.js');
    const ring = Array.from({ length: 300_000 }, (_, i) => [Math.cos(i / 300_000 * 2 * Math.PI) * 10 + 5, Math.sin(i / 300_000 * 2 * Math.PI) * 4 - 3]);
    const svg = geoJsonSvg({ type: 'Polygon', coordinates: [ring] });
    expect(svg).toContain('<svg');
    expect(svg).not.toContain('NaN');
  });
});
