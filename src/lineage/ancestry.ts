import type { Metadata } from '../store/metadata.js';
import { maxOf } from '../fold.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import type { AncestryStep } from './diff.js';
import type { Producer } from './find-content.js';
import { idWithin } from './directory-id.js';
import { lineageInRun, type LineageNode } from './lineage.js';
import { fromResultRow } from './record.js';
import { noRunsMessage } from './runs.js';
import { producersByEntry, type EntriesOf, type Found } from './why.js';

/** Everything that made one result: its jobs, the host inputs they read, and the result's content. */
export interface Ancestry {
  readonly run: number;
  readonly path: string;
  /** The content of `path` in that run: its id (for a directory several jobs wrote, the tree they made together). */
  readonly id: string;
  readonly steps: readonly AncestryStep[];
  /** The host inputs read, each with every content of it read (a `{precious}` map's kept items were made from an older one). */
  readonly hostInputs: ReadonlyMap<string, ReadonlySet<string>>;
  /** The run did not finish the steps that write the directory `path` (`LineageNode.unfinished`). */
  readonly unfinished?: string;
}

/**
 * The ancestry of `path` in run `runId`. A job's outputs are what its
 * readers in this ancestry recorded reading, where they say: a store made
 * before replaced results were kept (result-history.ts) holds only the
 * result re-computed later under the same key, but the readers of the
 * first bytes hashed them into their own keys.
 */
export function ancestryInRun(meta: Metadata, runId: number, path: string): Ancestry | undefined {
  const top = lineageInRun(meta, runId, path);
  if (top === undefined) return undefined;
  // By job and key: a job can be in one ancestry in several versions (a `{precious}` map's kept items were
  // made from an older version of the step upstream, its new items from the current one).
  const jobs = new Map<string, LineageNode>();
  const hostInputs = new Map<string, Set<string>>();
  const walk = (n: LineageNode): void => {
    if (n.kind !== 'group') {
      if (jobs.has(versionOf(n))) return;
      jobs.set(versionOf(n), n);
    }
    for (const input of n.inputs) {
      if (n.kind !== 'group' && input.from.length === 0 && input.truncated !== true) readAs(hostInputs, input.path, input.id);
      for (const from of input.from) walk(from);
    }
  };
  walk(top);
  // The whole records, which the nodes show only some of, as this run made or reused them.
  const rows = meta.history.ofRun([...new Set([...jobs.values()].map((n) => n.key))], runId);
  const steps = new Map<string, { step: AncestryStep; outputs: Record<string, string> }>();
  for (const [version, n] of jobs) {
    const row = rows.get(n.key);
    if (row === undefined) continue;
    const r = fromResultRow(row);
    const outputs = { ...r.outputs };
    // The line the node shows: its block's in the run asked about, as its name is (lineage-result.ts).
    const line = Number(/:(\d+):\d+$/.exec(n.location)?.[1] ?? r.meta.line);
    steps.set(version, { step: { job: n.job, block: n.block, location: n.location, line, key: n.key, identity: r.identity, record: r.record, outputs, ...(n.dropped === true ? { dropped: true as const } : {}) }, outputs });
  }
  // What readers saw, second pass: every producer is known by now.
  const seenBy = (n: LineageNode): void => {
    for (const input of n.inputs) {
      for (const from of input.from) {
        const entry = steps.get(versionOf(from));
        // Not for a directory several jobs wrote into: what the reader saw is their union, none's output.
        if (n.kind !== 'group' && input.from.length === 1 && entry !== undefined && input.path in entry.outputs) entry.outputs[input.path] = input.id;
        seenBy(from);
      }
    }
  };
  seenBy(top);
  // A file inside a directory the job wrote whole: its own id, as the directory's tree holds it.
  const id = top.kind === 'group' ? top.inputs[0]?.id ?? '' : top.outputs[path] ?? idWithin(meta, path, [top.outputs]) ?? JSON.stringify(top.outputs);
  return { run: runId, path, id, steps: [...steps.values()].map((s) => s.step), hostInputs, ...(top.unfinished !== undefined ? { unfinished: top.unfinished } : {}) };
}

function readAs(hostInputs: Map<string, Set<string>>, path: string, id: string): void {
  const ids = hostInputs.get(path) ?? new Set<string>();
  hostInputs.set(path, ids.add(id));
}

/** A job in one version: the same job under another key is another step of an ancestry. */
function versionOf(n: { readonly job: string; readonly key: string }): string {
  return `${n.job}\0${n.key}`;
}

/** The ancestry of content `id` as `made` (one of the jobs that made it, `producersOf`) made it. */
export function ancestryOfMaking(meta: Metadata, made: Producer, id: SnapshotId): Ancestry | undefined {
  const found = ancestryInRun(meta, made.record.runId, made.path);
  return found === undefined ? undefined : { ...found, id };
}

/** The runs `ancestryOfEntries` asks for a directory of exactly the entries given, newest first, before it pieces one together. */
const RUNS_TRIED = 16;

/**
 * The ancestry of a directory no job wrote whole (a map's output), found
 * as `why` finds it, by the jobs that made its `entries` (a subdirectory's
 * by `entriesOf`). Its entries were written together at one place: the
 * directory most of them were made in, in one document. An entry made
 * there is taken from there, though the same bytes were made since
 * elsewhere (an import bringing in what an old item wrote); each by the
 * latest job that made it there. When one of the runs that made any of them
 * held the directory with exactly these bytes (the newest such, of the last
 * `RUNS_TRIED`), its ancestry is the directory's in that run, as `diff FILE
 * /data/DIR` compares it; otherwise (files gathered
 * from several runs or places) the ancestries of each entry's making, as
 * one, aligned by job: a job version (or host input) in several, once.
 */
export function ancestryOfEntries(meta: Metadata, id: SnapshotId, entries: readonly TreeEntry[], entriesOf: EntriesOf): Ancestry | undefined {
  const found = producersByEntry(meta, entries, '', entriesOf).found;
  const place = placeOfMost(found);
  const rank = (f: Found): number => (placeOf(f) === place ? 2 : placeOf(f) !== undefined ? 1 : 0);
  const latest = new Map<string, Found>();
  // Oldest first: of the makings ranked alike, the last is the latest.
  for (const f of found) {
    const held = latest.get(f.entry ?? '');
    if (held === undefined || rank(f) >= rank(held)) latest.set(f.entry ?? '', f);
  }
  const first = [...latest.values()][0];
  if (first === undefined) return undefined;
  // The directory's path: the place's, else an entry's without the entry.
  const path = place?.slice(place.indexOf('\0') + 1) ?? first.p.path.slice(0, first.p.path.length - (first.entry ?? '').length).replace(/\/$/, '');
  // The run whose directory there held exactly these entries, the newest of those that made any of them: an entry
  // a later run made again (the same bytes) is not that run's, and pairing it with the rest mixed two runs.
  const runs = [...new Set(found.map((f) => f.p.record.runId))].sort((a, b) => b - a).slice(0, RUNS_TRIED);
  for (const run of runs) {
    const whole = ancestryInRun(meta, run, path);
    if (whole !== undefined && whole.id === id) return whole;
  }
  const parts = [...latest.values()].flatMap(({ p }) => ancestryInRun(meta, p.record.runId, p.path) ?? []);
  if (parts.length === 0) return undefined;
  const steps = new Map<string, AncestryStep>();
  const hostInputs = new Map<string, Set<string>>();
  for (const part of parts) {
    for (const step of part.steps) if (!steps.has(versionOf(step))) steps.set(versionOf(step), step);
    for (const [at, ids] of part.hostInputs) for (const input of ids) readAs(hostInputs, at, input);
  }
  return { run: maxOf(parts, (a) => a.run), path, id, steps: [...steps.values()], hostInputs };
}

/** Where a making wrote the entry under its own name: its directory and document; undefined for the same bytes written under another. */
function placeOf(f: Found): string | undefined {
  const entry = `/${f.entry ?? ''}`;
  return f.p.path.endsWith(entry) ? `${f.p.pipeline ?? ''}\0${f.p.path.slice(0, -entry.length)}` : undefined;
}

/** The place most entries were made at (under their own names), the first of those made as many. */
function placeOfMost(found: readonly Found[]): string | undefined {
  const entriesAt = new Map<string, Set<string>>();
  for (const f of found) {
    const at = placeOf(f);
    if (at === undefined) continue;
    let set = entriesAt.get(at);
    if (set === undefined) entriesAt.set(at, (set = new Set()));
    set.add(f.entry ?? '');
  }
  let most: [string, number] | undefined;
  for (const [at, set] of entriesAt) if (most === undefined || set.size > most[1]) most = [at, set.size];
  return most?.[0];
}

/**
 * The runs to compare for `path`: `to` (default the latest), and `from`
 * (default the latest run before `to` in which `path` had other content).
 * `same` when every earlier run that made `path` made the same content.
 */
export function pickRuns(
  meta: Metadata,
  pipelinePath: string,
  path: string,
  wanted: { readonly from?: number; readonly to?: number },
): { ok: true; old: Ancestry; now: Ancestry } | { ok: false; reason: 'unknown-run' | 'not-produced' | 'same'; message: string; now?: Ancestry } {
  const runs = meta.runs(pipelinePath).map((r) => r.id);
  // Never run here (or moved without its store): said as lineage says it, naming the documents the store has runs of.
  if (runs.length === 0) return { ok: false, reason: 'not-produced', message: noRunsMessage(meta, pipelinePath, 'this pipeline') };
  for (const n of [wanted.from, wanted.to]) {
    if (n !== undefined && !runs.includes(n)) return { ok: false, reason: 'unknown-run', message: `run ${n} is not a run of this pipeline (its runs: ${[...runs].reverse().join(', ') || 'none'})` };
  }
  const toRun = wanted.to ?? runs.find((r) => ancestryInRun(meta, r, path) !== undefined);
  const now = toRun === undefined ? undefined : ancestryInRun(meta, toRun, path);
  if (now === undefined) return { ok: false, reason: 'not-produced', message: `no ${toRun === undefined ? 'run' : `job of run ${toRun}`} produced ${path}` };
  if (wanted.from !== undefined) {
    const old = ancestryInRun(meta, wanted.from, path);
    return old === undefined ? { ok: false, reason: 'not-produced', message: `no job of run ${wanted.from} produced ${path}` } : { ok: true, old, now };
  }
  for (const r of runs.filter((r) => r < now.run)) {
    const old = ancestryInRun(meta, r, path);
    if (old !== undefined && old.id !== now.id) return { ok: true, old, now };
  }
  return { ok: false, reason: 'same', message: `${path} has had the same content in every run up to run ${now.run} (${now.id})`, now };
}
