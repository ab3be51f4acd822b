import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkFrontmatter from 'remark-frontmatter';
import type { Code, Nodes, Root } from 'mdast';
import { esc } from './html.js';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);

/**
 * Renders a code block: Shark blocks get their annotations from the caller
 * (by the line of the opening fence); undefined means "an ordinary code block".
 */
export type CodeRenderer = (node: Code, line: number) => string | undefined;

/** Only links that cannot run anything: web and mail links, and relative ones (no `javascript:`). */
function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  if (/^(https?|mailto):/i.test(trimmed)) return trimmed;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//') || /[\u0000-\u001f]/.test(trimmed)) return undefined;
  return trimmed;
}

/**
 * The document as HTML, over the node types CommonMark produces. Raw HTML in
 * the markdown is shown as text, never passed through: the page shows what the
 * document says without letting it script the page. A comment alone is left out.
 */
export function markdownToHtml(source: string, code: CodeRenderer): string {
  let tree: Root;
  try {
    tree = processor.parse(source) as Root;
  } catch {
    return `<pre>${esc(source)}</pre>`;
  }
  return render(tree, code);
}

function render(node: Nodes, code: CodeRenderer): string {
  const kids = (): string => ('children' in node ? (node.children as Nodes[]).map((c) => render(c, code)).join('') : '');
  switch (node.type) {
    case 'root':
      return kids();
    case 'paragraph':
      return `<p>${kids()}</p>\n`;
    case 'heading':
      return `<h${node.depth}>${kids()}</h${node.depth}>\n`;
    case 'text':
      return esc(node.value);
    case 'emphasis':
      return `<em>${kids()}</em>`;
    case 'strong':
      return `<strong>${kids()}</strong>`;
    case 'delete':
      return `<del>${kids()}</del>`;
    case 'inlineCode':
      return `<code>${esc(node.value)}</code>`;
    case 'break':
      return '<br>';
    case 'thematicBreak':
      return '<hr>\n';
    case 'blockquote':
      return `<blockquote>${kids()}</blockquote>\n`;
    case 'list': {
      const tag = node.ordered === true ? 'ol' : 'ul';
      const start = node.ordered === true && node.start !== null && node.start !== undefined && node.start !== 1 ? ` start="${node.start}"` : '';
      return `<${tag}${start}>\n${kids()}</${tag}>\n`;
    }
    case 'listItem':
      // A tight list's items hold their text without paragraphs, as CommonMark renders them.
      if (node.spread !== true) return `<li>${node.children.map((c) => (c.type === 'paragraph' ? c.children.map((k) => render(k, code)).join('') : render(c, code))).join('')}</li>\n`;
      return `<li>${kids()}</li>\n`;
    case 'link': {
      const href = safeHref(node.url);
      return href === undefined ? kids() : `<a href="${esc(href)}">${kids()}</a>`;
    }
    case 'image':
      // The page loads nothing from elsewhere (and the document's own files are not store objects): the alt text stands in.
      return `<span class="image-alt">[${esc(node.alt ?? 'image')}]</span>`;
    case 'html':
      // A comment alone is not shown, as on any rendered page (`<!-- Written by \`shark shell\`. -->`).
      if (/^<!--(?:(?!-->)[\s\S])*-->$/.test(node.value.trim())) return '';
      return `<code class="raw-html">${esc(node.value)}</code>`;
    case 'yaml':
      return `<details class="frontmatter"><summary>frontmatter</summary><pre>${esc(node.value)}</pre></details>\n`;
    case 'code': {
      const line = node.position?.start.line ?? 0;
      const shark = code(node, line);
      if (shark !== undefined) return shark;
      return `<pre><code${node.lang ? ` class="language-${esc(node.lang)}"` : ''}>${esc(node.value)}</code></pre>\n`;
    }
    case 'table':
      return `<table>${kids()}</table>\n`;
    case 'tableRow':
      return `<tr>${kids()}</tr>`;
    case 'tableCell':
      return `<td>${kids()}</td>`;
    case 'definition':
    case 'footnoteDefinition':
      return '';
    case 'linkReference':
    case 'imageReference':
    case 'footnoteReference':
      return 'children' in node ? kids() : '';
    default: {
      const other = node as { value?: unknown };
      return 'children' in node ? kids() : typeof other.value === 'string' ? esc(other.value) : '';
    }
  }
}
