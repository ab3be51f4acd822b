import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { Position } from '../diagnostics.js';
import { plainValue, unsupportedValue } from '../markdown/frontmatter-entries.js';
import { isPositiveCount } from '../counted.js';
import type { Span } from './config-file.js';

/**
 * What the readers of one config value need: the file's directory, which a
 * relative path is resolved against, where a node is written, and `fail`,
 * which makes a value that is not what its key takes a diagnostic located at
 * it (the command line's option would be an error of its own).
 */
export interface Check {
  readonly dir: string;
  readonly nodePos: (node: YamlNode | null | undefined) => Position;
  readonly fail: (at: Position, message: string) => void;
}

/** `{span}` of a value node, as written (quotes included), when it has one. */
export function spanOf(node: YamlNode | null): { span?: Span } {
  return node?.range ? { span: [node.range[0], node.range[1]] } : {};
}

/** Why the value of `key` is no plain value: none at all (`~`), an alias or binary value, or another kind (a mapping). */
export function notAValue(key: string, node: YamlNode | null, none: string, other: string): string {
  const unsupported = unsupportedValue(node);
  if (unsupported !== undefined) return `\`${key}\`: ${unsupported}`;
  return `\`${key}\` ${node === null || (isScalar(node) && node.value === null) ? none : other}`;
}

/** A plain value as written (`1.0` stays `1.0`), `''` for an empty one; undefined for anything else. */
export function scalarText(node: YamlNode | null): string | undefined {
  return node === null || (isScalar(node) && node.value === null) ? '' : plainValue(node);
}

/** A path, resolved against the config file's directory; a store's `zfs:` name is kept as written. */
export function readPath(key: string, node: YamlNode | null, check: Check, store: boolean): string | undefined {
  const raw = isScalar(node) ? node.value : undefined;
  if (typeof raw !== 'string') {
    check.fail(check.nodePos(node), `\`${key}\` must be a path (a string)`);
    return undefined;
  }
  if (raw === '') {
    // A string all the same: said as `--store ''` and `-i occ=` are, not as a value of the wrong kind.
    const what = store ? 'a directory or zfs:POOL/DATASET, or leave the key out for the default' : key === 'secrets' ? 'a file' : 'a file or directory';
    check.fail(check.nodePos(node), `\`${key}\` is empty: name ${what}`);
    return undefined;
  }
  if (store && raw.trim() === '') {
    // As `--store '  '` is (empty-arguments.ts): it would make a directory named by spaces.
    check.fail(check.nodePos(node), `\`${key}\` is blank: name a directory or zfs:POOL/DATASET, or leave the key out for the default`);
    return undefined;
  }
  if (store && raw.startsWith('zfs:')) return raw;
  // No variable is expanded (a YAML value is no shell word): `$HOME/st` made a directory named `$HOME` beside the file.
  if (raw.includes('$')) {
    check.fail(check.nodePos(node), `\`${key}\` is taken as written: Shark expands no \`$\` in it, and would name a directory \`${raw.slice(0, raw.indexOf('/') < 0 ? undefined : raw.indexOf('/'))}\`; write the path itself (\`~/\` is the home directory)`);
    return undefined;
  }
  // `~/` as a shell would read it: config files name files in one's home directory.
  return raw === '~' || raw.startsWith('~/') ? join(homedir(), raw.slice(1)) : resolve(check.dir, raw);
}

/** A positive whole number, as the text its option would be given. */
export function readCount(key: string, node: YamlNode | null, check: Check): string | undefined {
  const raw = isScalar(node) ? node.value : undefined;
  // Written in digits, as its option takes it: YAML also reads `0x10`, `1e1` and `1.0` as numbers, which `-j` refuses.
  if (typeof raw === 'number' && isPositiveCount(raw) && /^\+?\d+$/.test(scalarText(node) ?? '')) return String(raw);
  const shown = isScalar(node) ? `, not \`${scalarText(node) ?? String(raw)}\`` : '';
  check.fail(check.nodePos(node), `\`${key}\` must be a positive whole number${shown}`);
  return undefined;
}

/** One name or a list of them, each with its place (a name the document knows nothing of is an error located there). */
export function readNames(key: string, node: YamlNode | null, check: Check): { values: string[]; valuesAt: Position[] } | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return { values: [node.value], valuesAt: [check.nodePos(node)] };
  const items = isSeq(node) ? (node.items as (YamlNode | null)[]) : undefined;
  if (items !== undefined && items.length > 0 && items.every((i) => isScalar(i) && typeof i.value === 'string' && i.value !== '')) {
    return { values: items.map((i) => String((i as { value: unknown }).value)), valuesAt: items.map((i) => check.nodePos(i)) };
  }
  check.fail(check.nodePos(node), `\`${key}\` must be a string or a list of them`);
  return undefined;
}
