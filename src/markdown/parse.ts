import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkFrontmatter from 'remark-frontmatter';
import { toString } from 'mdast-util-to-string';
import type { Code, Root, RootContent, Yaml } from 'mdast';
import { error, type Diagnostic } from '../diagnostics.js';
import type { Document, Frontmatter, SharkBlock, SourceLine } from './document.js';
import { isSharkInfo, parseTag } from './tags.js';
import { parseFrontmatter } from './frontmatter.js';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);

/**
 * Parses a pipeline document into its Shark blocks and frontmatter. Other
 * code blocks are prose. Problems are collected, never thrown.
 */
export function parseMarkdown(file: string, source: string): { document: Document; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const tree = processor.parse(source) as Root;
  const lines = source.split('\n');
  const blocks: SharkBlock[] = [];
  let frontmatter: Frontmatter | undefined;
  let section = '';

  const visit = (node: Root | RootContent): void => {
    if (node.type === 'yaml') {
      frontmatter = readFrontmatter(file, node, diagnostics);
      return;
    }
    if (node.type === 'heading') {
      section = toString(node).trim();
      return;
    }
    if (node.type === 'code') {
      const block = readCode(file, node, lines, section, blocks.length, diagnostics);
      if (block !== undefined) blocks.push(block);
      return;
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(tree);
  return { document: { file, source, frontmatter, blocks }, diagnostics };
}

function readFrontmatter(file: string, node: Yaml, diagnostics: Diagnostic[]): Frontmatter | undefined {
  const start = node.position!.start;
  return parseFrontmatter(file, node.value, start.line + 1, { line: start.line, col: start.column }, diagnostics);
}

function readCode(
  file: string,
  node: Code,
  lines: readonly string[],
  section: string,
  index: number,
  diagnostics: Diagnostic[],
): SharkBlock | undefined {
  const start = node.position!.start;
  const end = node.position!.end;
  const openLine = lines[start.line - 1] ?? '';
  const fence = /^(\s*(?:>\s*)*)(`{3,}|~{3,})/.exec(openLine);
  if (fence === null) {
    // Indented code blocks are prose, whatever they contain.
    return undefined;
  }
  const shark = isSharkInfo(node.lang);
  const at = { line: start.line, col: fence[1]!.length + 1 };
  const closed = end.line > start.line && isClosingFence(lines[end.line - 1] ?? '', fence[2]!);
  if (!closed && (shark || /^\s*(`{3,}|~{3,})\s*shark-/m.test(node.value))) {
    diagnostics.push(error(file, at, `unterminated code fence: nothing closes the ${fence[2]} opened here`));
    return undefined;
  }
  if (!shark) return undefined;

  const lang = node.lang!;
  const meta = node.meta ?? '';
  const info = meta === '' ? lang : `${lang} ${meta}`;
  const tag = parseTag(lang, meta);
  const infoCol = at.col + fence[2]!.length + (openLine.slice(at.col - 1 + fence[2]!.length).length -
    openLine.slice(at.col - 1 + fence[2]!.length).trimStart().length);
  if (!tag.ok) {
    diagnostics.push(error(file, { line: at.line, col: infoCol + tag.offset }, tag.message));
    return undefined;
  }
  const body: SourceLine[] = node.value === '' ? [] : node.value.split('\n').map((text, i) => {
    const line = start.line + 1 + i;
    const src = lines[line - 1] ?? text;
    const col = src.endsWith(text) ? src.length - text.length + 1 : 1;
    return { text, line, col };
  });
  return { index, kind: tag.tag.kind, arg: tag.tag.arg, options: tag.tag.options, info, at, body, section };
}

function isClosingFence(line: string, open: string): boolean {
  const m = /^\s*(?:>\s*)*(`{3,}|~{3,})\s*$/.exec(line);
  return m !== null && m[1]![0] === open[0] && m[1]!.length >= open.length;
}
