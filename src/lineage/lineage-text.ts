import { printable, shownName } from '../printable.js';
import type { LineageNode } from './lineage.js';
import type { MadeBy } from './lineage-result.js';
import { isUnder } from '../pipeline/data-path.js';
import { descend } from '../plan/trees.js';
import type { EntriesOf } from './why.js';

/** What a lineage says of a job whose result `fsck --repair` dropped. */
export const DROPPED = 'result dropped by `shark fsck --repair`: its stored data was missing or damaged';

/** A lineage as `shark lineage` prints it: a job, its outputs and what ran it, each input below with the jobs that wrote it, indented. */
export function renderLineage(node: LineageNode, describe: (id: string) => string, depth = Infinity): string {
  const lines: string[] = [];
  // A job several others read (an import under each of 10,000 items, a step of a diamond) is shown whole once.
  const shown = new Set<LineageNode>();
  // `reader`: the job that read what `n` made, shown above it.
  const walk = (n: LineageNode, indent: string, reader?: LineageNode): void => {
    if (n.kind === 'group') {
      lines.push(`${indent}${shownName(n.job)}  (${printable(n.command)})`);
      if (n.unfinished !== undefined) lines.push(`${indent}  note: ${printable(n.unfinished)}`);
      const inner = indent + '  ';
      for (const from of n.inputs[0]?.from ?? []) walk(from, inner, reader);
      return;
    }
    const at = indent + '  ';
    const place = `${n.job}  (${n.location}, ${n.kind === 'import' ? 'import' : n.environment})`;
    if (shown.has(n)) {
      lines.push(`${indent}${place}  (shown above)`);
      return;
    }
    shown.add(n);
    lines.push(`${indent}${place}`);
    if (n.unfinished !== undefined) lines.push(`${at}note: ${printable(n.unfinished)}`);
    lines.push(`${at}$ ${n.command.includes('\n') ? n.command.split('\n').join(`\n${indent}    `) : n.command}`);
    for (const l of settingLines(n)) lines.push(`${at}${l}`);
    for (const [p, id] of Object.entries(n.outputs)) lines.push(`${at}→ ${shownName(p)}  ${printable(describe(id))}`);
    // The run's producer of bytes a cached reader read: made again after that reader ran (`--force`, a new file in an
    // import's directory), the same bytes: said, since its time reads as an impossible order.
    const again = reader !== undefined && n.started > reader.started ? `; made again after ${reader.job} read the same bytes` : '';
    lines.push(`${at}ran ${n.started} on ${n.host}, shark ${n.version}${again}`);
    if (n.madeBy !== undefined) lines.push(`${at}${madeByLine(n, n.madeBy)}`);
    if (n.dropped) lines.push(`${at}${DROPPED}`);
    for (const l of usesLines(n)) lines.push(`${at}${l}`);
    const inner = indent + '    ';
    for (const i of n.inputs) {
      const note = i.truncated ? `  (not followed: --depth ${depth})` : i.input ? '  (input)' : i.empty ? '  (empty: no job wrote into it)' : '';
      lines.push(`${at}← ${shownName(i.path)}  ${printable(describe(i.id))}${note}`);
      for (const from of i.from) walk(from, inner, n);
    }
  };
  walk(node, '');
  return lines.join('\n') + '\n';
}

/** What a job ran with beside its command: its values (`with`), a host network, an import's source. Also the page's. */
export function settingLines(n: LineageNode): string[] {
  const lines: string[] = [];
  if (n.variables !== undefined) lines.push(`with ${Object.entries(n.variables).map(([k, v]) => `${shownName(k)}=${shownValue(v)}`).join(' ')}`);
  if (n.network === 'host') lines.push('network: host (impure)');
  if (n.source !== undefined) lines.push(`source: ${Object.entries(n.source).map(([k, v]) => `${shownName(k)}=${shownName(String(v))}`).join(' ')}`);
  return lines;
}

/** Of a result a run of another document made (a step both share): that run and the job as it named it. */
export function madeByLine(n: LineageNode, madeBy: MadeBy): string {
  return `made by run ${n.run}, as ${madeBy.job} at ${madeBy.location}`;
}

/** Beside the inputs, what else the key holds that a user edits: the local files (scripts) a job uses. */
export function usesLines(n: LineageNode): string[] {
  return (n.files ?? []).map((f) => `uses ${shownName(f.path)}  ${printable(f.id)}${f.deps ? '  ({deps})' : ''}`);
}

/** A variable's value on the `with` line: as it is, or JSON-quoted when spaces, quotes or control characters would make the line ambiguous. */
function shownValue(value: string): string {
  return value === '' || /[\s"'\\]/.test(value) ? printable(JSON.stringify(value)) : shownName(value);
}

/**
 * The line said above the lineage of a file inside a directory its job
 * wrote whole (an import's): the file's own id, which the job's outputs do
 * not show (`/data/in/a.txt  sha256:…  (inside /data/in, which in wrote
 * whole)`); empty for a path among the outputs, or one not found.
 */
export function insideLine(node: LineageNode, path: string, entriesOf: EntriesOf): string {
  if (node.kind === 'group' || path in node.outputs) return '';
  const dir = Object.keys(node.outputs).find((o) => isUnder(path, o.replace(/\/$/, '')));
  if (dir === undefined) return '';
  const base = dir.replace(/\/$/, '');
  const id = descend(node.outputs[dir]!, path.slice(base.length + 1), entriesOf);
  return id === undefined ? '' : `${shownName(path)}  ${id}  (inside ${shownName(base)}, which ${node.job} wrote whole)\n`;
}
