import type { KeyRecord } from '../plan/key.js';
import { parentOf } from '../pipeline/data-path.js';
import type { Metadata } from '../store/metadata.js';
import type { RunProducer } from '../store/output-index.js';
import type { SnapshotId } from '../store/snapshot-store.js';

/** A result as its lineage node shows it: some fields of its key record and meta, not the whole of them. */
export interface ShownResult {
  readonly kind: KeyRecord['kind'];
  readonly env: string;
  /** An import's pinned source; null for a run. */
  readonly pin: NonNullable<KeyRecord['pin']> | null;
  readonly network: KeyRecord['network'];
  readonly inputs: KeyRecord['inputs'];
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
}

type Parsed = [
  [kind: ShownResult['kind'], env: string, pin: ShownResult['pin'], network: ShownResult['network'], inputs: ShownResult['inputs']],
  [file: string, line: number, col: number, command: string, host: string, version: string],
  Record<string, SnapshotId>,
];

/** What the lineage of one path in one run is built from, all read before any node is built. */
export interface LineageData {
  /** The jobs that wrote the path (several: a map's directory); none when no job of the run did. */
  readonly top: readonly RunProducer[];
  /** The jobs of the run that produced `path`: its writers, else its nearest directory's, else those of what is inside it. */
  producers(path: string): readonly RunProducer[];
  result(key: string): ShownResult;
}

const NONE: readonly RunProducer[] = [];

/**
 * Reads the lineage of `path` in run `runId` breadth first, a level of
 * jobs at a time: the level's results in one statement, the producers of
 * all their inputs in at most three (exact paths, their directories, what
 * is below them), so the full ancestry of a reduce over 10,000 items is a
 * few statements, not tens of thousands. Below `depth` levels only whether
 * an input has producers is read. One read transaction: the outputs index
 * and the results it points at are seen at the same instant.
 */
export function readLineage(meta: Metadata, runId: number, path: string, depth: number): LineageData {
  const index = meta.outputs;
  // The jobs that wrote exactly a path (an input, or a directory above one), each path asked once.
  const writers = new Map<string, readonly RunProducer[]>();
  const producers = new Map<string, readonly RunProducer[]>();
  const results = new Map<string, ShownResult>();
  // The jobs of the next level: producers not seen at a level above (a job is followed once, from its highest place).
  const seen = new Set<string>();
  let next: RunProducer[] = [];

  const produced = (p: string, list: readonly RunProducer[], follow: boolean): void => {
    producers.set(p, list);
    if (!follow) return;
    for (const g of list) {
      if (seen.has(g.job)) continue;
      seen.add(g.job);
      next.push(g);
    }
  };
  const resolve = (todo: readonly string[], follow: boolean): void => {
    if (todo.length === 0) return;
    // A path whose directory no job of the run wrote inside (a map's host inputs) has no writer of its own nor below it.
    const quiet = quietParents(todo);
    const exact = index.writers(runId, quiet.size === 0 ? todo : todo.filter((p) => !quiet.has(parentOf(p))));
    const rest: string[] = [];
    for (const p of todo) {
      const found = exact.get(p) ?? NONE;
      writers.set(p, found);
      if (found.length > 0) produced(p, found, follow);
      else rest.push(p);
    }
    const dirs: string[] = [];
    for (const p of rest) {
      for (let dir = parentOf(p); dir.length > '/data'.length; dir = parentOf(dir)) {
        if (writers.has(dir)) continue;
        writers.set(dir, NONE);
        dirs.push(dir);
      }
    }
    if (dirs.length > 0) for (const [dir, found] of index.writers(runId, dirs)) writers.set(dir, found);
    const below: string[] = [];
    for (const p of rest) {
      const found = nearest(p, writers);
      if (found !== undefined) produced(p, found, follow);
      else if (p.length > '/data'.length && !quiet.has(parentOf(p))) below.push(p);
      else produced(p, NONE, follow);
    }
    if (below.length === 0) return;
    const inside = index.writersBelow(runId, below);
    for (const p of below) produced(p, inside.get(p) ?? NONE, follow);
  };

  /** The directories of `paths` (below /data) inside which no job of the run wrote anything. */
  const quietParents = (paths: readonly string[]): Set<string> => {
    const parents = new Set<string>();
    for (const p of paths) {
      const dir = parentOf(p);
      if (dir.length > '/data'.length) parents.add(dir);
    }
    const busy = index.anyBelow(runId, [...parents]);
    for (const dir of busy) parents.delete(dir);
    return parents;
  };

  meta.db.transaction(() => {
    resolve([path], true);
    const asked = new Set<string>([path]);
    for (let level = 0; next.length > 0; level++) {
      const wanted = new Set<string>();
      for (const f of next) if (!results.has(f.key)) wanted.add(f.key);
      const keys = [...wanted];
      next = [];
      // The inputs of this level's jobs, each path asked once whatever the number of its readers.
      const todo: string[] = [];
      // Each result as this run made or reused it, not as a later run of the same key replaced it.
      for (const [at, json, started, ended, run, fate] of keys.length === 0 ? [] : index.shown(keys, runId)) {
        const [[kind, env, pin, network, inputs], [file, line, col, command, host, version], outputs] = JSON.parse(json) as Parsed;
        results.set(keys[at]!, { kind, env, pin, network, inputs, file, line, col, command, host, version, outputs, started, ended, run, dropped: fate === 'dropped' });
        for (const input of inputs) {
          if (asked.has(input[0])) continue;
          asked.add(input[0]);
          todo.push(input[0]);
        }
      }
      resolve(todo, level < depth);
    }
  })();
  return {
    top: producers.get(path)!,
    producers: (p) => producers.get(p)!,
    result: (key) => {
      const found = results.get(key);
      if (found === undefined) throw new Error(`the outputs index names result ${key}, which is not in the store`);
      return found;
    },
  };
}

/** The writers of `path` itself, else of the nearest directory above it that has some. */
function nearest(path: string, writers: ReadonlyMap<string, readonly RunProducer[]>): readonly RunProducer[] | undefined {
  const exact = writers.get(path)!;
  if (exact.length > 0) return exact;
  for (let dir = parentOf(path); dir.length > '/data'.length; dir = parentOf(dir)) {
    const above = writers.get(dir)!;
    if (above.length > 0) return above;
  }
  return undefined;
}
