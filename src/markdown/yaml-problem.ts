import { isPair, isScalar, visit, type Document, type Node as YamlNode, type YAMLError } from 'yaml';
import type { Position } from '../diagnostics.js';

/** Where a YAML text stands in the file shown: the frontmatter's line 1 is a line of the document. */
type PosOf = (offset: number) => Position;

/**
 * What is wrong with a YAML text the parser refused, in Shark's words and at
 * the place to change: the yaml library says "Map keys must be unique"
 * without the key, and locates an over-indented key on the line above it.
 * Shared by the frontmatter and shark.yaml; `prefix` introduces the errors
 * left in the parser's own words.
 */
export function yamlProblem(text: string, doc: Document, err: YAMLError, posOf: PosOf, prefix: string): { at: Position; message: string } {
  const offset = err.pos[0];
  const said = (message: string | undefined, at = offset): { at: Position; message: string } | undefined =>
    message === undefined ? undefined : { at: posOf(at), message };
  const lines = linesOf(text);
  const found = (() => {
    switch (err.code) {
      case 'DUPLICATE_KEY':
        return duplicateKey(doc, offset, posOf);
      case 'TAB_AS_INDENT':
        return said('a tab indents this line: YAML indents with spaces only');
      case 'BLOCK_AS_IMPLICIT_KEY':
        return compactMapping(text, lines, offset, posOf);
      case 'BAD_INDENT':
        return /^Flow (sequence|map)/.test(err.message) ? unclosedFlow(text, doc, lines, offset, posOf) : said(misindented(lines, lineIndex(lines, offset)));
      case 'UNEXPECTED_TOKEN':
        return unexpected(text, doc, lines, offset, posOf);
      case 'MULTILINE_IMPLICIT_KEY':
      case 'MISSING_CHAR':
        return /quote/.test(err.message) ? unclosedQuote(doc, offset, posOf) : /flow/i.test(err.message) ? undefined : notKeyValue(lines, offset, posOf);
      case 'BAD_SCALAR_START':
        return said(`a value may not start with \`${text[offset] ?? ''}\` unless quoted (YAML keeps it for itself): put the value in quotes`);
      case 'BAD_DQ_ESCAPE':
        return said(`\`${text.slice(offset, offset + 2)}\` is no escape in a "…" value: write \\\\ for a backslash, or quote the value with '…'`);
      case 'MULTIPLE_DOCS':
        return said('this `---` starts a second YAML document: the file holds one mapping');
      default:
        return undefined;
    }
  })();
  return found ?? { at: posOf(offset), message: `${prefix}: ${yamlErrorText(err.message)}` };
}

/**
 * The first line of a YAML parser's error, without its own `at line, column`
 * (the diagnostic has one); a stack exhausted by lists in lists is said in words.
 */
function yamlErrorText(message: string): string {
  const text = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return /Maximum call stack size exceeded/.test(text) ? 'nested too deeply (lists or mappings inside each other) to read' : text;
}

interface Line {
  readonly start: number;
  readonly indent: number;
  /** Without its indentation. */
  readonly content: string;
}

function linesOf(text: string): Line[] {
  const out: Line[] = [];
  const re = /([^\r\n]*)(\r\n|\r|\n|$)/g;
  for (let m = re.exec(text); m !== null && m.index < text.length; m = re.exec(text)) {
    const whole = m[1]!;
    const content = whole.trimStart();
    out.push({ start: m.index, indent: whole.length - content.length, content });
    if (m[2] === '') break;
  }
  return out;
}

function lineIndex(lines: readonly Line[], offset: number): number {
  let i = 0;
  while (i + 1 < lines.length && lines[i + 1]!.start <= offset) i++;
  return i;
}

/** A line that says something: neither blank nor a comment. */
const said = (line: Line): boolean => line.content !== '' && !line.content.startsWith('#');

/** The key a `key: value` line (or `- key: value`) starts with; its first word otherwise. */
function keyOf(line: Line): string {
  const content = line.content.replace(/^- +/, '');
  return /^(.*?):(\s|$)/.exec(content)?.[1] ?? content.split(/\s/)[0]!;
}

const spaces = (n: number): string => `${n} space${n === 1 ? '' : 's'}`;

/**
 * Why line `i` stands at no column its mapping has: more indented than the
 * key above it, or between the columns of the keys it could belong to.
 * Undefined when it lines up with one of them.
 */
function misindented(lines: readonly Line[], i: number): string | undefined {
  const line = lines[i];
  if (line === undefined || !said(line)) return undefined;
  const above: Line[] = [];
  for (let j = i - 1; j >= 0; j--) {
    const candidate = lines[j]!;
    if (said(candidate) && (above.length === 0 || candidate.indent < above[above.length - 1]!.indent)) above.push(candidate);
  }
  const name = `\`${keyOf(line)}\` is indented ${spaces(line.indent)}`;
  const rule = 'keys of one mapping start in the same column';
  const last = above[0];
  if (last === undefined || above.some((a) => a.indent === line.indent)) return undefined;
  if (line.indent > last.indent) return `${name}, its siblings ${last.indent}: ${rule}`;
  const outermost = above[above.length - 1]!;
  if (line.indent < outermost.indent) return `${name}, its siblings ${outermost.indent}: ${rule}`;
  const columns = above.map((a) => `\`${keyOf(a)}\` ${a.indent}`).join(', ');
  return `${name}, which lines up with no key above it (${columns}): ${rule}`;
}

/** `a: /x` followed by a line indented deeper (`   b: /y`), or `a: b: c`: the parser reads a mapping inside the value. */
function compactMapping(text: string, lines: readonly Line[], offset: number, posOf: PosOf): { at: Position; message: string } | undefined {
  const i = lineIndex(lines, offset);
  const line = lines[i]!;
  const rest = text.slice(offset, line.start + line.indent + line.content.length);
  if (/:(\s|$)/.test(rest)) {
    return { at: posOf(offset), message: `the value \`${rest.trim()}\` holds \`: \`, which would start a mapping inside it: put the value in quotes` };
  }
  let next = i + 1;
  while (next < lines.length && !said(lines[next]!)) next++;
  const message = misindented(lines, next);
  return message === undefined ? undefined : { at: posOf(lines[next]!.start + lines[next]!.indent), message };
}

/** A `[` or `{` whose closing bracket the parser did not find where the collection may go on. */
function unclosedFlow(text: string, doc: Document, lines: readonly Line[], offset: number, posOf: PosOf): { at: Position; message: string } | undefined {
  const open = innermost(doc, offset, (n) => 'flow' in n && n.flow === true);
  if (open === undefined) return undefined;
  const start = open.range![0];
  const [noun, close] = text[start] === '{' ? ['mapping', '}'] : ['list', ']'];
  const next = lines[lineIndex(lines, offset)];
  if (next !== undefined && offset >= next.start && next.content.includes(close)) {
    return { at: posOf(start), message: `the ${noun} opened by \`${text[start]}\` goes on at line ${posOf(offset).line}, which must be indented more than the key the ${noun} belongs to` };
  }
  return { at: posOf(start), message: `the ${noun} opened by \`${text[start]}\` is never closed: end it with \`${close}\`` };
}

function unclosedQuote(doc: Document, offset: number, posOf: PosOf): { at: Position; message: string } | undefined {
  const open = innermost(doc, offset, (n) => isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE'));
  if (open === undefined) return undefined;
  const quote = isScalar(open) && open.type === 'QUOTE_SINGLE' ? "'" : '"';
  return { at: posOf(open.range![0]), message: `the quote \`${quote}\` opening this value is never closed` };
}

/** Text after a quoted value, a key out of line, or a `]`/`}` closing nothing. */
function unexpected(text: string, doc: Document, lines: readonly Line[], offset: number, posOf: PosOf): { at: Position; message: string } | undefined {
  const i = lineIndex(lines, offset);
  const line = lines[i]!;
  if (offset === line.start + line.indent) {
    const message = misindented(lines, i);
    if (message !== undefined) return { at: posOf(offset), message };
  }
  const quoted = innermost(doc, offset, (n) => isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') && /^\s*$/.test(text.slice(n.range![1], offset)));
  if (quoted !== undefined) {
    const escape = isScalar(quoted) && quoted.type === 'QUOTE_SINGLE' ? "write ' inside '…' as ''" : 'write " inside "…" as \\"';
    return { at: posOf(offset), message: `text after the closing quote of \`${text.slice(quoted.range![0], quoted.range![1]).trim()}\`: quote the whole value (${escape})` };
  }
  const bracket = text[offset];
  if (bracket === ']' || bracket === '}') return { at: posOf(offset), message: `this \`${bracket}\` closes no ${bracket === ']' ? 'list' : 'mapping'}` };
  return undefined;
}

/**
 * Why a plain value stands where a mapping was expected, when it looks like
 * one written without the space after its colon (`a:/data/a.txt`); empty otherwise.
 */
export function gluedColon(node: YamlNode | null | undefined): string {
  const text = isScalar(node) && node.type === 'PLAIN' && typeof node.value === 'string' ? node.value : '';
  const glued = /^[^\s:]+:\S+/.exec(text);
  return glued === null ? '' : `: \`${glued[0]}\` needs a space after the \`:\` to be a key and its value`;
}

/** `X:1` (no space after the colon) or a line with no colon at all, among `key: value` lines. */
function notKeyValue(lines: readonly Line[], offset: number, posOf: PosOf): { at: Position; message: string } | undefined {
  const line = lines[lineIndex(lines, offset)]!;
  const glued = /^([^\s:#]+):\S/.exec(line.content);
  if (glued !== null) {
    return { at: posOf(line.start + line.indent + glued[1]!.length), message: `\`${line.content}\` needs a space after the \`:\` to be a key and its value` };
  }
  if (line.content.includes(': ') || line.content.endsWith(':')) return undefined;
  return { at: posOf(line.start + line.indent), message: `\`${line.content}\` is no \`key: value\` line: a key is followed by \`: \` and its value` };
}

/** The second of two equal keys in one mapping, with the line of the first. */
function duplicateKey(doc: Document, offset: number, posOf: PosOf): { at: Position; message: string } | undefined {
  let found: { at: Position; message: string } | undefined;
  visit(doc, {
    Map(_, map, path) {
      const keys = map.items.map((pair) => pair.key as YamlNode | null);
      const second = keys.findIndex((k) => k?.range?.[0] === offset);
      if (second < 0) return;
      const name = isScalar(keys[second]) ? String(keys[second].value) : '';
      const first = keys.slice(0, second).find((k) => isScalar(k) && String(k.value) === name);
      if (!first?.range) return;
      const parent = path[path.length - 1];
      const under = isPair(parent) && isScalar(parent.key) ? ` under \`${String(parent.key.value)}\`` : '';
      found = { at: posOf(offset), message: `\`${name}\` is given twice${under} (first at line ${posOf(first.range[0]).line})` };
      return visit.BREAK;
    },
  });
  return found;
}

/** The innermost node around `offset` (its range reaching it) that `fits`. */
function innermost(doc: Document, offset: number, fits: (node: YamlNode) => boolean): YamlNode | undefined {
  let best: YamlNode | undefined;
  visit(doc, {
    Node(_, node) {
      const range = node.range;
      if (range && range[0] <= offset && offset <= range[1] && fits(node)) best = node;
    },
  });
  return best;
}

/**
 * The YAML tags a value may carry: those of what the frontmatter and shark.yaml read (text, numbers, true/false,
 * lists, mappings), and `!!binary`, whose bytes each key refuses in its own words (frontmatter-entries.ts `unsupportedValue`).
 */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'seq', 'map', 'binary'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * The first value with a tag of another kind (`!custom`, `!!timestamp`,
 * `!!set`): the yaml library keeps an unknown tag's value as text, with a
 * warning nobody sees, and reads a set as a mapping; neither is what the
 * writer meant. Located at the tag.
 */
export function tagProblem(text: string, doc: Document, posOf: PosOf): { at: Position; message: string } | undefined {
  let found: { at: Position; message: string } | undefined;
  if (doc.contents === null) return undefined;
  visit(doc, (_, node) => {
    const tag = (node as { tag?: string }).tag;
    const range = (node as { range?: [number, number, number] }).range;
    if (tag === undefined || PLAIN_TAGS.has(tag) || range === undefined) return undefined;
    const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
    const at = text.lastIndexOf(shown, range[0]);
    found = {
      at: posOf(at >= 0 ? at : range[0]),
      message: `the YAML tag \`${shown}\` is not one Shark reads: values are text, numbers, true or false, lists and mappings (remove the tag; quote the value to keep it as text)`,
    };
    return visit.BREAK;
  });
  return found;
}
