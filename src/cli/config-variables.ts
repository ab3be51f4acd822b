import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { LINE_BREAK } from '../diagnostics.js';
import type { Document } from '../markdown/document.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { REPEATED, wantedValues } from '../pipeline/axes.js';
import type { ConfigUse } from './apply-config.js';

export type Origin = 'default' | 'document' | 'config' | 'command line' | 'environment';

/** One effective setting: `at` is `file:line` (document, config), the flag (command line) or `$VAR` (environment). */
export interface Setting {
  readonly name: string;
  readonly value: string | number | boolean | readonly string[] | null;
  readonly from: Origin;
  readonly at?: string;
}

export const configAt = (use: ConfigUse, line: number): { from: Origin; at: string } => ({ from: 'config', at: `${use.config.file}:${line}` });

/**
 * Frontmatter keys and `-e` variables as a run sees them, each with the layer
 * that gave its value: the document, then the config file's `frontmatter:`,
 * then `-e` (the config file's `env:`, then the command line's). On an axis,
 * `-e` keeps some of its values.
 */
export function variableSettings(pipeline: Pipeline, use: ConfigUse | undefined, envFlags: readonly string[]): Setting[] {
  const doc = pipeline.document;
  const lines = keyLines(doc);
  const out = new Map<string, Setting>();
  const given = use?.config.frontmatter ?? new Map();
  for (const [name, value] of doc.frontmatter?.variables ?? []) {
    if (!given.has(name)) out.set(name, { name, value, from: 'document', at: `${doc.file}:${lines.get(name) ?? doc.frontmatter!.at.line}` });
  }
  for (const [name, axis] of doc.frontmatter?.axes ?? []) {
    if (!given.has(name)) out.set(name, { name, value: axis.values.map((v) => v.value), from: 'document', at: `${doc.file}:${axis.at.line}` });
  }
  for (const [name, { value, at }] of given) out.set(name, { name, value, ...configAt(use!, at.line) });

  const env = use?.config.options.get('env');
  const layers: { name: string; value: string; origin: Pick<Setting, 'from' | 'at'> }[] = [];
  if (env?.shape === 'pairs' && use !== undefined) for (const p of env.pairs) layers.push({ name: p.name, value: p.value, origin: configAt(use, p.at.line) });
  // With a config file, the option's value holds the config's pairs too: the command line's are those it kept aside.
  const fromCommandLine = use !== undefined ? use.commandLine.get('env') : envFlags;
  for (const v of Array.isArray(fromCommandLine) ? (fromCommandLine as unknown[]) : []) {
    const eq = typeof v === 'string' ? v.indexOf('=') : -1;
    if (eq > 0) layers.push({ name: (v as string).slice(0, eq), value: (v as string).slice(eq + 1), origin: { from: 'command line', at: '-e' } });
  }
  const commandLine = new Map<string, string>();
  for (const { name, value, origin } of layers) {
    const axis = doc.frontmatter?.axes.get(name);
    const all = axis?.values.map((v) => v.value);
    // As restrictAxes reads `-e AXIS=…`: the command line's repeated -e add up.
    const given = origin.from === 'command line' && commandLine.has(name) ? `${commandLine.get(name)!}${REPEATED}${value}` : value;
    if (origin.from === 'command line') commandLine.set(name, given);
    const kept = all === undefined ? value : all.filter((v) => wantedValues(all, given).includes(v));
    out.set(name, { name, value: kept, ...origin });
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The document line of each top-level frontmatter key (the parsed frontmatter keeps values, not their places). */
function keyLines(doc: Document): Map<string, number> {
  const out = new Map<string, number>();
  const fm = doc.frontmatter;
  if (fm === undefined) return out;
  const all = doc.source.split(LINE_BREAK);
  const end = all.findIndex((l, i) => i >= fm.firstLine - 1 && /^(---|\.\.\.)\s*$/.test(l));
  const text = all.slice(fm.firstLine - 1, end < 0 ? undefined : end).join('\n');
  const counter = new LineCounter();
  const root = parseDocument(text, { lineCounter: counter }).contents;
  if (!isMap(root)) return out;
  for (const pair of root.items) {
    const key = pair.key as YamlNode | null;
    if (isScalar(key) && key.range) out.set(String(key.value), fm.firstLine - 1 + counter.linePos(key.range[0]).line);
  }
  return out;
}
