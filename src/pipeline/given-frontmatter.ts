import { error, LINE_BREAK, type Diagnostic, type Position } from '../diagnostics.js';
import type { Axis, Document } from '../markdown/document.js';
import { parseFrontmatter } from '../markdown/frontmatter.js';

/**
 * Frontmatter values given from outside the document (a config file): a
 * string is a scalar key, a list an axis. Each replaces the document's key of
 * that name, whatever its kind, or adds one.
 */
export type GivenFrontmatter = ReadonlyMap<string, string | readonly string[]>;

/**
 * Where values given from outside the document (a config file) were written,
 * by name: a problem with one of them is located there, not in the document,
 * and does not name the command-line option the user never typed.
 */
export interface GivenPlaces {
  readonly file: string;
  /** The file's text, to show the line. */
  readonly source: string;
  /** `-e` values (the config file's `env:`). */
  readonly env: ReadonlyMap<string, Position>;
  /** `-i` bindings (the config file's `inputs:`). */
  readonly inputs: ReadonlyMap<string, Position>;
  /** `--pool` sizes (the config file's `pools:`). */
  readonly pools: ReadonlyMap<string, Position>;
  /** `--secrets` (the config file's `secrets:` key), when the command line gave none. */
  readonly secrets: Position | undefined;
  /** `frontmatter:` keys. */
  readonly frontmatter: ReadonlyMap<string, Position>;
  /** Where each `env:` and `frontmatter:` value is written in `source` (start and end offsets). */
  readonly spans: ReadonlyMap<string, readonly [number, number]>;
}

/** Why a secret is given no value as a variable (`-e`, `env:`, `frontmatter:`). */
export function secretAsVariable(name: string): string {
  return `${name} is a secret, and a variable's value enters the cache key and lineage: set it in the environment or a --secrets file`;
}

/**
 * A secret the config file gave a value under `key`: located at its key
 * there, and its line shown with the value hidden, as `--secrets` file
 * errors never show the line (it is meant to be a credential).
 */
export function secretGiven(places: GivenPlaces, key: 'env' | 'frontmatter', name: string, at: Position): Diagnostic {
  return { ...error(places.file, at, `\`${key}.${name}\`: ${secretAsVariable(name)}`), shown: hiddenLine(places.source, at.line, places.spans.get(name)) };
}

/** Line `line` of `source`, the part of `span` on it replaced by `***`. */
export function hiddenLine(source: string, line: number, span: readonly [number, number] | undefined): string {
  // Offsets count the line breaks as written (CRLF is two characters).
  const breaks = new RegExp(LINE_BREAK.source, 'g');
  let start = 0;
  for (let i = 0; i < line - 1; i++) {
    const next = breaks.exec(source);
    if (next === null) return '';
    start = next.index + next[0].length;
  }
  const text = source.slice(start).split(LINE_BREAK)[0]!;
  if (span === undefined) return text;
  const from = Math.max(0, span[0] - start);
  const to = Math.min(text.length, span[1] - start);
  return from < to ? `${text.slice(0, from)}***${text.slice(to)}` : text;
}

/**
 * A problem with a value `-e`, `-i` or `--pool` gave: where the config file
 * gave it (`env.NAME`, `inputs.NAME`, `pools.NAME`), else named by its option
 * (`-e NAME=…`) at `at`.
 */
export function valueProblem(
  file: string, at: Position, places: GivenPlaces | undefined, key: 'env' | 'inputs' | 'pools', name: string, option: string, message: string,
): Diagnostic {
  const placed = places?.[key].get(name);
  return placed === undefined ? error(file, at, `${option}: ${message}`) : error(places!.file, placed, `\`${key}.${name}\`: ${message}`);
}

const TOP: Position = { line: 1, col: 1 };

/**
 * The document as if its frontmatter said so. A replaced axis keeps its place
 * among the axes (instance ids list axes in frontmatter order) and its key's
 * position, so a later `-e` error still points into the document.
 */
export function withFrontmatter(document: Document, given: GivenFrontmatter | undefined, diagnostics: Diagnostic[], places?: GivenPlaces): Document {
  if (given === undefined || given.size === 0) return document;
  // The parser's own empty frontmatter: whatever fields it grows, this one has them.
  const fm = document.frontmatter ?? parseFrontmatter(document.file, '', 1, TOP, [])!;
  const variables = new Map(fm.variables);
  const axes = new Map(fm.axes);
  for (const [name, value] of given) {
    const secret = fm.secrets?.find((s) => s.name === name);
    if (secret !== undefined) {
      // A variable's value enters keys and lineage: a secret's must not.
      const at = places?.frontmatter.get(name);
      diagnostics.push(at !== undefined ? secretGiven(places!, 'frontmatter', name, at)
        : error(document.file, secret.at, `\`${name}\` is a secret: a config file cannot give it a value under \`frontmatter:\` (its value comes from the environment or --secrets)`));
      continue;
    }
    if (typeof value === 'string') {
      axes.delete(name);
      variables.set(name, value);
      continue;
    }
    const at = fm.axes.get(name)?.at ?? fm.at;
    const axis: Axis = { name, at, values: value.map((v) => ({ value: v, at })) };
    variables.delete(name);
    axes.set(name, axis);
  }
  return { ...document, frontmatter: { ...fm, variables, axes } };
}
