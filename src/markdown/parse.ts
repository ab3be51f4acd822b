import { unified, type Processor } from 'unified';
import remarkParse from 'remark-parse';
import remarkFrontmatter from 'remark-frontmatter';
import type { Code, Definition, Heading, Html, Root, RootContent, Yaml } from 'mdast';
import { error, LINE_BREAK, warning, type Diagnostic } from '../diagnostics.js';
import type { Document, Frontmatter, SharkBlock, SourceLine } from './document.js';
import { isSharkInfo, lookAlikeProse, nearMissTag, parseTag } from './tags.js';
import { parseFrontmatter } from './frontmatter.js';
import { nestingProblem } from './nesting.js';
import { headingText } from './heading-text.js';
import { makeEditsLinear } from './linear-edits.js';
import { backtickInInfo } from './backtick-info.js';
import { hiddenFence } from './hidden-fence.js';
import { unreadFrontmatter } from './frontmatter-fences.js';
import { isClosingFence, whyUnclosed } from './unclosed-fence.js';

makeEditsLinear();

/**
 * Inline syntax (emphasis, links, code spans, escapes…): Shark reads none of
 * it, and the parser's cost for some of it grows with the square of a
 * paragraph's length. Headings, whose text names sections, are read with it
 * on their own (heading-text.ts).
 */
function withoutInlineSyntax(this: Processor): void {
  (this.data().micromarkExtensions ??= []).push({
    disable: { null: ['attention', 'autolink', 'characterEscape', 'characterReference', 'codeText', 'hardBreakEscape', 'htmlText', 'labelEnd', 'labelStartImage', 'labelStartLink'] },
  });
}

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(withoutInlineSyntax);

/**
 * Parses a pipeline document into its Shark blocks and frontmatter. Other
 * code blocks are prose. Problems are collected, never thrown.
 */
export function parseMarkdown(file: string, source: string): { document: Document; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // A byte order mark (Windows editors write one) is no text: the parser skips it and counts columns
  // after it, so the lines its positions index must not hold it either, or a first-line fence is lost.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const lines = text.split(LINE_BREAK);
  const blocks: SharkBlock[] = [];
  let frontmatter: Frontmatter | undefined;
  // Each block's heading: its text is read once every link definition it may name is known.
  const headings: (Heading | undefined)[] = [];
  const definitions: Definition[] = [];
  let heading: Heading | undefined;
  /** Shark blocks switched off (`{skip}`): a document of only those says so, not that it has none. */
  let switchedOff = 0;
  let tree: Root;
  const tooDeep = nestingProblem(file, text);
  if (tooDeep !== undefined) return { document: { file, source, frontmatter, blocks }, diagnostics: [tooDeep] };
  try {
    tree = processor.parse(text) as Root;
  } catch (e) {
    // Only absurd nesting (thousands of `>` or list levels) exhausts the parser's stack.
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push(error(file, { line: 1, col: 1 }, 'this document is nested too deeply to read'));
    return { document: { file, source, frontmatter, blocks }, diagnostics };
  }

  // Depth-first in document order, without recursion: quotes and lists may nest deeply.
  const pending: (Root | RootContent)[] = [tree];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.type === 'yaml') {
      frontmatter = readFrontmatter(file, node, diagnostics);
    } else if (node.type === 'heading') {
      heading = node;
    } else if (node.type === 'definition') {
      definitions.push(node);
    } else if (node.type === 'html') {
      const hidden = fenceInHtml(file, node, lines);
      if (hidden !== undefined) diagnostics.push(hidden);
    } else if (node.type === 'paragraph') {
      diagnostics.push(...backtickInInfo(file, node, lines), ...hiddenFence(file, node, lines));
    } else if (node.type === 'code') {
      const block = readCode(file, node, lines, blocks.length, diagnostics, () => switchedOff++);
      if (block !== undefined) {
        blocks.push(block);
        headings.push(heading);
      }
    } else if ('children' in node) {
      for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
    }
  }
  const unread = frontmatter === undefined ? unreadFrontmatter(file, lines) : undefined;
  if (unread !== undefined) diagnostics.push(unread);
  const texts = new Map<Heading, string>();
  const sectionOf = (h: Heading | undefined): string => {
    if (h === undefined) return '';
    if (!texts.has(h)) texts.set(h, headingText(h, definitions));
    return texts.get(h)!;
  };
  const named = blocks.map((b, i) => ({ ...b, section: sectionOf(headings[i]) }));
  return { document: { file, source, frontmatter, blocks: named, ...(switchedOff > 0 ? { switchedOff } : {}) }, diagnostics };
}

/** A line opening a Shark block (its fence in group 1), as read inside another block's or an HTML block's text. */
const SHARK_FENCE = /^\s*(`{3,}|~{3,})\s*shark-/;

function readFrontmatter(file: string, node: Yaml, diagnostics: Diagnostic[]): Frontmatter | undefined {
  const start = node.position!.start;
  return parseFrontmatter(file, node.value, start.line + 1, { line: start.line, col: start.column }, diagnostics);
}

function readCode(
  file: string,
  node: Code,
  lines: readonly string[],
  index: number,
  diagnostics: Diagnostic[],
  /** Called for a Shark block `{skip}` switches off. */
  switchedOff: () => void,
): SharkBlock | undefined {
  const start = node.position!.start;
  const end = node.position!.end;
  const openLine = lines[start.line - 1] ?? '';
  // The node starts at its fence, even after a list marker or `>`; an indented code block starts at its indentation.
  const fence = /^(`{3,}|~{3,})[ \t]*/.exec(openLine.slice(start.column - 1));
  if (fence === null) {
    // Indented code blocks are prose, whatever they contain.
    return undefined;
  }
  const marker = fence[1]!;
  const shark = isSharkInfo(node.lang);
  const at = { line: start.line, col: start.column };
  const closed = end.line > start.line && isClosingFence(lines[end.line - 1] ?? '', marker);
  if (!closed && (shark || node.value.split(LINE_BREAK).some((text) => SHARK_FENCE.test(text)))) {
    diagnostics.push(error(file, at, `unterminated code fence: nothing closes the ${marker} opened here${whyUnclosed(lines, start.line, end.line, marker, start.column)}`));
    return undefined;
  }
  if (!shark) {
    // A prose fence left open ends at the closing fence of the Shark block after it, swallowing it silently.
    const inner = strayFence(node.value, marker);
    if (inner >= 0) {
      const line = start.line + 1 + inner;
      diagnostics.push(error(file, at, `unterminated code fence: the ${marker} opened here runs into the Shark block on line ${line}; close it before that block`));
    }
    const lang = node.lang ?? '';
    // An error, not the near miss's warning: no one means a tag holding a character that is not what it shows.
    const alike = lookAlikeProse(lang);
    if (alike !== undefined) diagnostics.push(error(file, { line: at.line, col: at.col + fence[0].length + alike.offset }, alike.message));
    const near = alike !== undefined || lang === '' ? undefined : nearMissTag(lang, node.meta ?? '');
    if (near !== undefined) diagnostics.push(warning(file, { line: at.line, col: at.col + fence[0].length }, near));
    return undefined;
  }

  const stray = strayFence(node.value, marker);
  if (stray >= 0) {
    // The closing fence above was forgotten: this block runs on into the next, its tag line read as a command.
    const src = lines[start.line + stray] ?? '';
    diagnostics.push(error(file, { line: start.line + 1 + stray, col: src.search(/[`~]/) + 1 }, `a fence line inside a block: is the block above missing its closing ${marker}?`));
    return undefined;
  }

  // Before the options are split off at `{`: `shark-publish:%{X}` read `{X}` as an unknown option.
  const infoAt = { line: at.line, col: at.col + fence[0].length };
  const substituted = /%\{[^}\s]*\}?/.exec(openLine.slice(infoAt.col - 1));
  if (substituted !== null) {
    const message = `\`${substituted[0]}\` in a tag is not replaced: %{NAME} is replaced in block bodies only, and a tag is read as written`;
    diagnostics.push(error(file, { line: at.line, col: infoAt.col + substituted.index }, message));
    return undefined;
  }
  // `shark-run{network}` with no space is one word to CommonMark; the options still belong to the meta.
  let lang = node.lang!;
  let meta = node.meta ?? '';
  const brace = lang.indexOf('{');
  if (brace > 0) {
    meta = `${lang.slice(brace)}${meta === '' ? '' : ` ${meta}`}`;
    lang = lang.slice(0, brace);
  }
  // As written (spaces or a tab before `{`, or none), so that an offset into it is a column from `infoAt`.
  const info = openLine.slice(infoAt.col - 1).trimEnd();
  const tag = parseTag(lang, meta);
  if (tag.ok === 'skip') {
    if (tag.warning !== undefined) diagnostics.push(warning(file, { line: at.line, col: infoAt.col + tag.warning.offset }, tag.warning.message));
    else switchedOff();
    return undefined;
  }
  if (!tag.ok) {
    // Offsets past the tag are into the meta, wherever it sits on the line.
    const raw = openLine.slice(infoAt.col - 1);
    const metaAt = meta === '' ? -1 : raw.indexOf(meta, lang.length);
    for (const problem of [tag, ...(tag.more ?? [])]) {
      const offset = problem.offset > lang.length && metaAt >= 0 ? metaAt + problem.offset - lang.length - 1 : problem.offset;
      diagnostics.push(error(file, { line: at.line, col: infoAt.col + offset }, problem.message));
    }
    return undefined;
  }
  const body: SourceLine[] = node.value === '' ? [] : node.value.split(LINE_BREAK).map((text, i) => {
    const line = start.line + 1 + i;
    return bodyLine(text, line, lines[line - 1] ?? text);
  });
  return { index, kind: tag.tag.kind, arg: tag.tag.arg, options: tag.tag.options, info, at, infoAt, body, closeLine: end.line, section: '' };
}

/**
 * A body line and where it sits. Inside a list or a quote the body is shifted: the text ends its
 * line. A tab there that the list's indentation takes only part of is given as spaces (`- ` then a
 * tab leaves two), so the text's indentation is not the line's: its columns are counted from its
 * first other character.
 */
function bodyLine(text: string, line: number, src: string): SourceLine {
  if (src.endsWith(text)) return { text, line, col: src.length - text.length + 1 };
  const content = text.trimStart();
  if (!src.endsWith(content)) return { text, line, col: 1 };
  const lead = text.length - content.length;
  const first = src.length - content.length + 1;
  const cols = Array.from({ length: text.length + 1 }, (_, i) => (i < lead ? Math.max(1, first - lead + i) : first + i - lead));
  return { text, line, col: cols[0]!, cols };
}

/**
 * The index of the first line of `value` opening a Shark block with a fence
 * that, without its tag, would close the block `marker` opened; -1 if none.
 */
function strayFence(value: string, marker: string): number {
  return value.split(LINE_BREAK).findIndex((text) => {
    const m = SHARK_FENCE.exec(text);
    return m !== null && m[1]![0] === marker[0] && m[1]!.length >= marker.length;
  });
}

/**
 * A warning for a Shark fence inside an HTML block (`<details>` then `<summary>`, no blank line
 * between it and the fence): CommonMark reads up to the next blank line as HTML, so the block is
 * no block and never runs, in silence. A fence in an HTML comment is switched off on purpose, but
 * one in a comment never closed (which runs to the end of the document) is an error.
 */
function fenceInHtml(file: string, node: Html, lines: readonly string[]): Diagnostic | undefined {
  const inner = node.value.split(LINE_BREAK).findIndex((text) => SHARK_FENCE.test(text));
  if (inner < 0) return undefined;
  const start = node.position!.start.line;
  const line = start + inner;
  if (node.value.trimStart().startsWith('<!--')) {
    // Closed, the comment switches its blocks off on purpose; a `-->` forgotten hides every block after it.
    if (node.value.includes('-->')) return undefined;
    return error(file, { line: start, col: (lines[start - 1] ?? '').indexOf('<!--') + 1 },
      `this HTML comment is never closed: markdown reads the rest of the document as the comment, so the Shark block on line ${line} never runs; end the comment with \`-->\` above that block`);
  }
  const opened = /<[A-Za-z][^\s>]*>?/.exec(node.value)?.[0] ?? '<';
  return warning(file, { line, col: (lines[line - 1] ?? '').search(/[`~]/) + 1 },
    `this Shark fence is inside the HTML block opened on line ${start} (\`${opened}\`): markdown reads it all as HTML, so it is no block and never runs; leave a blank line before the fence`);
}
