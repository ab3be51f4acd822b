import type { Metadata } from '../store/metadata.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { parseStored } from '../store/damaged-database.js';
import { isOutputs, isStringPairs } from '../store/stored-shapes.js';

/** What a step's key record holds of its text as the document has it now: a result made with it is one `plan` may reuse. */
export interface CurrentText {
  readonly command: string;
  readonly prelude: readonly string[];
  readonly cwd: string | null;
  readonly variables: readonly (readonly [string, string])[];
}

/** A step as gc asks the results about its text now: its identity (`stepIdentity`) and block. */
export interface StepText {
  readonly identity: string;
  readonly blockId: string;
  readonly text?: CurrentText;
}

/**
 * Keeps, for each step whose newest result was made with another text than
 * the document has now (an edit undone, a branch checked out again), the
 * newest result of each of its jobs made with the text it has now: `plan`
 * finds those cached, and gc kept only the runs' latest results, freeing
 * what the document as it is would reuse. A step whose newest result has its
 * text now costs one probe. Returns what is said of it in gc's `keeping` line.
 */
export function keepCurrentText(meta: Metadata, steps: readonly StepText[], keep: Set<SnapshotId>): string {
  const blocks = new Set<string>();
  let results = 0;
  // What results kept so made: a step below that read them, its text unchanged, is reused by `plan` with them too.
  const made = new Set<SnapshotId>();
  // A step below reads a map's outputs as the directory they make (a reduce's `/data/up/`): a tree holding one of them.
  const holding = new Map<SnapshotId, boolean>();
  const readsMade = (id: SnapshotId): boolean => {
    if (made.has(id)) return true;
    if (!id.startsWith('tree:')) return false;
    let held = holding.get(id);
    if (held === undefined) {
      holding.set(id, false);
      const entries = meta.trees.get(id);
      held = entries !== undefined && (JSON.parse(entries) as { id: SnapshotId }[]).some((e) => readsMade(e.id));
      holding.set(id, held);
    }
    return held;
  };
  for (const step of steps) {
    const text = step.text;
    if (text === undefined) continue;
    const end = `${step.identity}\u0001`;
    const newest = meta.bulk.statement(`SELECT json_extract(record, '$.command') AS command, json_extract(record, '$.prelude') AS prelude,
      json_extract(record, '$.cwd') AS cwd, json_extract(record, '$.variables') AS variables FROM results
      WHERE identity = (SELECT identity FROM results WHERE identity >= ? AND identity < ? LIMIT 1) ORDER BY ended DESC LIMIT 1`)
      .get(step.identity, end) as { command: string; prelude: string; cwd: string | null; variables: string } | undefined;
    const edited = newest !== undefined && !same(newest, text);
    if (!edited && made.size === 0) continue;
    const rows = meta.bulk.statement(`SELECT identity, outputs, json_extract(record, '$.inputs') AS inputs FROM results
      WHERE identity >= ? AND identity < ? AND json_extract(record, '$.command') = ? AND json_extract(record, '$.prelude') = ?
      AND coalesce(json_extract(record, '$.cwd'), '') = ? AND json_extract(record, '$.variables') = ? ORDER BY identity, ended DESC`)
      .all(step.identity, end, text.command, JSON.stringify(text.prelude), text.cwd ?? '', JSON.stringify(text.variables)) as { identity: string; outputs: string; inputs: string | null }[];
    for (const group of byIdentity(rows)) {
      const read = group.map((row) => ({ row, inputs: row.inputs === null ? [] : parseStored<[string, SnapshotId][]>(row.inputs, "a result's inputs", isStringPairs).map(([, id]) => id) }));
      // The job's result plan reuses is the one made from its inputs now: one that read what an edited step above kept,
      // else one whose inputs the runs kept; its text unchanged, only the first. Else, edited, its newest with this text.
      const pick = read.find((r) => r.inputs.some(readsMade)) ?? (edited ? read.find((r) => r.inputs.every((id) => keep.has(id))) ?? read[0] : undefined);
      if (pick === undefined) continue;
      const { row, inputs } = pick;
      const outputs = Object.values(parseStored<Record<string, SnapshotId>>(row.outputs, "a result's outputs", isOutputs));
      // What it made is what the steps below read, whether or not another run kept it already.
      for (const id of outputs) made.add(id);
      if ([...outputs, ...inputs].every((id) => keep.has(id))) continue;
      for (const id of [...outputs, ...inputs]) keep.add(id);
      results++;
      blocks.add(step.blockId);
    }
  }
  if (results === 0) return '';
  return `, and the results the document as it is now would reuse, made before its last edit (${[...blocks].join(', ')}; ${results} result${results === 1 ? '' : 's'})`;
}

function same(newest: { command: string; prelude: string; cwd: string | null; variables: string }, text: CurrentText): boolean {
  return newest.command === text.command && newest.prelude === JSON.stringify(text.prelude) && (newest.cwd ?? null) === text.cwd
    && newest.variables === JSON.stringify(text.variables);
}

/** Rows ordered by identity, as groups of one identity (each newest first). */
function byIdentity<T extends { identity: string }>(rows: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0]!.identity === row.identity) last.push(row);
    else groups.push([row]);
  }
  return groups;
}
