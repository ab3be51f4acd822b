import type { Metadata, ResultRow } from '../store/metadata.js';
import { sameBytes } from '../store/output-index.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { HeldEntry } from '../store/tree-rows.js';
import { fromResultRow, type LineageRecord } from './record.js';
import { listAt } from '../multimap.js';
import { parentOf } from '../pipeline/data-path.js';

/** A result that produced some bytes: as one of its outputs, or inside an output directory. */
export interface Producer {
  readonly record: LineageRecord;
  /** Where the bytes were: the output path, or the path of the entry inside an output directory. */
  readonly path: string;
  /** The job's name in the run that made it (`step`, or `step[item]` for a map job). */
  readonly job: string;
  /** The pipeline document the run belonged to, or null when the run is no longer recorded. */
  readonly pipeline: string | null;
}

/** Directories nest: how many tree levels to climb looking for an output holding the bytes. */
const MAX_NESTING = 16;

/**
 * The results in the store that produced content `id`. The same bytes with
 * and without the executable bit are the same bytes (a file sent by mail
 * loses its mode), so `sha256:` and `sha256x:` match each other.
 */
export function producersOf(meta: Metadata, id: SnapshotId): Producer[] {
  const recorded = recordedProducersOf(meta, id);
  if (recorded.length > 0) return recorded;
  const readers = consumersOf(meta, id, Infinity);
  const made = producersOfRead(meta, readers);
  return byRunAndPath(readers.flatMap((r) => made.get(`${r.run}\0${r.path}`) ?? []));
}

/**
 * `producersOf` through the outputs of results and the trees holding them:
 * stored trees, and those gc freed, whose entries it keeps (`freed_trees`)
 * as it keeps the results naming them. Not the stored ones alone: bytes an
 * older run made in a directory gc freed, and a kept run made again, were
 * made by both.
 */
export function recordedProducersOf(meta: Metadata, id: SnapshotId): Producer[] {
  return recordedProducersOfEach(meta, [id]).get(id) ?? [];
}

/**
 * `recordedProducersOf` for many ids at once (a directory's entries): each
 * step up looks for the trees holding all of them together (`trees.holding`),
 * not with a pass over the stored trees for each.
 */
export function recordedProducersOfEach(meta: Metadata, ids: readonly SnapshotId[]): Map<SnapshotId, Producer[]> {
  const found = new Map<SnapshotId, Producer[]>();
  const seen = new Set<string>();
  // Each step up: ids to look for, each with the ids asked about it leads back to and the paths below the output to them.
  // One lookup per id: the same bytes in a thousand files of one directory are a thousand paths below one tree.
  let frontier: Frontier = new Map();
  for (const id of new Set(ids)) listAt(frontier, id).push([id, '']);
  for (let level = 0; level < MAX_NESTING && frontier.size > 0; level++) {
    const next: Frontier = new Map();
    for (const [wanted, belows] of frontier) {
      for (const row of resultsWithOutput(meta, wanted)) {
        const record = fromResultRow(row);
        for (const [path, out] of Object.entries(record.outputs)) {
          if (!sameContent(out, wanted)) continue;
          for (const [asked, below] of belows) {
            // By key and run: a result and the one it replaced share their key.
            const made = `${asked}\0${row.key}\0${row.run_id}\0${path}${below}`;
            if (seen.has(made)) continue;
            seen.add(made);
            listAt(found, asked).push({ record, path: `${path.replace(/\/$/, '')}${below}`, ...where(meta, row) });
          }
        }
      }
    }
    climb(meta, frontier, next);
    frontier = next;
  }
  return new Map([...found].map(([id, producers]) => [id, byRunAndPath(producers)]));
}

/** Ids looked for, each with the ids asked about it leads back to and the path below it to them. */
type Frontier = Map<string, [SnapshotId, string][]>;

/** One step up: the recorded trees holding the `frontier`'s ids, into `next`, with the paths below them to the ids asked about. */
function climb(meta: Metadata, frontier: Frontier, next: Frontier): void {
  // The same bytes with and without the executable bit are the same bytes.
  const held = new Map<string, HeldEntry[]>();
  for (const e of meta.trees.holding([...frontier.keys()].flatMap((id) => [...new Set(sameBytes(id))]))) listAt(held, bytesOf(e.id)).push(e);
  for (const [wanted, belows] of frontier) {
    for (const tree of held.get(bytesOf(wanted)) ?? []) {
      const paths = listAt(next, tree.tree);
      for (const [asked, below] of belows) paths.push([asked, `/${tree.name}${below}`]);
    }
  }
}

/**
 * The jobs that read each of `ids` inside a directory they read whole (a
 * reduce over a directory of host inputs): they read the file too, at its
 * path in the directory. Up to `limit` readers of each, oldest run first.
 */
export function readersInsideEach(meta: Metadata, ids: readonly SnapshotId[], limit = 5): Map<SnapshotId, Reader[]> {
  const found = new Map<SnapshotId, Reader[]>();
  let frontier: Frontier = new Map();
  for (const id of new Set(ids)) listAt(frontier, id).push([id, '']);
  for (let level = 0; level < MAX_NESTING && frontier.size > 0; level++) {
    const next: Frontier = new Map();
    climb(meta, frontier, next);
    if (next.size === 0) break;
    const readers = consumersOfEach(meta, [...next.keys()], limit);
    for (const [tree, belows] of next) {
      for (const r of readers.get(tree) ?? []) for (const [asked, below] of belows) listAt(found, asked).push({ ...r, path: `${r.path.replace(/\/$/, '')}${below}` });
    }
    frontier = next;
  }
  return new Map([...found].map(([id, readers]) => [id, [...new Map(readers.map((r) => [`${r.run}\0${r.job}\0${r.path}`, r])).values()].sort((a, b) => a.run - b.run).slice(0, limit)]));
}

/**
 * The jobs that made bytes no recorded tree holds (an entry of an imported
 * directory whose tree `gc --delete` freed before gc kept freed trees'
 * entries), found through their readers: a job that read them at a path in
 * a run read them inside the directory a job of that run wrote there.
 * Results stay after gc, so this lineage does. By `run NUL path` of each
 * reader.
 */
export function producersOfRead(meta: Metadata, readers: readonly Pick<Reader, 'path' | 'run'>[]): Map<string, Producer[]> {
  const byRun = new Map<number, Set<string>>();
  for (const r of readers) {
    let paths = byRun.get(r.run);
    if (paths === undefined) byRun.set(r.run, (paths = new Set()));
    paths.add(r.path);
  }
  const found = new Map<string, Producer[]>();
  for (const [run, paths] of byRun) {
    const dirs = new Set<string>();
    for (const p of paths) for (let dir = parentOf(p); dir.length > '/data'.length; dir = parentOf(dir)) dirs.add(dir);
    const writers = meta.outputs.writers(run, [...dirs]);
    // The nearest directory above each path that a job of the run wrote whole.
    const above = new Map<string, string>();
    for (const p of paths) {
      for (let dir = parentOf(p); dir.length > '/data'.length; dir = parentOf(dir)) {
        if (!writers.has(dir)) continue;
        above.set(p, dir);
        break;
      }
    }
    const rows = meta.history.ofRun([...new Set([...above.values()].flatMap((dir) => writers.get(dir)!.map((g) => g.key)))], run);
    for (const [p, dir] of above) {
      for (const g of writers.get(dir)!) {
        const row = rows.get(g.key);
        if (row === undefined) continue;
        const record = fromResultRow(row);
        if (!Object.entries(record.outputs).some(([o, out]) => o.replace(/\/$/, '') === dir && out.startsWith('tree:'))) continue;
        listAt(found, `${run}\0${p}`).push({ record, path: p.replace(/\/$/, ''), ...where(meta, row) });
      }
    }
  }
  return found;
}

/** Producers oldest run first, then by path, each result (a key made in a run) at a path once. */
export function byRunAndPath(producers: readonly Producer[]): Producer[] {
  const once = new Map(producers.map((p) => [`${p.record.key}\0${p.record.runId}\0${p.path}`, p]));
  return [...once.values()].sort((a, b) => a.record.runId - b.record.runId || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A job that read some content as an input. */
export interface Reader {
  readonly job: string;
  readonly path: string;
  readonly pipeline: string | null;
  readonly run: number;
}

/** Jobs whose key records read content `id` as an input (a host input, say): up to `limit` of them. */
export function consumersOf(meta: Metadata, id: SnapshotId, limit = 5): Reader[] {
  // Results replaced or dropped since read it too, in the runs that made them.
  const columns = 'key, identity, record, outputs, meta, log, started, ended, run_id';
  const rows = meta.db.prepare<[string, string], ResultRow>(`SELECT ${columns} FROM results WHERE record LIKE ?
    UNION ALL SELECT ${columns} FROM result_history WHERE record LIKE ? ORDER BY run_id`).all(`%${hexOf(id)}%`, `%${hexOf(id)}%`);
  const out: Reader[] = [];
  for (const row of rows) {
    const record = fromResultRow(row);
    for (const [path, input] of record.record.inputs) {
      if (sameContent(input, id) && out.length < limit) out.push({ ...where(meta, row), path, run: row.run_id });
    }
  }
  return out;
}

/**
 * `consumersOf` for many ids at once (the files of a directory): the
 * results' inputs read in one pass per few thousand ids, not the whole
 * table once per file. Up to `limit` readers of each, oldest run first.
 */
export function consumersOfEach(meta: Metadata, ids: readonly SnapshotId[], limit = 5): Map<SnapshotId, Reader[]> {
  // An input recorded with or without the executable bit is the same bytes.
  const asked = new Map<string, SnapshotId[]>();
  for (const id of ids) for (const v of /^sha256x?:/.test(id) ? [`sha256:${hexOf(id)}`, `sha256x:${hexOf(id)}`] : [id]) listAt(asked, v).push(id);
  const found = new Map<SnapshotId, Reader[]>();
  const select = (table: string): string => `SELECT r.*, json_extract(i.value, '$[0]') AS input_path, json_extract(i.value, '$[1]') AS input_id
    FROM ${table} r, json_each(r.record, '$.inputs') i WHERE json_extract(i.value, '$[1]')`;
  // Results replaced or dropped since read them too, in the runs that made them: as `consumersOf` finds them.
  const rows = ['results', 'result_history'].flatMap((table) => [...meta.bulk.selectIn<ResultRow & { input_path: string; input_id: string }>(select(table), [...asked.keys()])]);
  for (const row of rows.sort((a, b) => a.run_id - b.run_id)) {
    for (const id of asked.get(row.input_id) ?? []) {
      const readers = listAt(found, id);
      if (readers.length < limit) readers.push({ ...where(meta, row), path: row.input_path, run: row.run_id });
    }
  }
  return found;
}

function hexOf(id: string): string {
  return id.slice(id.lastIndexOf(':') + 1);
}

function sameContent(a: string, b: string): boolean {
  return a === b || bytesOf(a) === bytesOf(b);
}

/** What tells bytes apart: a file's hash, whatever its mode; anything else's whole id. */
function bytesOf(id: string): string {
  return /^sha256x?:/.test(id) ? hexOf(id) : id;
}

/** The results with an output of content `id`: stored ones, and those a later run of the same key replaced. */
function resultsWithOutput(meta: Metadata, id: string): ResultRow[] {
  return [...meta.resultsMany(meta.outputs.keysWithOutput(id)).values(), ...meta.history.withOutput(...sameBytes(id))];
}

/** The job's name and pipeline, from the run that made the result. */
function where(meta: Metadata, row: ResultRow): { job: string; pipeline: string | null } {
  // Prepared once (`bulk.statement`): the same bytes may be in thousands of places.
  const job = meta.runRows.maker(row.run_id, row.key);
  const run = meta.bulk.statement('SELECT pipeline, place FROM runs WHERE id = ?').get(row.run_id) as { pipeline: string; place: string | null } | undefined;
  const m = fromResultRow(row).meta;
  // Where the document is now (a project moved with its store is found by its place).
  return { job: job?.job ?? (m.items.length > 0 ? `${m.step}[${m.items.join(',')}]` : m.step), pipeline: run === undefined ? null : meta.runTable.documentAt(run) };
}
