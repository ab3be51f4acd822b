import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { parseMarkdown } from '../markdown/parse.js';
import { combinations, findReferences, restrictAxes, SUBSTITUTED, type Combination } from './axes.js';

/** One document of a sweep written out on its own: `name` is its file name. */
export interface Templated {
  readonly name: string;
  readonly axes: Combination;
  readonly text: string;
}

/**
 * A sweep as separate documents, one per combination of all its axes (as the
 * original Shark's `template` did): `%{NAME}` of each axis replaced by its
 * value in the blocks Shark substitutes, and the axis keys taken out of the
 * frontmatter. Scalar keys stay, and so do their `%{NAME}`: each document
 * means what the sweep meant. Everything else is kept byte for byte.
 *
 * Names are `STEM.NAME=VALUE,NAME=VALUE.md`, in frontmatter order; a
 * character of a value other than a letter, digit, `.`, `_`, `-`, `+` or `@`
 * is written `%XX` (its UTF-8 bytes), so every name is one safe file name.
 */
export function templateDocuments(
  file: string,
  source: string,
  stem: string,
  overrides: ReadonlyMap<string, string> = new Map(),
): { documents: Templated[]; diagnostics: Diagnostic[] } {
  const { document, diagnostics } = parseMarkdown(file, source);
  const axes = document.frontmatter?.axes ?? new Map();
  const values = restrictAxes(file, axes, overrides, diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { documents: [], diagnostics };
  const newline = /\r\n/.test(source) ? '\r\n' : '\n';
  const lines = source.split(/\r\n|\r|\n/);
  const frontmatter = document.frontmatter === undefined ? undefined : frontmatterSpan(lines, document.frontmatter.at.line);
  const body = document.blocks.filter((b) => SUBSTITUTED.has(b.kind)).flatMap((b) => b.body);

  const documents = combinations([...values]).map((combination) => {
    const out = [...lines];
    const valueOf = new Map(combination);
    for (const line of body) {
      const found = findReferences(line.text);
      if (!found.ok) continue;
      let text = line.text;
      for (const ref of [...found.refs].reverse()) {
        const value = valueOf.get(ref.name);
        if (value !== undefined) text = text.slice(0, ref.start) + value + text.slice(ref.end);
      }
      const whole = out[line.line - 1]!;
      out[line.line - 1] = whole.slice(0, whole.length - line.text.length) + text;
    }
    if (frontmatter !== undefined) {
      const kept = withoutKeys(frontmatter.yaml, [...axes.keys()]);
      out.splice(frontmatter.open, frontmatter.close - frontmatter.open + 1, ...(kept === undefined ? [] : ['---', ...kept, '---']));
    }
    const suffix = combination.map(([name, value]) => `${name}=${fileSafe(value)}`).join(',');
    return { name: `${stem}${suffix === '' ? '' : `.${suffix}`}.md`, axes: combination, text: out.join(newline) };
  });
  return { documents, diagnostics };
}

const utf8 = new TextEncoder();

export function fileSafe(value: string): string {
  let out = '';
  for (const ch of value) {
    out += /[A-Za-z0-9._+@-]/.test(ch) ? ch : [...utf8.encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** 0-based indexes of the `---` lines around the frontmatter, and its YAML lines. */
function frontmatterSpan(lines: readonly string[], openLine: number): { open: number; close: number; yaml: string[] } | undefined {
  const open = openLine - 1;
  for (let i = open + 1; i < lines.length; i++) {
    if (/^---\s*$/.test(lines[i]!)) return { open, close: i, yaml: lines.slice(open + 1, i) };
  }
  return undefined;
}

/**
 * The YAML lines without the given top-level keys, or undefined when nothing
 * is left. In a block mapping the lines of each key and its value go, the
 * rest stays as written; a flow mapping (`{A: [1], B: 2}`) is written anew.
 */
function withoutKeys(yamlLines: readonly string[], keys: readonly string[]): string[] | undefined {
  const text = yamlLines.join('\n');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const root = doc.contents;
  if (!isMap(root)) return [...yamlLines];
  const nameOf = (node: unknown): string => (isScalar(node) ? String(node.value) : '');
  const gone = root.items.filter((pair) => keys.includes(nameOf(pair.key)));
  if (gone.length === root.items.length) return undefined;
  if (root.flow) {
    for (const pair of gone) root.delete(pair.key);
    return doc.toString().trimEnd().split('\n');
  }
  const drop = new Set<number>();
  for (const pair of gone) {
    const key = pair.key as YamlNode;
    const value = pair.value as YamlNode | null;
    const first = counter.linePos(key.range![0]).line;
    const last = counter.linePos(Math.max(key.range![0], (value?.range ?? key.range!)[1] - 1)).line;
    for (let l = first; l <= last; l++) drop.add(l - 1);
  }
  return yamlLines.filter((_, i) => !drop.has(i));
}
