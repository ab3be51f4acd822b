import { isAlias, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Position } from '../diagnostics.js';

type Fail = (at: Position, message: string) => void;
type NodePos = (node: YamlNode | null | undefined) => Position;

/** What a frontmatter variable, a secret or a `-e` name may be: a name the shell can export. */
export const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;


/**
 * Why a variable or a secret may not have this name: Shark sets it in each
 * job's environment itself, so the job would never see the value, though
 * its key and lineage would say it had it. Undefined for any other name.
 */
export function setByShark(name: string): string | undefined {
  return name === 'SHARK_THREADS' ? `\`SHARK_THREADS\` is set by Shark in each job's environment (the slots the job holds): name the variable otherwise` : undefined;
}

/** The frontmatter keys that are settings, not variables. */
const SETTINGS: ReadonlySet<string> = new Set(['inputs', 'path', 'pools', 'secrets']);

/** Why a name is no variable, being a setting's (`path`, `inputs`); undefined for any other. */
export function settingName(name: string): string | undefined {
  return SETTINGS.has(name) ? `\`${name}\` is a frontmatter setting (\`${name}:\`), not a variable` : undefined;
}

/** Why a variable given outside the document (`-e`, a config file's `env:`) may not have this name; undefined when it may. */
export function notAVariable(name: string): string | undefined {
  return settingName(name) ?? setByShark(name);
}

/**
 * A plain string, number or boolean as the text it stands for. A number or a
 * boolean is kept as written (`1.10`, `007`, `0o17`, `.inf`, `True`): YAML's
 * reading of it (`1.1`, `7`, `15`, `Infinity`) is not what a command or a path
 * was written to see. Undefined for anything else: a null, a list, a mapping.
 */
export function plainValue(node: YamlNode | null | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const raw = node.value;
  if (typeof raw === 'string') return raw;
  if (typeof raw !== 'number' && typeof raw !== 'boolean') return undefined;
  return node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : String(raw);
}

/**
 * Why a value YAML reads is refused although it is written as one: an alias
 * (`*name`, which Shark does not follow) or a binary value (`!!binary`);
 * undefined for any other.
 */
export function unsupportedValue(node: YamlNode | null | undefined): string | undefined {
  if (isAlias(node)) return 'YAML aliases (`*name`) are not supported: write the value itself';
  if (isScalar(node) && node.value instanceof Uint8Array) return 'binary values (`!!binary`) are not supported: a variable is a plain string, number or boolean';
  return undefined;
}

/** What a variable given no value (`V:`, `V: ~`) is told, in the document and in shark.yaml alike. */
export function noValue(name: string): string {
  return `has no value: a variable is a plain string, number or boolean (\`${name}: ""\` for an empty string)`;
}

/** Whether a value node is none at all (`V:`): the error is then at its key, there being nothing else to point at. */
export function writtenEmpty(node: YamlNode | null): boolean {
  return node === null || (isScalar(node) && node.source === '');
}

/**
 * Why a variable's value cannot be exported, or undefined: an environment
 * is C strings, which end at a NUL, so Node refuses it at every job.
 */
export function unexportable(name: string, value: string, kind: 'variable' | 'secret' = 'variable'): string | undefined {
  return value.includes('\0') ? `the value of the ${kind} \`${name}\` holds a NUL byte (\\0), which no process environment can carry` : undefined;
}

/**
 * An input written as a mapping: `overrides: {path: /data/overrides.csv, optional: true}`.
 * An optional input may be left unbound; its path then does not exist for the steps.
 */
export function inputEntry(name: string, node: YAMLMap, nodePos: NodePos, fail: Fail): { path: string; at: Position; optional?: true } | undefined {
  let path: { path: string; at: Position } | undefined;
  let optional = false;
  let ok = true;
  for (const pair of node.items) {
    const keyNode = pair.key as YamlNode | null;
    const value = pair.value as YamlNode | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (key === 'path' && isScalar(value) && value.value !== null) {
      path = { path: String(value.value), at: nodePos(value) };
    } else if (key === 'path') {
      fail(nodePos(value ?? keyNode), `input \`${name}\`: \`path\` must be a /data/... path`);
      ok = false;
    } else if (key === 'optional') {
      const raw = isScalar(value) ? value.value : undefined;
      if (typeof raw !== 'boolean') {
        fail(nodePos(value ?? keyNode), `input \`${name}\`: \`optional\` is true or false`);
        ok = false;
      } else optional = raw;
    } else {
      fail(nodePos(keyNode), `input \`${name}\`: unknown key \`${key}\` (an input is a path, or {path: /data/..., optional: true})`);
      ok = false;
    }
  }
  if (path === undefined) {
    if (ok) fail(nodePos(node), `input \`${name}\` needs a \`path:\` (/data/...)`);
    return undefined;
  }
  if (!ok) return undefined;
  return optional ? { ...path, optional: true } : path;
}

/** `secrets: [DB_PASSWORD, GBIF_USERNAME]`: names of environment variables, each once. */
export function secretNames(node: YamlNode | null, nodePos: NodePos, fail: Fail): { name: string; at: Position }[] {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    fail(nodePos(node), '`secrets:` lists names of environment variables: secrets: [DB_PASSWORD, GBIF_USERNAME]');
    return [];
  }
  const names: { name: string; at: Position }[] = [];
  for (const item of node.items as (YamlNode | null)[]) {
    const at = nodePos(item ?? node);
    const name = isScalar(item) && typeof item.value === 'string' ? item.value : undefined;
    if (name === undefined || !VARIABLE.test(name)) {
      fail(at, `a secret is named by an environment variable name (letters, digits, _), not \`${isScalar(item) ? String(item.value) : '…'}\``);
    } else if (setByShark(name) !== undefined) {
      fail(at, setByShark(name)!);
    } else if (names.some((n) => n.name === name)) {
      fail(at, `the secret \`${name}\` is listed twice`);
    } else {
      names.push({ name, at });
    }
  }
  return names;
}

/** A secret that is also a variable would put its value in every cache key and lineage record. */
export function secretsAlsoVariables(secrets: readonly { name: string; at: Position }[], variables: ReadonlyMap<string, string>, fail: Fail): void {
  for (const s of secrets) {
    if (variables.has(s.name)) fail(s.at, `\`${s.name}\` is a secret and a variable: a variable's value enters the cache key and lineage; keep it only in \`secrets:\``);
  }
}
