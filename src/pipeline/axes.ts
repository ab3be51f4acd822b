import { error, type Diagnostic } from '../diagnostics.js';
import { colOf, type Axis, type Document, type SharkBlock, type SourceLine } from '../markdown/document.js';
import { settingName } from '../markdown/frontmatter-entries.js';
import { valueProblem, type GivenPlaces } from './given-frontmatter.js';
import { splitCommands } from './shell-lines.js';

/** One `%{NAME}` in a line: `start` is the offset of `%`, `end` is just past `}`. */
export interface Reference {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export type References = { ok: true; refs: Reference[] } | { ok: false; offset: number; message: string };

/**
 * Between the values of a name `-e` gave more than once: no argument can hold
 * a NUL, so the values stay apart whatever they hold (a comma included).
 */
export const REPEATED = '\0';

/** The `-e` options that gave `value` to `name`, as typed: `-e TAXA=A -e TAXA=B`. */
function givenAs(name: string, value: string): string {
  return value.split(REPEATED).map((v) => `-e ${name}=${v}`).join(' ');
}

/**
 * The values `-e AXIS=…` names. A repeated -e adds its values, as a comma
 * does. A value may itself hold a comma: the whole text names it first.
 */
export function wantedValues(all: readonly string[], given: string): string[] {
  return given.split(REPEATED).flatMap((g) => (all.includes(g) ? [g] : g.split(',')));
}

/** The values of the axes one instance takes, in frontmatter order. */
export type Combination = readonly (readonly [string, string])[];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `%{NAME}` references in a line. A `%` not followed by `{` is text (`printf "%.2f"`, `date +%Y`). */
export function findReferences(text: string): References {
  const refs: Reference[] = [];
  for (let i = text.indexOf('%{'); i >= 0; i = text.indexOf('%{', i + 1)) {
    const close = text.indexOf('}', i + 2);
    if (close < 0) return { ok: false, offset: i, message: 'unclosed `%{`: write `%{NAME}` with a closing `}`' };
    const name = text.slice(i + 2, close);
    if (!NAME.test(name)) {
      return { ok: false, offset: i, message: `\`%{${name}}\`: between \`%{\` and \`}\` comes the name of a frontmatter key (letters, digits and \`_\`)` };
    }
    refs.push({ name, start: i, end: close + 1 });
    i = close;
  }
  return { ok: true, refs };
}

/** Every combination of the axes' values, the last axis varying fastest. */
export function combinations(axes: readonly (readonly [string, readonly string[]])[]): Combination[] {
  let out: (readonly [string, string])[][] = [[]];
  for (const [name, values] of axes) out = out.flatMap((c) => values.map((v) => [...c, [name, v] as const]));
  return out;
}

/** Replaces references by values, keeping the document column of every character (a value's are its `%`'s). */
export function substitute(line: SourceLine, refs: readonly Reference[], valueOf: (name: string) => string): SourceLine {
  if (refs.length === 0) return line;
  let text = '';
  const cols: number[] = [];
  let from = 0;
  for (const ref of refs) {
    for (let i = from; i < ref.start; i++) (text += line.text[i]!), cols.push(colOf(line, i));
    const value = valueOf(ref.name);
    for (let k = 0; k < value.length; k++) cols.push(colOf(line, ref.start));
    text += value;
    from = ref.end;
  }
  for (let i = from; i <= line.text.length; i++) {
    if (i < line.text.length) text += line.text[i]!;
    cols.push(colOf(line, i));
  }
  return { text, line: line.line, col: line.col, cols };
}

/**
 * The axis values a run uses: all of them, or those `-e NAME=v1,v2` keeps
 * (in the document's order). Unknown values are errors at the axis, or where
 * `places` says the value was given.
 */
export function restrictAxes(
  file: string,
  axes: ReadonlyMap<string, Axis>,
  overrides: ReadonlyMap<string, string>,
  diagnostics: Diagnostic[],
  places?: GivenPlaces,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, axis] of axes) {
    const all = axis.values.map((v) => v.value);
    const given = overrides.get(name);
    if (given === undefined) {
      out.set(name, all);
      continue;
    }
    const wanted = wantedValues(all, given);
    // An empty value is said once, as such: `` would read as a value the axis lacks.
    const unknown = [...new Set(wanted.filter((v) => !all.includes(v)))];
    for (const v of unknown) {
      const why = v !== '' ? `\`${v}\` is not a value of the axis \`${name}\``
        : given.split(REPEATED).includes('') ? `the value is empty: name values of the axis \`${name}\``
        : `a value is empty (two commas, or one at an end): name values of the axis \`${name}\``;
      diagnostics.push(valueProblem(file, axis.at, places, 'env', name, givenAs(name, given), `${why} (its values: ${all.join(', ')}${givenBy(places, name)})`));
    }
    out.set(name, all.filter((v) => wanted.includes(v)));
  }
  return out;
}

/**
 * `, as shark.yaml:3 gives them` for an axis a config file's `frontmatter:`
 * replaced: the error is still located at the document's key, whose line
 * shows other values.
 */
function givenBy(places: GivenPlaces | undefined, name: string): string {
  const at = places?.frontmatter.get(name);
  return at === undefined ? '' : `, as ${places!.file}:${at.line} gives them`;
}

/** Blocks whose bodies are substituted. A build block's body is a Dockerfile or an OBuilder spec, left as written. */
export const SUBSTITUTED: ReadonlySet<string> = new Set(['run', 'import', 'publish']);

/**
 * Whether offset `at` of an import line is inside its source, and that source
 * is a URL: a secret there is left as written, put in only to download
 * (`imports/secret-url.ts`).
 */
function inUrlSource(text: string, at: number): boolean {
  const start = text.length - text.trimStart().length;
  const source = text.slice(start).split(/\s/)[0]!;
  // A git repository's URL (`…/r.git@main`) is given to git as written: a secret there was never put in.
  return /^https?:\/\//i.test(source) && !/\.git(?:[#@][^@]*)?$/.test(source) && at >= start && at < start + source.length;
}

/**
 * Replaces each block that mentions axes by one instance per combination of
 * their values, and `%{NAME}` of scalar keys by their value (`-e` overriding
 * it). Instances are ordinary blocks to inference; they remember the block
 * they came from and their axis values, for their ids. `places`: where a
 * config file gave some of the overrides. A bad `%{…}` is in `references`,
 * not `diagnostics`: its block is kept with that text as written, so that the
 * rest of the document can still be checked.
 */
export function instantiate(
  document: Document,
  overrides: ReadonlyMap<string, string> = new Map(),
  places?: GivenPlaces,
): { document: Document; diagnostics: Diagnostic[]; references: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const references: Diagnostic[] = [];
  const file = document.file;
  const axes = document.frontmatter?.axes ?? new Map<string, Axis>();
  const scalars = new Map(document.frontmatter?.variables ?? []);
  for (const [name, value] of overrides) {
    if (axes.has(name)) continue;
    const given = value.split(REPEATED);
    if (given.length === 1) {
      if (scalars.has(name)) scalars.set(name, value);
      continue;
    }
    const both = `${given.slice(0, -1).join(', ')} and ${given.at(-1)!}`;
    const at = document.frontmatter?.at ?? { line: 1, col: 1 };
    diagnostics.push(valueProblem(file, at, places, 'env', name, givenAs(name, value), `\`${name}\` is a variable and takes one value, not ${both} (only an axis takes several)`));
  }
  const known = [...(document.frontmatter?.variables.keys() ?? []), ...axes.keys()];
  const secrets = new Set((document.frontmatter?.secrets ?? []).map((s) => s.name));
  const knownText = known.length === 0 ? 'the frontmatter defines no keys' : `the frontmatter defines ${known.sort().join(', ')}`;
  const values = restrictAxes(file, axes, overrides, diagnostics, places);

  const blocks: SharkBlock[] = [];
  for (const block of document.blocks) {
    if (!SUBSTITUTED.has(block.kind)) {
      if (block.kind === 'build') references.push(...keysInBuild(file, block, new Set([...known, ...secrets])));
      blocks.push({ ...block, index: blocks.length });
      continue;
    }
    const lines: { line: SourceLine; refs: Reference[] }[] = [];
    const mentioned = new Set<string>();
    const commented = block.kind === 'run' ? commentedAt(block.body) : (): boolean => false;
    for (const line of block.body) {
      const found = findReferences(line.text);
      if (!found.ok) {
        references.push(error(file, { line: line.line, col: colOf(line, found.offset) }, found.message));
        lines.push({ line, refs: [] });
        continue;
      }
      // `# sums every %{TAXA} file` above a fan-in, or after a command: a comment runs nothing, so it makes no instances.
      const inComment = (ref: Reference): boolean => commented(line.line, colOf(line, ref.start));
      for (const ref of found.refs) {
        // An import line is split at spaces, never unquoted: a value with one ends the source or DEST there.
        const spaced = block.kind === 'import' && !inComment(ref) ? (axes.has(ref.name) ? values.get(ref.name) ?? [] : [scalars.get(ref.name) ?? '']).find((v) => /\s/.test(v)) : undefined;
        if (spaced !== undefined) {
          references.push(error(file, { line: line.line, col: colOf(line, ref.start) },
            `\`%{${ref.name}}\`: the value \`${spaced}\` of ${ref.name} holds a space, which an import line cannot take: its words are split at spaces and never unquoted (choose values without one, or percent-encode it in a URL, %20)`));
        }
        if (axes.has(ref.name)) {
          if (!inComment(ref)) mentioned.add(ref.name);
        } else if (/[\r\n]/.test(scalars.get(ref.name) ?? '') && !inComment(ref)) {
          const what = block.kind === 'run' ? 'the command, it would end the command there and run the rest as another' : 'the line, it would end the line there';
          references.push(error(file, { line: line.line, col: colOf(line, ref.start) },
            `\`%{${ref.name}}\`: the value of ${ref.name} holds a line break: put into ${what}; read it from the environment as "$${ref.name}"`));
        } else if (!scalars.has(ref.name) && !inComment(ref) && !(secrets.has(ref.name) && block.kind === 'import' && inUrlSource(line.text, ref.start))) {
          // A comment's `%{NAME}` naming nothing is left as written, as the format says (it runs nothing).
          const message = !secrets.has(ref.name) ? unknownName(ref.name, knownText)
            : block.kind === 'import'
              ? `\`%{${ref.name}}\`: ${ref.name} is a secret: only a URL import's source may hold one, not a git repository's (\`https://host/file?token=%{${ref.name}}\`), where its value is put in to download, never recorded`
              : `\`%{${ref.name}}\`: ${ref.name} is a secret: its value cannot be put into a command, where it would enter the cache key; read it from the environment as $${ref.name}`;
          references.push(error(file, { line: line.line, col: colOf(line, ref.start) }, message));
        }
      }
      // What names no value stays as written.
      lines.push({ line, refs: found.refs.filter((ref) => (axes.has(ref.name) && !inComment(ref)) || scalars.has(ref.name)) });
    }
    const mine = [...axes.keys()].filter((name) => mentioned.has(name)).map((name) => [name, values.get(name) ?? []] as const);
    for (const combination of combinations(mine)) {
      const valueOf = (name: string): string => combination.find(([n]) => n === name)?.[1] ?? scalars.get(name)!;
      const body = lines.map(({ line, refs }) => substitute(line, refs, valueOf));
      const instance = mine.length === 0 ? {} : { instance: { of: block.index, axes: combination } };
      blocks.push({ ...block, index: blocks.length, body, ...instance });
    }
  }
  return { document: { ...document, blocks }, diagnostics, references };
}


/**
 * `%{NAME}` of a frontmatter key in a shark-build body, which is left as written: an image built
 * from `FROM gdal:%{V}` fails with the engine's `invalid reference format`, and `RUN echo %{V}`
 * echoes the text. The original Shark's `shark template` replaced it, so its documents do this.
 * Comment lines (`#` of a Dockerfile, `;` of a spec) run nothing and are left alone, and so is a
 * `'%{NAME}'` in single quotes, which a shell command of the build means as that text.
 */
function keysInBuild(file: string, block: SharkBlock, keys: ReadonlySet<string>): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const line of block.body) {
    const text = line.text.trimStart();
    if (text.startsWith('#') || text.startsWith(';')) continue;
    const refs = findReferences(line.text);
    if (!refs.ok) continue;
    for (const ref of refs.refs.filter((r) => keys.has(r.name) && !singleQuoted(line.text, r.start))) {
      found.push(error(file, { line: line.line, col: colOf(line, ref.start) },
        `\`%{${ref.name}}\` is not replaced in a shark-build block: an environment is the same for every value of the frontmatter; write the value itself`));
    }
  }
  return found;
}

/** Whether `at` on a line is inside single quotes: an odd number of `'` before it. */
function singleQuoted(text: string, at: number): boolean {
  return (text.slice(0, at).match(/'/g)?.length ?? 0) % 2 === 1;
}

/**
 * What a `%{NAME}` naming no variable or axis is told. A setting's name (`%{path}`) is one the
 * original Shark's `shark template` put in, its scalar keys all being variables: say it is a setting here.
 */
function unknownName(name: string, knownText: string): string {
  const setting = settingName(name);
  if (setting === undefined) return `unknown \`%{${name}}\`: ${knownText}`;
  return `\`%{${name}}\`: ${setting}: \`%{NAME}\` puts in a variable or an axis (${knownText}); write the value itself`;
}

/**
 * Whether a place (line, column) of a run block's body is in a shell comment: no command holds it
 * (a `#` in a here-document, in quotes or inside a word is text), nor a transcript's output. The
 * block is split only when a place is asked about: most blocks hold no `%{NAME}`.
 */
function commentedAt(body: readonly SourceLine[]): (line: number, col: number) => boolean {
  let held: Set<string> | undefined;
  let outputLines: Set<number> | undefined;
  return (line, col) => {
    if (held === undefined) {
      const { commands, output } = splitCommands(body);
      held = new Set();
      for (const c of commands) for (let i = 0; i < c.text.length; i++) held.add(`${c.lines[i]!}:${c.cols[i]!}`);
      outputLines = new Set(output.map((l) => l.line));
    }
    return !outputLines!.has(line) && !held.has(`${line}:${col}`);
  };
}
