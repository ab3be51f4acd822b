import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import { error, type Diagnostic, type Position } from '../diagnostics.js';
import { readAxis } from '../markdown/frontmatter.js';
import { noValue, notAVariable, plainValue, setByShark, unexportable, VARIABLE, writtenEmpty } from '../markdown/frontmatter-entries.js';
import { gluedColon, tagProblem, yamlProblem } from '../markdown/yaml-problem.js';
import { RUN_MEMORY, runMemory } from '../pipeline/resources.js';
import { readProblem } from '../read-problem.js';
import { slurmOptWords } from '../markdown/sbatch-options.js';
import { ALL_KEYS, CONFIG_KEYS, FRONTMATTER_KEY, TARGETS_KEY, type ConfigKey } from './config-keys.js';
import { notAValue, readCount, readNames, readPath, scalarText, spanOf, type Check } from './config-values.js';

/** One `NAME: value` of a mapping key (`inputs`, `env`, `pools`), as the option's `NAME=VALUE` would give it. */
export interface ConfigPair {
  readonly name: string;
  readonly value: string;
  readonly at: Position;
  /** Where the value is written in the file's text (offsets): a secret's is hidden when its line is shown. */
  readonly span?: Span;
}

/** Start and end offsets of a value in a config file's text. */
export type Span = readonly [start: number, end: number];

/** A setting as the command line would give it; `at` is its key in the config file. */
export type ConfigSetting =
  | { readonly shape: 'single'; readonly value: string | boolean; readonly at: Position }
  | { readonly shape: 'list'; readonly values: readonly string[]; readonly at: Position; readonly valuesAt: readonly Position[] }
  | { readonly shape: 'pairs'; readonly pairs: readonly ConfigPair[]; readonly at: Position };

export interface SharkConfig {
  /** As shown in messages (relative to the current directory). */
  readonly file: string;
  /** Its text, to show the line of a problem found later with a value it gave. */
  readonly source: string;
  /** By config key (`store`, `jobs`, …); paths already resolved against the file's directory. */
  readonly options: ReadonlyMap<string, ConfigSetting>;
  /** `frontmatter:` values: a string is a scalar key, a list an axis. */
  readonly frontmatter: ReadonlyMap<string, { readonly value: string | readonly string[]; readonly at: Position; readonly span?: Span }>;
  readonly targets: { readonly values: readonly string[]; readonly at: Position; readonly valuesAt: readonly Position[] } | undefined;
}

export type ConfigRead =
  | { ok: true; config: SharkConfig }
  | { ok: false; reason: 'unreadable'; message: string }
  | { ok: false; reason: 'invalid'; diagnostics: Diagnostic[]; source: string };

export function readConfig(path: string, file: string): ConfigRead {
  let source: string;
  try {
    // A byte order mark is no text: columns of line 1 count from after it, as a document's do.
    source = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    return { ok: false, reason: 'unreadable', message: `${file}: error: cannot read config: ${readProblem(e)}` };
  }
  const diagnostics: Diagnostic[] = [];
  const config = parseConfig(file, resolve(path, '..'), source, diagnostics);
  return config === undefined || diagnostics.length > 0 ? { ok: false, reason: 'invalid', diagnostics, source } : { ok: true, config };
}

const INPUT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const POOL = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Keys of the document's frontmatter that a config file does not set, and where their settings go instead. */
const NOT_GIVEN: Readonly<Record<string, string>> = {
  inputs: 'bind inputs to host paths with the top-level `inputs:`',
  path: 'the containers\' working directory belongs to the document',
  pools: 'give pool sizes with the top-level `pools:`',
  secrets: 'the document names its secrets; the top-level `secrets:` names the file their values come from',
};

/** Validates a config file's text; every problem is a diagnostic located in it. Relative paths are resolved against `dir`. */
export function parseConfig(file: string, dir: string, source: string, diagnostics: Diagnostic[]): SharkConfig | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false });
  const posOf = (offset: number): Position => counter.linePos(offset);
  const nodePos = (node: YamlNode | null | undefined): Position => (node?.range ? posOf(node.range[0]) : { line: 1, col: 1 });
  const fail = (at: Position, message: string): void => void diagnostics.push(error(file, at, message));

  const first = doc.errors[0];
  if (first !== undefined) {
    // Later YAML errors are usually the parser recovering from the first one.
    const problem = yamlProblem(source, doc, first, posOf, 'invalid YAML');
    fail(problem.at, problem.message);
    return undefined;
  }
  const tagged = tagProblem(source, doc, posOf);
  if (tagged !== undefined) {
    fail(tagged.at, tagged.message);
    return undefined;
  }
  const options = new Map<string, ConfigSetting>();
  const frontmatter = new Map<string, { value: string | readonly string[]; at: Position; span?: Span }>();
  let targets: SharkConfig['targets'];
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return { file, source, options, frontmatter, targets };
  if (!isMap(root)) {
    fail(nodePos(root), `a config file must be a YAML mapping (key: value lines)${gluedColon(root)}`);
    return undefined;
  }
  const check: Check = { dir, nodePos, fail };
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as YamlNode | null;
    const at = nodePos(keyNode);
    const row = CONFIG_KEYS.find((k) => k.key === key);
    if (row !== undefined) {
      const setting = readSetting(row, at, value, check);
      if (setting !== undefined) options.set(key, setting);
    } else if (key === FRONTMATTER_KEY) {
      readFrontmatter(value, frontmatter, check);
    } else if (key === TARGETS_KEY) {
      const names = readNames(key, value, check);
      if (names !== undefined) targets = { ...names, at };
    } else {
      fail(at, `unknown key \`${key}\` (known: ${ALL_KEYS.join(', ')})`);
    }
  }
  const env = options.get('env');
  for (const [name, { at }] of frontmatter) {
    if (env?.shape === 'pairs' && env.pairs.some((p) => p.name === name)) fail(at, `\`${name}\` is set twice in ${file}: under \`env:\` and \`frontmatter:\``);
  }
  return { file, source, options, frontmatter, targets };
}

function readSetting(row: ConfigKey, at: Position, value: YamlNode | null, check: Check): ConfigSetting | undefined {
  const single = (v: string | boolean | undefined): ConfigSetting | undefined => (v === undefined ? undefined : { shape: 'single', value: v, at });
  const empty = value === null || (isScalar(value) && value.value === null);
  if (empty && !row.kind.endsWith('-by-name')) {
    check.fail(at, `\`${row.key}\` needs a value`);
    return undefined;
  }
  switch (row.kind) {
    case 'path':
    case 'store':
      return single(readPath(row.key, value, check, row.kind === 'store'));
    case 'count':
      return single(readCount(row.key, value, check));
    case 'size': {
      const text = scalarText(value);
      const bytes = text === undefined ? undefined : runMemory(text);
      if (bytes === undefined) {
        check.fail(check.nodePos(value), `\`${row.key}\` must be ${RUN_MEMORY}${text === undefined ? '' : `, not \`${text}\``}`);
        return undefined;
      }
      return single(text!);
    }
    case 'choice': {
      const text = scalarText(value);
      if (text !== undefined && (row.choices ?? []).includes(text)) return single(text);
      check.fail(check.nodePos(value), `\`${row.key}\` must be one of ${(row.choices ?? []).join(', ')}${text === undefined ? '' : `, not \`${text}\``}`);
      return undefined;
    }
    case 'boolean': {
      const raw = isScalar(value) ? value.value : undefined;
      if (typeof raw === 'boolean') return single(raw);
      check.fail(check.nodePos(value), `\`${row.key}\` must be true or false`);
      return undefined;
    }
    case 'names':
    case 'sbatch-options': {
      const names = readNames(row.key, value, check);
      if (names === undefined) return undefined;
      // Checked here, as --slurm-opt is, so that a mistake is located in the file rather than blamed on the option.
      const sbatch = row.kind === 'sbatch-options' ? slurmOptWords(names.values) : undefined;
      if (sbatch?.ok === false) {
        check.fail(names.valuesAt[sbatch.index]!, `\`${row.key}\`: \`${sbatch.word}\`${sbatch.reason}`);
        return undefined;
      }
      return { shape: 'list', ...names, at };
    }
    case 'paths-by-name':
    case 'counts-by-name':
    case 'values-by-name': {
      const pairs = readPairs(row, value, check);
      return pairs === undefined ? undefined : { shape: 'pairs', pairs, at };
    }
  }
}

function readPairs(row: ConfigKey, value: YamlNode | null, check: Check): ConfigPair[] | undefined {
  if (value === null || (isScalar(value) && value.value === null)) return [];
  if (!isMap(value)) {
    check.fail(check.nodePos(value), `\`${row.key}\` must map names to values (name: value lines)${gluedColon(value)}`);
    return undefined;
  }
  const out: ConfigPair[] = [];
  for (const item of (value as YAMLMap).items) {
    const nameNode = item.key as YamlNode | null;
    const node = item.value as YamlNode | null;
    const name = isScalar(nameNode) ? String(nameNode.value) : '';
    const at = check.nodePos(nameNode);
    const where = `${row.key}.${name}`;
    const [pattern, bad] =
      row.kind === 'values-by-name' ? [VARIABLE, `\`${name}\` is not a valid environment variable name`]
      : row.kind === 'paths-by-name' ? [INPUT, `invalid input name \`${name}\``]
      : [POOL, `invalid pool name \`${name}\`: use ASCII letters, digits, '.', '_' and '-'`];
    const reserved = row.kind === 'values-by-name' ? notAVariable(name) : undefined;
    if (!pattern.test(name) || reserved !== undefined) {
      check.fail(at, reserved ?? bad);
      continue;
    }
    const text =
      row.kind === 'paths-by-name' ? readPath(where, node, check, false)
      : row.kind === 'counts-by-name' ? readCount(where, node, check)
      : plainValue(node);
    if (text === undefined) {
      // `~` or nothing is no value, as in the document's frontmatter: not a silent empty string.
      // A list (`S: [a, b]`) is most often an axis's values picked: `-e S=a,b` writes them with commas.
      const list = isSeq(node) ? `: to pick several values of an axis, write them with commas, as -e does (\`${name}: a,b\`)` : '';
      if (row.kind === 'values-by-name') check.fail(writtenEmpty(node) ? at : check.nodePos(node), notAValue(where, node, noValue(name), `must be a plain string, number or boolean${list}`));
      continue;
    }
    const unfit = row.kind === 'values-by-name' ? unexportable(name, text) : undefined;
    if (unfit !== undefined) {
      check.fail(check.nodePos(node), unfit);
      continue;
    }
    out.push({ name, value: text, at, ...spanOf(node) });
  }
  return out;
}

function readFrontmatter(value: YamlNode | null, into: Map<string, { value: string | readonly string[]; at: Position; span?: Span }>, check: Check): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isMap(value)) {
    check.fail(check.nodePos(value), `\`${FRONTMATTER_KEY}\` must map frontmatter keys to values (name: value lines)`);
    return;
  }
  for (const item of value.items) {
    const keyNode = item.key as YamlNode | null;
    const node = item.value as YamlNode | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    const at = check.nodePos(keyNode);
    const instead = Object.hasOwn(NOT_GIVEN, name) ? NOT_GIVEN[name] : undefined;
    if (instead !== undefined) {
      check.fail(at, `\`${FRONTMATTER_KEY}.${name}\` cannot be set in a config file: ${instead}`);
    } else if (!VARIABLE.test(name)) {
      check.fail(at, `\`${name}\` is not a valid environment variable name`);
    } else if (setByShark(name) !== undefined) {
      check.fail(at, setByShark(name)!);
    } else if (isSeq(node)) {
      const axis = readAxis(name, at, node, check.nodePos, check.fail);
      if (axis !== undefined) into.set(name, { value: axis.values.map((v) => v.value), at, ...spanOf(node) });
    } else {
      // As in the document: `~` or nothing is no value for a variable (nothing is reported at the key).
      const text = plainValue(node);
      const plain = 'must be a plain value, or a list of them (an axis)';
      const unfit = text === undefined ? undefined : unexportable(name, text);
      if (text === undefined) check.fail(writtenEmpty(node) ? at : check.nodePos(node), notAValue(`${FRONTMATTER_KEY}.${name}`, node, plain, plain));
      else if (unfit !== undefined) check.fail(check.nodePos(node), unfit);
      else into.set(name, { value: text, at, ...spanOf(node) });
    }
  }
}
