import { listAt } from '../multimap.js';
import { parentOf } from '../pipeline/data-path.js';
import type { Metadata } from '../store/metadata.js';
import type { RunProducer } from '../store/output-index.js';
import { holdsWrites, idWithin, lacksEntry } from './directory-id.js';
import { at, readResults, type ShownResult } from './lineage-result.js';
import { PerRun } from './per-run.js';
import { damage } from '../store/damaged-database.js';

/** A job as a lineage reaches it: found among the jobs of run `in`, whose version of its result it shows. */
export interface LineageProducer extends RunProducer {
  readonly in: number;
}

/** What the lineage of one path in one run is built from, all read before any node is built. */
export interface LineageData {
  /**
   * The jobs that wrote the path (several: a map's directory); none when no
   * job of the run did, nor wrote whole a directory above it whose tree holds it.
   */
  readonly top: readonly LineageProducer[];
  /**
   * The jobs that wrote input `path` of `reader`: those of the run it was
   * found in (its writers, else its nearest directory's, else those of
   * what is inside it); for a reader whose result an earlier run made and
   * whose input bytes no job of that run wrote (a `{precious}` result kept
   * while its upstream ran again), those of the run that made the result.
   */
  producers(reader: LineageProducer, path: string): readonly LineageProducer[];
  result(job: LineageProducer): ShownResult;
}

const NONE: readonly LineageProducer[] = [];
const NO_BYTES: ReadonlyMap<string, readonly RunProducer[]> = new Map();
const jobAt = (g: LineageProducer): string => `${g.in}\0${g.job}\0${g.key}`;

/**
 * Reads the lineage of `path` in run `runId` breadth first, a level of
 * jobs at a time: the level's results in one statement, the producers of
 * all their inputs in at most three (exact paths, their directories, what
 * is below them), so the full ancestry of a reduce over 10,000 items is a
 * few statements, not tens of thousands. Below `depth` levels only whether
 * an input has producers is read. One read transaction: the outputs index
 * and the results it points at are seen at the same instant.
 *
 * A job the run found cached read what its result's run gave it. When the
 * run's own jobs wrote those bytes (the usual cache hit: that path with
 * that id, or a directory their outputs compose into the tree it read),
 * they are its producers; when they wrote other bytes (a kept `{precious}`
 * result, its upstream run again), the producers are those of the run that
 * made the result, as `lineage --run` of that run shows them. Only an input
 * whose writers differ in the two runs and that no job wrote exactly has
 * its id composed, so a cached reduce over 10,000 items composes nothing.
 */
export function readLineage(meta: Metadata, runId: number, path: string, depth: number): LineageData {
  const index = meta.outputs;
  // By run and path: the jobs that wrote exactly a path (an input, or a directory above one), each asked once a run.
  const writers = new PerRun<readonly RunProducer[]>();
  const producers = new PerRun<readonly LineageProducer[]>();
  // By `jobAt(reader) NUL path`: the producers picked for an input of a reader whose result another run made.
  const picked = new Map<string, readonly LineageProducer[]>();
  const results = new PerRun<ShownResult>();
  // The jobs of the next level: producers not seen at a level above (a job is followed once, from its highest place).
  // By run and job name: a run has one job of a name.
  const seen = new PerRun<true>();
  let next: LineageProducer[] = [];

  const follow = (list: readonly LineageProducer[]): void => {
    for (const g of list) {
      if (seen.has(g.in, g.job)) continue;
      seen.set(g.in, g.job, true);
      next.push(g);
    }
  };
  const found = (run: number) => (list: readonly RunProducer[]): LineageProducer[] =>
    list.map((g) => ({ job: g.job, block: g.block, key: g.key, line: g.line, in: run }));
  const resolve = (run: number, todo: readonly string[]): void => {
    if (todo.length === 0) return;
    const within = found(run);
    const produced = (p: string, list: readonly RunProducer[]): void => void producers.set(run, p, list.length === 0 ? NONE : within(list));
    // A path whose directory no job of the run wrote inside (a map's host inputs) has no writer of its own nor below it.
    const quiet = quietParents(run, todo);
    const exact = index.writers(run, quiet.size === 0 ? todo : todo.filter((p) => !quiet.has(parentOf(p))));
    const rest: string[] = [];
    const written: string[] = [];
    for (const p of todo) {
      const list = exact.get(p) ?? NONE;
      writers.set(run, p, list);
      if (list.length > 0) written.push(p);
      else rest.push(p);
    }
    // A directory a job wrote whole that others then wrote into (`> /data/tiles/extra.tif` beside the import of
    // /data/tiles/): its readers read the union, so its producers are all of them.
    const busy = written.length === 0 ? new Set<string>() : index.anyBelow(run, written);
    const inside = busy.size === 0 ? new Map<string, RunProducer[]>() : index.writersBelow(run, [...busy]);
    for (const p of written) {
      const list = writers.get(run, p)!;
      const more = (inside.get(p) ?? []).filter((g) => !list.some((w) => w.job === g.job));
      produced(p, more.length === 0 ? list : [...list, ...more]);
    }
    const dirs: string[] = [];
    for (const p of rest) {
      for (let dir = parentOf(p); dir.length > '/data'.length; dir = parentOf(dir)) {
        if (writers.has(run, dir)) continue;
        writers.set(run, dir, NONE);
        dirs.push(dir);
      }
    }
    if (dirs.length > 0) for (const [dir, list] of index.writers(run, dirs)) writers.set(run, dir, list);
    const below: string[] = [];
    for (const p of rest) {
      const list = nearest(run, p, writers);
      if (list !== undefined) produced(p, list);
      else if (p.length > '/data'.length && !quiet.has(parentOf(p))) below.push(p);
      else produced(p, NONE);
    }
    if (below.length === 0) return;
    const beneath = index.writersBelow(run, below);
    for (const p of below) produced(p, beneath.get(p) ?? NONE);
  };

  /** The directories of `paths` (below /data) inside which no job of run `run` wrote anything. */
  const quietParents = (run: number, paths: readonly string[]): Set<string> => {
    const parents = new Set<string>();
    for (const p of paths) {
      const dir = parentOf(p);
      if (dir.length > '/data'.length) parents.add(dir);
    }
    const busy = index.anyBelow(run, [...parents]);
    for (const dir of busy) parents.delete(dir);
    return parents;
  };

  // Runs of a subset (`-e`) that pulled in instances it left out: there, a reader of a directory may not have seen every writer in it.
  const pulled = new Map<number, boolean>();
  const pulledIn = (run: number): boolean => {
    let known = pulled.get(run);
    if (known === undefined) pulled.set(run, (known = meta.db.prepare<[number], { n: number }>("SELECT json_extract(summary, '$.needed') IS NOT NULL AS n FROM runs WHERE id = ?").get(run)?.n === 1));
    return known;
  };
  const seenIn = (p: string, id: string, list: readonly LineageProducer[]): readonly LineageProducer[] => {
    readResults(meta, list, results);
    const kept = list.filter((w) => holdsWrites(meta, p, id, resultOf(w).outputs));
    return kept.length === list.length ? list : kept;
  };

  const resultOf = (g: LineageProducer): ShownResult => {
    const r = results.get(g.in, g.key);
    // The index and the table are written in one transaction: one without the other is a damaged file.
    if (r === undefined) throw damage(`the outputs index names result ${g.key}, which is not in the store`);
    return r;
  };

  meta.db.transaction(() => {
    resolve(runId, [path]);
    producers.set(runId, path, holding(meta, path, producers.get(runId, path)!, results));
    follow(producers.get(runId, path)!);
    // Each path asked once a run, whatever the number of its readers.
    const asked = new PerRun<true>();
    asked.set(runId, path, true);
    for (let level = 0; next.length > 0; level++) {
      const jobs = next;
      next = [];
      readResults(meta, jobs, results);
      const todo = new Map<number, string[]>();
      const ask = (run: number, p: string): void => {
        if (asked.has(run, p)) return;
        asked.set(run, p, true);
        listAt(todo, run).push(p);
      };
      // Jobs whose result another run made: the inputs the run's own jobs wrote with those very bytes.
      const elsewhere = jobs.filter((g) => resultOf(g).run !== g.in);
      const exact = elsewhere.length === 0 ? NO_BYTES : wroteBytes(index, elsewhere.map((g) => [g.in, resultOf(g).inputs]));
      for (const g of jobs) {
        const r = resultOf(g);
        for (const [p, id] of r.inputs) {
          if (r.run === g.in) ask(g.in, p);
          else if (!exact.has(at(g.in, `${p}\0${id}`))) {
            ask(g.in, p);
            ask(r.run, p);
          }
        }
      }
      for (const [run, paths] of todo) resolve(run, paths);
      const pick = (g: LineageProducer, p: string, list: readonly LineageProducer[]): void => {
        picked.set(`${jobAt(g)}\0${p}`, list);
        if (level < depth) follow(list);
      };
      // Inputs whose bytes no job of the run wrote at their very path, with other writers than the making run's there.
      const unsure: [reader: LineageProducer, path: string, id: string, now: readonly LineageProducer[], then: readonly LineageProducer[]][] = [];
      for (const g of jobs) {
        const r = resultOf(g);
        for (const [p, id] of r.inputs) {
          if (r.run === g.in) {
            const list = producers.get(g.in, p)!;
            // A run of a subset that pulled instances in: a fan-in read the kept values' writes only.
            const shown = id.startsWith('tree:') && list.length > 1 && pulledIn(g.in) ? seenIn(p, id, list) : list;
            if (shown !== list) pick(g, p, shown);
            else if (level < depth) follow(list);
            continue;
          }
          const bytes = exact.get(at(g.in, `${p}\0${id}`));
          if (bytes !== undefined) pick(g, p, found(g.in)(bytes));
          else {
            const [now, then] = [producers.get(g.in, p)!, producers.get(r.run, p)!];
            if (sameJobs(now, then)) pick(g, p, now);
            else if (now.length === 0) pick(g, p, then);
            else unsure.push([g, p, id, now, then]);
          }
        }
      }
      if (unsure.length > 0) {
        // A directory (or an entry of one written whole) whose id, as the run's own jobs wrote it, is the one read:
        // they wrote those bytes. Their results are read now, in one statement, as the next level would.
        readResults(meta, unsure.flatMap(([, , , now]) => now), results);
        for (const [g, p, id, now, then] of unsure) pick(g, p, idWithin(meta, p, now.map((w) => resultOf(w).outputs)) === id ? now : then);
      }
    }
  })();
  return {
    top: producers.get(runId, path)!,
    producers: (reader, p) => (picked.size === 0 ? undefined : picked.get(`${jobAt(reader)}\0${p}`)) ?? producers.get(reader.in, p)!,
    result: resultOf,
  };
}

/**
 * Of `jobs`, the writers of `path` or of a directory above it, those whose
 * outputs hold it: a directory a job wrote whole (an import's) holds only
 * the entries of its tree, not every name below it. Their results are read
 * into `results`.
 */
export function holding(meta: Metadata, path: string, jobs: readonly LineageProducer[], results = new PerRun<ShownResult>()): readonly LineageProducer[] {
  if (jobs.length === 0) return jobs;
  readResults(meta, jobs, results);
  return jobs.filter((g) => !lacksEntry(meta, path, results.get(g.in, g.key)?.outputs ?? {}));
}

/** Which of each job's inputs (`[run it was found in, inputs]`) a job of that run wrote with the same bytes: by `at(run, path NUL id)`. */
function wroteBytes(index: Metadata['outputs'], asked: readonly [number, ShownResult['inputs']][]): Map<string, readonly RunProducer[]> {
  const pairs = new Map<number, Map<string, [string, string]>>();
  for (const [run, inputs] of asked) {
    let mine = pairs.get(run);
    if (mine === undefined) pairs.set(run, (mine = new Map()));
    for (const [p, id] of inputs) mine.set(`${p}\0${id}`, [p, id]);
  }
  const found = new Map<string, readonly RunProducer[]>();
  for (const [run, mine] of pairs) for (const [pair, list] of index.wroteBytes(run, [...mine.values()])) found.set(at(run, pair), list);
  return found;
}

/** Whether two lists of producers are the same results (a step run again under another name is the same job). */
function sameJobs(a: readonly RunProducer[], b: readonly RunProducer[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((g) => g.key));
  return b.every((g) => keys.has(g.key));
}

/** The writers of `path` itself, else of the nearest directory above it that has some. */
function nearest(run: number, path: string, writers: PerRun<readonly RunProducer[]>): readonly RunProducer[] | undefined {
  const exact = writers.get(run, path)!;
  if (exact.length > 0) return exact;
  for (let dir = parentOf(path); dir.length > '/data'.length; dir = parentOf(dir)) {
    const above = writers.get(run, dir)!;
    if (above.length > 0) return above;
  }
  return undefined;
}
