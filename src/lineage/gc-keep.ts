import { isKeyRecord, isOutputs, isStringPairs } from '../store/stored-shapes.js';
import type { KeyRecord } from '../plan/key.js';
import { idsOf } from './record.js';
import type { CurrentText } from './gc-current.js';
import type { Metadata, RunRow } from '../store/metadata.js';
import type { StepRow } from '../store/run-rows.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { parseStored } from '../store/damaged-database.js';

/** A step of the current document, as gc asks the runs about it. */
export interface KeptStep {
  readonly id: string;
  readonly blockId: string;
  /** What its results are found by whatever the block is called (`stepIdentity`): its outputs, or its command. */
  readonly identity: string;
  /** Left out of a plain run (`{manual}`, or needs one). */
  readonly manual: boolean;
  /** Axes over which it reads several values' results (`pipeline/fan-in.ts`): a run restricted on one of them did not finish it. */
  readonly fansIn: ReadonlySet<string>;
  /** Its text now as its key records hold it (`gc-current.ts`): results made with it before an edit since undone are kept too. */
  readonly text?: CurrentText;
}

/** The document gc keeps results for: its steps, and the variables a plain `run` of it gives every step. */
export interface KeptDocument {
  readonly steps: readonly KeptStep[];
  /** Frontmatter, the config file's `frontmatter:` and `env:`, sorted by name (`stepVariables`): what its jobs' keys hold. */
  readonly variables: readonly (readonly [string, string])[];
}

/**
 * Adds to `keep` what a pipeline's document may reuse, and says which runs
 * that comes from; undefined when the store has no run of it.
 *
 * - The latest finished run (ended `ok` or `failed`) and every newer one
 *   (interrupted, or still running), whole.
 * - For each step of the document, the runs back to the latest one that
 *   finished it: a run that ended `ok` and ran it with the document's
 *   variables. A run with targets (one naming some jobs of a map, such as
 *   `up[a.txt]`, did not finish that map), one
 *   restricted to some axis values (`-e AXIS=V`: each value's instances are
 *   steps of their own), a plain run (it leaves `{manual}` blocks out) and a
 *   run that failed or was cut short cover only part of the document: the
 *   rest keeps what the run that finished it made. A step that reads every
 *   value of an axis (a fan-in, and what reads it) run restricted on that
 *   axis ran on part of its inputs, under keys of its own: that run did not
 *   finish it, and its jobs are kept beside the whole sweep's, the newest
 *   such version of each only. So are the jobs of a run with other
 *   variables (`-e NAME=V`, or a frontmatter value since changed), keys a
 *   plain run does not reuse: the newest such version of each is kept, and
 *   the walk goes on to a run with the document's variables (while an older
 *   run had them; when none did, a value edited since every run, the newest
 *   run finishes the step whatever its variables). Of these runs, each job
 *   (step and item) keeps its newest good result only, so repeated failed
 *   attempts do not pile up; a job of that step no later run has (an item
 *   gone from its input) is freed.
 * - Runs are matched to steps by id, which a block loses when its heading
 *   is renamed or a block is added under the same heading (ids renumber),
 *   though its cache key does not change. While a step a plain run covers
 *   is run under its id by no run, every run is kept whole: the steps' ids
 *   may not mean what they meant then. A step no run has run under its id
 *   also keeps the newest result of each of its jobs found by identity
 *   (its outputs, or its command), as `plan` looks results up: a renamed
 *   `{manual}` block, which plain runs never run, keeps its result.
 *
 * The runs are asked step by step along their table's key (`RunRows.ofStep`),
 * and results are read in bulk, outputs and inputs only: a step the latest
 * complete run finished costs one probe, and an older run's rows are read
 * only for the steps no run finished since: a store's history is not
 * read, only the runs each step still needs.
 */
export function keepForPipeline(meta: Metadata, pipeline: string, { steps, variables }: KeptDocument, keep: Set<SnapshotId>): string | undefined {
  const runs = meta.runs(pipeline);
  if (runs.length === 0) return undefined;
  const complete = runs.findIndex((r) => r.status === 'ok' || r.status === 'failed');
  let whole = complete < 0 ? runs.length : complete + 1;
  const scope = runScopes(meta);
  const other = otherVariables(meta, runs, variables);
  const walks = steps.map((step) => ({ step, ...newestGood(meta, runs, whole, step, { scope, other }) }));
  const unseen = walks.filter((w) => !w.seen).map((w) => w.step);
  const renamed = unseen.some((s) => !s.manual);
  if (renamed) whole = runs.length;
  const parts = runs.slice(0, whole).map((r, i) => describeRun(r, keepResults(meta, meta.runRows.keys(r.id), r.id, keep), complete < 0 ? undefined : Math.sign(complete - i))).reverse();
  // By run: the blocks it keeps results of, and how many results.
  const earlier = new Map<number, { readonly blocks: Set<string>; results: number }>();
  for (const { step, found } of renamed ? [] : walks) {
    for (const [runId, keys] of found) {
      const from = earlier.get(runId) ?? { blocks: new Set<string>(), results: 0 };
      from.blocks.add(step.blockId);
      from.results += keepResults(meta, keys, runId, keep);
      earlier.set(runId, from);
    }
  }
  const older = [...earlier].sort((a, b) => a[0] - b[0])
    .map(([runId, { blocks, results }]) => `run ${runId} (${names([...blocks])}; ${results} result${results === 1 ? '' : 's'})`);
  const also = older.length === 0 ? '' : `, and for blocks run ${runs[complete]!.id} left out or did not finish: ${older.join(', ')}`;
  if (!renamed) return parts.join(', ') + also + keepByIdentity(meta, unseen, keep);
  // Said once, with the blocks that cause it, and the runs counted past a few: a line named 64 runs.
  const blocks = [...new Set(unseen.filter((s) => !s.manual).map((s) => s.blockId))];
  const listed = parts.length > 8 ? [...parts.slice(0, 3), `… ${parts.length - 6} more runs …`, ...parts.slice(-3)] : parts;
  const cause = `every run whole, since ${names(blocks)} ${blocks.length === 1 ? 'has' : 'have'} not run under ${blocks.length === 1 ? 'its' : 'their'} id yet (a block added or renamed: run the document to settle it): `;
  return cause + listed.join(', ') + keepByIdentity(meta, unseen, keep);
}

/**
 * The keys of step `step` to keep from runs older than the first `whole`
 * (those are kept whole), by run: going back from the newest run, each job's
 * first good row (ok or cached: one that failed has no result, and its last
 * good one is still the best there is), until a run that ended ok ran the
 * step. Of a run kept whole, the step's rows are read only when the walk
 * goes past it (it did not end ok), to know which jobs it already holds.
 * A run restricted on an axis the step fans in over decides its jobs'
 * subset versions only, a run with other variables their versions under
 * those, and the walk goes on to the whole sweep's with the document's.
 * `seen`: some run has rows of the step.
 */
function newestGood(
  meta: Metadata, runs: readonly RunRow[], whole: number, step: KeptStep,
  { scope, other }: { scope: (run: number) => RunScope; other: (index: number) => boolean },
): { found: Map<number, string[]>; seen: boolean } {
  // Each kind of version (subset or whole sweep, other variables or the document's) keeps its newest of each job.
  const decided = new Map<string, Set<string | null>>();
  const found = new Map<number, string[]>();
  let seen = false;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    const { axes, partial } = scope(run.id);
    const subset = step.fansIn.size > 0 && [...axes].some((axis) => step.fansIn.has(axis));
    // A map the targets named some jobs of ran those only: its other items' results are an older run's, under the same keys.
    const finished = run.status === 'ok' && !subset && !other(i) && !partial.has(step.id);
    if (i < whole && finished) {
      if (meta.runRows.hasStep(run.id, step.id)) return { found, seen: true };
      continue;
    }
    const rows: StepRow[] = meta.runRows.ofStep(run.id, step.id);
    if (rows.length === 0) continue;
    seen = true;
    const keys: string[] = [];
    const kind = `${subset} ${other(i)}`;
    const mine = decided.get(kind) ?? new Set<string | null>();
    decided.set(kind, mine);
    for (const [item, key, status] of rows) {
      if ((status !== 'ok' && status !== 'cached') || mine.has(item)) continue;
      mine.add(item);
      if (i >= whole) keys.push(key);
    }
    if (keys.length > 0) found.set(run.id, keys);
    if (finished) break;
  }
  return { found, seen };
}

/** What a run covered of the steps it ran, as its summary recorded it (`leftOutSummary` in `plan/selection.ts`). */
interface RunScope {
  /** The axes it was restricted on (`-e AXIS=V`). */
  readonly axes: ReadonlySet<string>;
  /** The map steps of which it ran only the jobs its targets named (`up[a.txt]`). */
  readonly partial: ReadonlySet<string>;
}

/** Each run's scope, read once; nothing restricted for runs recorded before their summaries said so. */
function runScopes(meta: Metadata): (run: number) => RunScope {
  const read = meta.db.prepare<[number], { axes: string | null; partial: string | null }>(
    "SELECT json_extract(summary, '$.axes') AS axes, json_extract(summary, '$.partial') AS partial FROM runs WHERE id = ?",
  );
  const memo = new Map<number, RunScope>();
  return (run) => {
    let scope = memo.get(run);
    if (scope === undefined) {
      const row = read.get(run);
      const axes = row?.axes ?? null;
      const partial = row?.partial ?? null;
      scope = {
        axes: new Set(axes === null ? [] : Object.keys(JSON.parse(axes) as Record<string, unknown>)),
        partial: new Set(partial === null ? [] : (JSON.parse(partial) as string[])),
      };
      memo.set(run, scope);
    }
    return scope;
  };
}

/**
 * Whether the run at each index had other variables than `variables` (a
 * plain run's) while an older run had those: its jobs are under keys a
 * plain run does not reuse. A run with none (imports only) counts as having
 * the document's. Each run is asked only when a walk reaches it (or looks
 * past it for an older one with the document's).
 */
function otherVariables(meta: Metadata, runs: readonly RunRow[], variables: KeptDocument['variables']): (index: number) => boolean {
  const wanted = JSON.stringify(variables);
  const isPlain = (i: number): boolean => {
    const v = meta.runVariables.of(runs[i]!.id);
    return v === null || v === wanted;
  };
  // Whether a run older than the one at an index had them: found once for every index a look passes.
  const olderPlain = new Map<number, boolean>();
  const hasOlderPlain = (i: number): boolean => {
    const passed: number[] = [];
    let found = false;
    for (let j = i + 1; j < runs.length; j++) {
      const known = olderPlain.get(j - 1);
      if (known !== undefined) {
        found = known;
        break;
      }
      passed.push(j - 1);
      found = isPlain(j);
      if (found) break;
    }
    for (const k of passed) olderPlain.set(k, found);
    return found;
  };
  return (i) => !isPlain(i) && hasOlderPlain(i);
}

/**
 * For steps no run has run under their id: the newest result of each job
 * with the step's identity (a map's jobs' identities are it, a NUL and their
 * items: one range of the index), as `plan` finds a result whatever the
 * block is called. Says which blocks kept how many.
 */
function keepByIdentity(meta: Metadata, steps: readonly KeptStep[], keep: Set<SnapshotId>): string {
  const said: string[] = [];
  const newest = meta.bulk.statement(`SELECT key, outputs, json_extract(record, '$.inputs'), max(ended) FROM results
    WHERE identity = @id OR (identity >= @id || char(0) AND identity < @id || char(1)) GROUP BY identity`, true);
  for (const step of steps) {
    const rows = newest.all({ id: step.identity }) as [string, string, string | null][];
    for (const [, outputs, inputs] of rows) addIds(keep, outputs, inputs);
    if (rows.length > 0) said.push(`${step.blockId} (${rows.length} result${rows.length === 1 ? '' : 's'})`);
  }
  return said.length === 0 ? '' : `, and by their outputs or command for blocks no run has run under their id: ${said.join(', ')}`;
}

/**
 * `than`: where the run stands to the latest finished run (1 newer, 0 it,
 * -1 older: every run is kept whole while a block was renamed), or
 * undefined when no run is complete, there being nothing to be newer than.
 */
function describeRun(run: RunRow, results: number, than: number | undefined): string {
  const relation = than === undefined ? '' : than > 0 ? ', newer' : ', older';
  // One that failed ended all the same: complete, and said to have failed (a failed run was called the latest complete one, and no more).
  const what = than === 0 ? `latest finished run${run.status === 'ok' ? '' : `, ${run.status}`}` : run.status === 'running' ? 'still running' : `${run.status}${relation}`;
  return `run ${run.id} (${what}, ${results} result${results === 1 ? '' : 's'})`;
}

/**
 * Adds the outputs and inputs of the results of `keys` to `keep` (an input
 * freed now would be copied in again); returns how many of `keys` have one.
 * Only those two parts of each result are read, in bulk: a million-item
 * map's results are most of the table, read once in its order. A key whose
 * result was replaced since (result-history.ts) also keeps the version run
 * `runId` made or reused: only those keys are asked of the history.
 */
function keepResults(meta: Metadata, keys: readonly string[], runId: number, keep: Set<SnapshotId>): number {
  let results = 0;
  const columns = ['key', 'outputs', "json_extract(record, '$.inputs')"];
  for (const [, outputs, inputs] of meta.bulk.rowsWhere<[string, string, string | null]>('results', columns, ['rowid'], keys)) {
    results++;
    addIds(keep, outputs, inputs);
  }
  const replaced = meta.history.replacedAmong(keys);
  if (replaced.length > 0) {
    for (const row of meta.history.ofRun(replaced, runId).values()) {
      if (row.fate === 'replaced') for (const id of idsOf({ outputs: parseStored<Record<string, SnapshotId>>(row.outputs, "a result's outputs"), record: parseStored<KeyRecord>(row.record, 'a result', isKeyRecord) })) keep.add(id);
    }
  }
  return results;
}

function addIds(keep: Set<SnapshotId>, outputs: string, inputs: string | null): void {
  for (const id of Object.values(parseStored<Record<string, SnapshotId>>(outputs, "a result's outputs", isOutputs))) keep.add(id);
  if (inputs !== null) for (const [, id] of parseStored<[string, SnapshotId][]>(inputs, "a result's inputs", isStringPairs)) keep.add(id);
}

/** Block ids for a one-line report: a sweep's hundreds of instances are counted, not listed. */
function names(blocks: readonly string[]): string {
  const shown = blocks.length > 6 ? blocks.slice(0, 5) : blocks;
  return shown.join(', ') + (shown.length < blocks.length ? ` and ${blocks.length - shown.length} more` : '');
}
