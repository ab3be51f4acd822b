import { posix } from 'node:path';
import { parseDocument, isMap, isScalar, isSeq, type Node as YamlNode, type YAMLSeq, LineCounter } from 'yaml';
import { error, type Diagnostic, type Position } from '../diagnostics.js';
import type { Axis, Frontmatter } from './document.js';
import { isPositiveCount } from '../counted.js';
import { nameProblem } from './option-values.js';
import { inputEntry, noValue, plainValue, secretNames, secretsAlsoVariables, setByShark, unexportable, unsupportedValue, VARIABLE, writtenEmpty } from './frontmatter-entries.js';
import { gluedColon, tagProblem, yamlProblem } from './yaml-problem.js';
import { hasControl, shownName } from '../printable.js';

/**
 * Reads the YAML frontmatter. `inputs:` maps names to /data paths bound to
 * host files at run time, `path:` is the containers' working directory,
 * every other scalar key becomes an environment variable of each step, and a
 * key with a list of values is an axis of a sweep.
 */
export function parseFrontmatter(
  file: string,
  yamlText: string,
  firstLine: number,
  at: Position,
  diagnostics: Diagnostic[],
): Frontmatter | undefined {
  const counter = new LineCounter();
  // A lone CR ends a line, as it does for the markdown around it (YAML reads it so; the `yaml` package does not): as LF, every offset stays.
  const doc = parseDocument(yamlText.replace(/\r(?!\n)/g, '\n'), { lineCounter: counter, prettyErrors: false });
  const posOf = (offset: number): Position => {
    const p = counter.linePos(offset);
    return { line: firstLine + p.line - 1, col: p.col };
  };
  const nodePos = (node: YamlNode | null | undefined): Position =>
    node?.range ? posOf(node.range[0]) : at;

  const first = doc.errors[0];
  if (first !== undefined) {
    // Later YAML errors are usually the parser recovering from the first one.
    const problem = yamlProblem(yamlText, doc, first, posOf, 'invalid frontmatter YAML');
    diagnostics.push(error(file, problem.at, problem.message));
    return undefined;
  }
  const tagged = tagProblem(yamlText, doc, posOf);
  if (tagged !== undefined) {
    diagnostics.push(error(file, tagged.at, tagged.message));
    return undefined;
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return { at, firstLine, inputs: new Map(), path: undefined, variables: new Map(), axes: new Map() };
  }
  if (!isMap(root)) {
    diagnostics.push(error(file, nodePos(root), `frontmatter must be a YAML mapping (key: value lines)${gluedColon(root)}`));
    return undefined;
  }

  const inputs = new Map<string, { path: string; at: Position; optional?: true }>();
  const variables = new Map<string, string>();
  const axes = new Map<string, Axis>();
  const pools = new Map<string, { size: number; at: Position }>();
  const secrets: { name: string; at: Position }[] = [];
  let workdir: string | undefined;
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as YamlNode | null;
    if (key === 'inputs') {
      if (value === null || (isScalar(value) && value.value === null)) continue;
      if (!isMap(value)) {
        diagnostics.push(error(file, nodePos(value), `\`inputs:\` must map names to /data paths${gluedColon(value)}`));
        continue;
      }
      for (const item of value.items) {
        const nameNode = item.key as YamlNode | null;
        const pathNode = item.value as YamlNode | null;
        const name = isScalar(nameNode) ? String(nameNode.value) : '';
        const where = nodePos(pathNode ?? nameNode);
        const raw = isScalar(pathNode) ? String(pathNode.value) : undefined;
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
          diagnostics.push(error(file, nodePos(nameNode), `invalid input name \`${name}\``));
          continue;
        }
        if (isMap(pathNode)) {
          const entry = inputEntry(name, pathNode, nodePos, (p, m) => diagnostics.push(error(file, p, m)));
          if (entry !== undefined) inputs.set(name, entry);
          continue;
        }
        if (raw === undefined) {
          diagnostics.push(error(file, where, `input \`${name}\` must be a /data/... path`));
          continue;
        }
        inputs.set(name, { path: raw, at: where });
      }
    } else if (key === 'pools') {
      readPools(value, nodePos, pools, (p, m) => diagnostics.push(error(file, p, m)));
    } else if (key === 'secrets') {
      secrets.push(...secretNames(value, nodePos, (p, m) => diagnostics.push(error(file, p, m))));
    } else if (key === 'path') {
      const raw = isScalar(value) ? String(value.value) : '';
      if (!raw.startsWith('/')) {
        diagnostics.push(error(file, nodePos(value), '`path:` must be an absolute directory, such as /root'));
        continue;
      }
      // The job's data is mounted there: the engine would make the directory in it, in the way of an output, and what a
      // command writes there by a relative name is no declared output (lost).
      const normal = posix.normalize(raw);
      if (normal === '/data' || normal.startsWith('/data/')) {
        diagnostics.push(error(file, nodePos(value), '`path:` cannot be /data or a directory in it: the jobs\' data is mounted there, so what a command wrote by a relative name would be no declared output (use a directory outside /data, such as /work)'));
        continue;
      }
      workdir = raw;
    } else if (unsupportedValue(value) !== undefined) {
      diagnostics.push(error(file, nodePos(value), `frontmatter key \`${key}\`: ${unsupportedValue(value)!}`));
    } else if (isScalar(value) || isSeq(value)) {
      if (!VARIABLE.test(key)) {
        diagnostics.push(error(file, nodePos(keyNode), `variable name \`${key}\` is not a valid environment variable name`));
        continue;
      }
      if (setByShark(key) !== undefined) {
        diagnostics.push(error(file, nodePos(keyNode), setByShark(key)!));
        continue;
      }
      if (isScalar(value)) {
        const text = plainValue(value);
        // `~` or nothing is no value to export: as for an axis value, an error, not a silent empty string.
        const unfit = text === undefined ? undefined : unexportable(key, text);
        if (unfit !== undefined) diagnostics.push(error(file, nodePos(value), unfit));
        else if (text !== undefined) variables.set(key, text);
        else diagnostics.push(error(file, writtenEmpty(value) ? nodePos(keyNode) : nodePos(value), `the variable \`${key}\` ${noValue(key)}`));
      } else {
        const axis = readAxis(key, nodePos(keyNode), value, nodePos, (p, m) => diagnostics.push(error(file, p, m)));
        if (axis !== undefined) axes.set(key, axis);
      }
    } else {
      diagnostics.push(error(file, nodePos(value), `frontmatter key \`${key}\` must have a plain value`));
    }
  }
  secretsAlsoVariables(secrets, variables, (p, m) => diagnostics.push(error(file, p, m)));
  return { at, firstLine, inputs, path: workdir, variables, axes, ...(secrets.length > 0 ? { secrets } : {}), ...(pools.size > 0 ? { pools } : {}) };
}

/** `pools: {db: 1, gpu: 2}`: how many jobs of each pool may run at once. */
function readPools(
  value: YamlNode | null,
  nodePos: (node: YamlNode | null | undefined) => Position,
  pools: Map<string, { size: number; at: Position }>,
  fail: (at: Position, message: string) => void,
): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isMap(value)) return fail(nodePos(value), '`pools:` maps pool names to how many of their jobs may run at once: `pools: {db: 1}`');
  for (const item of value.items) {
    const nameNode = item.key as YamlNode | null;
    const sizeNode = item.value as YamlNode | null;
    const name = isScalar(nameNode) ? String(nameNode.value) : '';
    const invalid = nameProblem('pool name', name);
    if (invalid !== undefined) {
      fail(nodePos(nameNode), invalid);
      continue;
    }
    const size = isScalar(sizeNode) ? sizeNode.value : undefined;
    if (typeof size !== 'number' || !isPositiveCount(size)) {
      const text = plainValue(sizeNode);
      const given = text === undefined ? '' : `, not \`${text}\``;
      fail(nodePos(sizeNode ?? nameNode), `the pool \`${name}\` needs a size: a whole number of jobs at once, at least 1${given}`);
      continue;
    }
    pools.set(name, { size, at: nodePos(nameNode) });
  }
}

/**
 * A list of plain values. Each value becomes one segment of the paths that
 * mention it, so it may not name a directory of its own or a parent.
 */
export function readAxis(
  name: string,
  at: Position,
  list: YAMLSeq,
  nodePos: (node: YamlNode | null | undefined) => Position,
  fail: (at: Position, message: string) => void,
): Axis | undefined {
  if (list.items.length === 0) {
    fail(nodePos(list), `the axis \`${name}\` has no values: list at least one`);
    return undefined;
  }
  const values: { value: string; at: Position }[] = [];
  let ok = true;
  for (const item of list.items as (YamlNode | null)[]) {
    const where = nodePos(item ?? list);
    // Numbers as written: `1.0` stays `1.0` in paths and ids.
    const value = plainValue(item);
    if (value === undefined) {
      const unsupported = unsupportedValue(item);
      fail(where, unsupported === undefined ? `a value of the axis \`${name}\` must be a plain string, number or boolean` : `a value of the axis \`${name}\`: ${unsupported}`);
      ok = false;
      continue;
    }
    // A C1 control or a bidirectional mark too: instance ids (`make[T=…]`) are printed as they are.
    if (hasControl(value)) {
      fail(where, `the value ${shownName(value)} of the axis \`${name}\` holds a control character (a newline, a tab): a value is one path segment`);
      ok = false;
      continue;
    }
    if (value === '' || value === '.' || value === '..' || value.includes('/')) {
      fail(where, `the value \`${value}\` of the axis \`${name}\` would make a path leave its directory: a value is one path segment (no \`/\`, not \`.\` or \`..\`, not empty)`);
      ok = false;
      continue;
    }
    if (values.some((v) => v.value === value)) {
      fail(where, `the axis \`${name}\` lists \`${value}\` twice`);
      ok = false;
      continue;
    }
    values.push({ value, at: where });
  }
  return ok ? { name, at, values } : undefined;
}
