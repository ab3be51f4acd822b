import { isShownResult } from '../store/stored-shapes.js';
import { shownFromHere } from '../printable.js';
import type { KeyRecord } from '../plan/key.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { LineageProducer } from './lineage-read.js';
import type { PerRun } from './per-run.js';
import { parseStored } from '../store/damaged-database.js';

/** A result as its lineage node shows it: some fields of its key record and meta, not the whole of them. */
export interface ShownResult {
  readonly kind: KeyRecord['kind'];
  readonly env: string;
  /** An import's pinned source; null for a run. */
  readonly pin: NonNullable<KeyRecord['pin']> | null;
  readonly network: KeyRecord['network'];
  readonly inputs: KeyRecord['inputs'];
  /** Frontmatter, config file and `-e` values (none for an import; none known in a row an older Shark wrote since). */
  readonly variables: KeyRecord['variables'];
  /**
   * The local files its command names and its `{deps}` files, with their content ids (none known in an
   * older row). Not its host programs: the same few in every host job, they would double what 10,000 items read.
   */
  readonly files: KeyRecord['files'];
  readonly deps: KeyRecord['files'];
  /**
   * The document and line of the job's block as the run that names the job
   * had them (a cached job's block may have moved since its result was made,
   * or its result been made by another document's run, which `madeBy` names).
   */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly command: string;
  readonly host: string;
  readonly version: string;
  readonly outputs: Readonly<Record<string, SnapshotId>>;
  readonly started: number;
  readonly ended: number;
  /** The run that made the result: the one whose lineage is read, or an earlier one for a job it found cached. */
  readonly run: number;
  /** `fsck --repair` dropped the result since: its stored data was missing or damaged. */
  readonly dropped: boolean;
  /** For a result made by a run of another document: the job as that run named it, and where its block was. */
  readonly madeBy?: MadeBy;
}

/** The job that made a result, as the run that made it named and placed it. */
export interface MadeBy {
  readonly job: string;
  readonly block: string;
  readonly location: string;
}

type Parsed = [
  [kind: ShownResult['kind'], env: string, pin: ShownResult['pin'], network: ShownResult['network'], inputs: ShownResult['inputs'],
    variables?: ShownResult['variables'], files?: ShownResult['files'] | null, deps?: ShownResult['deps'] | null],
  [file: string, line: number, col: number, command: string, host: string, version: string],
  Record<string, SnapshotId>,
];

const NONE: ShownResult['variables'] = [];

/** A path or a key as one run sees it. */
export const at = (run: number, what: string): string => `${run}\0${what}`;

/**
 * Reads the results of a level's jobs, each as the run it was found in made
 * or reused it, into `results` (by run and key). A job is placed where
 * the run that names it had its block; a result made by another document's
 * run also says which job of that run made it, and where (`madeBy`).
 */
export function readResults(meta: Metadata, jobs: readonly LineageProducer[], results: PerRun<ShownResult>): void {
  const byRun = new Map<number, Map<string, number>>();
  for (const g of jobs) {
    if (results.has(g.in, g.key)) continue;
    let lines = byRun.get(g.in);
    if (lines === undefined) byRun.set(g.in, (lines = new Map()));
    lines.set(g.key, g.line);
  }
  const documents = new Map<number, Document>();
  const documentOf = (run: number): Document => {
    let d = documents.get(run);
    if (d === undefined) {
      d = (meta.bulk.statement('SELECT pipeline, place FROM runs WHERE id = ?').get(run) as Document | undefined) ?? { pipeline: '', place: null };
      documents.set(run, d);
    }
    return d;
  };
  // The same document: by its path, or its place when it moved with its store (as `runs` finds a document's runs).
  const same = (a: Document, b: Document): boolean => a.pipeline === b.pipeline || (a.place !== null && a.place === b.place);
  // Named from the current directory, as the document is now: not as the run was started (`proj/p.md` from its parent).
  const shown = (d: Document): string => shownFromHere(meta.runTable.documentAt(d));
  for (const [run, lines] of byRun) {
    const keys = [...lines.keys()];
    const mine = documentOf(run);
    const file = shown(mine);
    // Each result as this run made or reused it, not as a later run of the same key replaced it.
    for (const [i, json, started, ended, made, fate] of meta.outputs.shown(keys, run)) {
      const [[kind, env, pin, network, inputs, variables = NONE, f, d], [, recordedLine, col, command, host, version], outputs] = parseStored<Parsed>(json, 'a result', isShownResult);
      const key = keys[i]!;
      const dropped = fate === 'dropped';
      // Null for a record without them (an import has no `deps`), absent in an older row.
      const files = f ?? NONE;
      const deps = d ?? NONE;
      // Each object written whole, with the same fields in the same order: 10,000 of them are read at a time.
      if (made === run) {
        results.set(run, key, { kind, env, pin, network, inputs, variables, files, deps, file, line: recordedLine, col, command, host, version, outputs, started, ended, run: made, dropped });
        continue;
      }
      const line = lines.get(key)!;
      const theirs = documentOf(made);
      if (same(mine, theirs)) {
        results.set(run, key, { kind, env, pin, network, inputs, variables, files, deps, file, line, col, command, host, version, outputs, started, ended, run: made, dropped });
        continue;
      }
      // Another document's run made it: this run's document (its path from the store's directory), that run's job apart.
      // The column stays the recorded one, as for a moved block: a run keeps only the lines of its blocks.
      const maker = meta.runRows.maker(made, key);
      const madeBy = { job: maker?.job ?? '', block: maker?.block ?? '', location: `${shown(theirs)}:${recordedLine}:${col}` };
      results.set(run, key, { kind, env, pin, network, inputs, variables, files, deps, file, line, col, command, host, version, outputs, started, ended, run: made, dropped, madeBy });
    }
  }
}

/** The document of a run: its path, and its place (that path from the directory holding the store; null in older rows). */
interface Document {
  readonly pipeline: string;
  readonly place: string | null;
}
