import { printable, printableLines } from '../printable.js';
import { stepLabel } from './document.js';
import { aliveOutputs, contributing, type Entry } from './history.js';
import type { Outcome } from './session.js';

export const HELP = `Each line runs as a command in the current environment, in a working view of /data.
A command that changes /data is a step (committed under the key \`shark run\` would compute);
one that changes nothing is an inspection; a failing one changes nothing.

  :save FILE.md        write the pipeline: the steps that still contribute to /data
  :save! FILE.md       the same over an existing file this session did not save (or that changed since)
  :history             what was typed: inspections, steps, failures
  :undo                revert the last step (its outputs leave /data)
  :dag                 the steps so far, what each reads and writes
  :import SOURCE DEST [md5:…|sha256:…] [extract]
                       bring data in as a shark-import line would
  :env [NAME]          switch environment (host, or a shark-build of FILE); alone: list them
  :help                this text
  :quit                leave (Ctrl-D too); with steps not saved, asked twice
  # Heading            a heading in the saved document (## for a subheading)
  #note                a paragraph in the saved document
`;

/** One line after each command: what Shark made of it. */
export function describeOutcome(o: Outcome): string {
  if (o.kind === 'inspection') return '[inspection: /data unchanged]';
  // A file name a command made may hold an escape sequence: shown, never sent to the terminal.
  if (o.kind === 'failed') return printable(`[failed: ${o.why}]`);
  const s = o.step;
  const parts = [];
  if (s.outputs.size > 0) parts.push(`wrote ${[...s.outputs.keys()].join(', ')}`);
  if (s.inputs.length > 0) parts.push(`read ${s.inputs.join(', ')}`);
  if (s.deletes.length > 0) parts.push(`deleted ${s.deletes.join(', ')}`);
  // What the saved document says of the step in a comment above it.
  parts.push(...s.notes);
  return printable(`[${stepLabel(s)}: ${parts.join('; ')}]`);
}

export function renderHistory(history: readonly Entry[]): string {
  const lines = history.map((e, i) => {
    const n = String(i + 1).padStart(3);
    const env = (x: { env: string | undefined }): string => (x.env === undefined ? '' : ` [${x.env}]`);
    switch (e.kind) {
      case 'comment': return `${n}  comment     ${e.text}`;
      case 'inspection': return `${n}  inspection  ${e.typed}${env(e)}`;
      case 'failed': return `${n}  failed      ${e.typed}${env(e)}  (${e.why})`;
      case 'step': return `${n}  ${e.undone ? 'undone   ' : 'step'.padEnd(9)}   ${e.typed}${env(e)}  (step ${e.n})`;
    }
  });
  return lines.length === 0 ? '(nothing yet)\n' : printableLines(lines.join('\n')) + '\n';
}

export function renderDag(history: readonly Entry[]): string {
  const keep = new Set(contributing(history).map((s) => s.n));
  const out: string[] = [];
  for (const e of history) {
    if (e.kind !== 'step' || e.undone) continue;
    const status = keep.has(e.n) ? '' : '  (dead end: not in the saved document)';
    out.push(`${stepLabel(e)}: ${e.typed}${status}`);
    if (e.readsFrom.length > 0) out.push(`  after   ${e.readsFrom.map((n) => `step ${n}`).join(', ')}`);
    if (e.inputs.length > 0) out.push(`  reads   ${e.inputs.join(' ')}`);
    const alive = aliveOutputs(history, e);
    if (e.outputs.size > 0) out.push(`  writes  ${[...e.outputs.keys()].map((p) => (alive.includes(p) ? p : `${p} (gone)`)).join(' ')}`);
    if (e.deletes.length > 0) out.push(`  deletes ${e.deletes.join(' ')}`);
  }
  return out.length === 0 ? '(no steps yet)\n' : printableLines(out.join('\n')) + '\n';
}
