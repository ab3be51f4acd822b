import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { toString } from 'mdast-util-to-string';
import type { Definition, Heading, Root } from 'mdast';

/** The full parser, inline syntax included: only ever given one heading (and the definitions it may use). */
const inline = unified().use(remarkParse);

/**
 * Characters that start inline syntax (escapes, entities, code, emphasis,
 * links, images, autolinks, HTML): a heading without any reads as written.
 */
const INLINE_SYNTAX = /[\\&`*_[\]!<]/;

/**
 * Longest heading whose inline syntax is read. The parser's cost grows with
 * the square of a paragraph's inline syntax; a longer heading is taken as
 * written (no heading of a real document is this long).
 */
const MAX_INLINE = 1000;

/**
 * A heading's text as a section name (`## Species *AOH*` → `Species AOH`),
 * from a document parsed without inline syntax (parse.ts): the heading's
 * content is parsed again on its own, with the link definitions it may name,
 * so that the text is the one a full parse of the document gives.
 */
export function headingText(node: Heading, definitions: readonly Definition[]): string {
  const raw = node.children.map((c) => (c.type === 'break' ? '  \n' : 'value' in c ? c.value : '')).join('');
  if (!INLINE_SYNTAX.test(raw) || raw.length > MAX_INLINE) return normalized(toString(node));
  let heading: Heading | undefined;
  try {
    heading = (inline.parse(replay(node, raw, definitions)) as Root).children.find((c) => c.type === 'heading');
  } catch (e) {
    // Inline syntax nested absurdly deep exhausts the parser's stack: the heading is then taken as written.
    if (!(e instanceof RangeError)) throw e;
  }
  return normalized(toString(heading ?? node));
}

function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A document holding only the heading, as ATX (`# …`) or setext (`…` over
 * `===`), after the definitions whose labels its text contains. A setext
 * heading's content may hold a line of `=` that was a lazy continuation in a
 * quote or list: escaped, so that it does not end the heading early.
 */
function replay(node: Heading, raw: string, definitions: readonly Definition[]): string {
  const folded = identifier(raw);
  const used = definitions.filter((d) => folded.includes(d.identifier)).map((d) => `[${d.label ?? d.identifier}]: x\n\n`);
  const setext = node.position !== undefined && node.position.end.line > node.position.start.line;
  const heading = setext
    ? `${raw.split('\n').map((line, i) => (i > 0 && /^[ \t]*=+[ \t]*$/.test(line) ? `\\${line}` : line)).join('\n')}\n===\n`
    : `# ${raw} #\n`;
  return used.join('') + heading;
}

/** As mdast normalises a label into a definition's `identifier`. */
function identifier(text: string): string {
  return text.replace(/[\t\n\r ]+/g, ' ').toLowerCase().toUpperCase().toLowerCase();
}
