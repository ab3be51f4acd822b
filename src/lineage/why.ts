import { realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LocalLinks } from '../imports/local-links.js';
import { contentId, type LinkFollower } from '../store/content-id.js';
import { hashFileSync } from '../store/hash.js';
import { unreadableAt } from '../store/unreadable.js';
import { readProblem } from '../read-problem.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { byRunAndPath, consumersOf, consumersOfEach, producersOf, producersOfRead, readersInsideEach, recordedProducersOfEach, type Producer, type Reader } from './find-content.js';
import { lineageInRun, type LineageNode } from './lineage.js';
import { runSubset, subsetArgs } from './runs.js';
import { renderLineage } from './lineage-text.js';
import { listAt } from '../multimap.js';
import { printable, shownFromHere, shownName } from '../printable.js';
import { appendAll } from '../fold.js';
import { someOf } from '../counted.js';

/** One job that produced the bytes of a file. */
export interface Making {
  readonly job: string;
  readonly block: string;
  readonly step: string;
  readonly location: string;
  readonly run: number;
  readonly pipeline: string | null;
  readonly started: string;
  readonly command: string;
  /** The environment's content id: `host:OS/ARCH`, `docker:sha256:…`, or `import`. */
  readonly environment: string;
  readonly key: string;
  /** The /data path the bytes had (an entry of an output directory, perhaps). */
  readonly path: string;
  /** Its lineage in that run, or null when the run's job list is gone. */
  readonly lineage: LineageNode | null;
  /** For a directory no job wrote whole: the entry (relative to it) these bytes are. */
  readonly entry?: string;
  /** The values of each axis the run kept, when it ran a subset of the sweep (`-e YEAR=2020`): a fan-in made of those alone. */
  readonly subset?: Record<string, string[]>;
}

export interface WhyAnswer {
  /** The path as given. */
  readonly path: string;
  readonly id: SnapshotId;
  /** Every job that made these bytes, oldest first: empty when Shark never produced them. */
  readonly produced: readonly Making[];
  /**
   * When Shark did not make them: jobs that read them (a host input), so the
   * answer is not a bare "no"; for a directory no job wrote whole, also the
   * readers of each file of it no job made (`entry`).
   */
  readonly readBy: readonly (Reader & { readonly entry?: string })[];
  /**
   * For a directory no job wrote whole (answered entry by entry): its files
   * (relative to it) no job produced, empty when every one was. Absent for
   * a file or a directory a job wrote whole, where it does not apply.
   */
  readonly notProduced?: readonly string[];
}

/** The entries of a subdirectory (relative to the directory asked about), read again from disk. */
export type EntriesOf = (relative: string) => readonly TreeEntry[] | undefined;

export type HashOutcome =
  | { ok: true; id: SnapshotId; entries?: readonly TreeEntry[] }
  | { ok: false; reason: 'missing' | 'unreadable'; message: string };

/** A subdirectory's entries hashed again (undefined if it cannot be read now): a directory no job wrote whole is looked into. */
export function subdirectoryOnDisk(path: string, relative: string): readonly TreeEntry[] | undefined {
  const hashed = hashOnDisk(join(path, relative));
  return hashed.ok ? hashed.entries : undefined;
}

/**
 * The content id the store would give a file or directory on disk (without
 * storing it or touching the stat cache). `follow`: a symbolic link at
 * `path` is its target's content (links inside a directory stay links).
 */
export function hashOnDisk(path: string, follow = false, links?: LinkFollower): HashOutcome {
  let root = path;
  try {
    if (follow) root = realpathSync(path);
    const { id, entries } = contentId(root, (p) => hashFileSync(p), links);
    return { ok: true, id, ...(entries !== undefined ? { entries } : {}) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // An empty argument (a variable that expanded to nothing) names no file: said so, not as `: no such file`.
    if (code === 'ENOENT') return { ok: false, reason: 'missing', message: path === '' ? 'the path is empty: name a file or directory on disk' : `${path}: no such file or directory` };
    // Said as an unreadable input is (`… which cannot be read: permission denied`), naming what inside a directory could not be.
    const at = unreadableAt(e, root);
    const inside = at === undefined || at.path === root ? undefined : join(path, relative(root, at.path));
    const why = readProblem(e);
    return { ok: false, reason: 'unreadable', message: inside === undefined ? `${path} cannot be read: ${why}` : `${path} holds ${inside}, which cannot be read: ${why}` };
  }
}

/**
 * What a path named on the command line is asked about: a symbolic link is
 * followed, as sha256sum and git do, unless a job made the link itself (a
 * published link output is a link in `_shark/`), or it leads nowhere. A
 * directory no job made is taken as a local import takes it, when that is
 * an import's.
 */
export function namedContent(meta: Metadata, path: string, hashed: { id: SnapshotId; entries?: readonly TreeEntry[] }): { id: SnapshotId; entries?: readonly TreeEntry[] } {
  if (hashed.id.startsWith('tree:') && producersOf(meta, hashed.id).length === 0) {
    // A local import follows the links leading out of its directory (`local-links.ts`): hashed as it hashes it, the directory may be its source.
    const imported = hashOnDisk(path, false, LocalLinks.of(path));
    return imported.ok && producersOf(meta, imported.id).length > 0 ? imported : hashed;
  }
  if (!hashed.id.startsWith('link:') || producersOf(meta, hashed.id).length > 0) return hashed;
  const target = hashOnDisk(path, true);
  return target.ok ? target : hashed;
}

/**
 * Who made content `id`: each producing job with where, when, how, and its
 * lineage (to `depth` levels). A directory no single job wrote whole (a
 * map's output, a published copy of it, files gathered from several places)
 * is answered entry by entry, a subdirectory no job wrote whole by its own
 * entries (`entriesOf`), naming the files no job produced.
 */
export function whyContent(meta: Metadata, path: string, id: SnapshotId, depth = Infinity, entries: readonly TreeEntry[] = [], entriesOf: EntriesOf = () => undefined): WhyAnswer {
  const whole = producersOf(meta, id);
  const byEntry = whole.length === 0 && entries.length > 0;
  const parts = byEntry ? producersByEntry(meta, entries, '', entriesOf) : { found: whole.map((p): Found => ({ p })), unknown: [] };
  const unknown: readonly Unknown[] = parts.unknown;
  const produced = parts.found.map(({ p, entry }): Making => {
    const { record: r } = p;
    const subset = runSubset(meta, r.runId);
    return {
      // The document named from here, as it is now: not as the run was started (`proj/p.md` from its parent).
      job: p.job, block: r.meta.block, step: r.meta.step, location: `${p.pipeline === null ? r.meta.file : shownFromHere(p.pipeline)}:${r.meta.line}:${r.meta.col}`,
      run: r.runId, pipeline: p.pipeline, started: new Date(r.started).toISOString(), command: r.meta.command,
      environment: r.record.env, key: r.key, path: p.path,
      lineage: lineageInRun(meta, r.runId, p.path, depth) ?? null,
      ...(entry !== undefined ? { entry } : {}),
      ...(subset !== undefined ? { subset } : {}),
    };
  });
  const readBy = whole.length > 0 ? [] : [...withReadersInside(meta, [id], new Map([[id, consumersOf(meta, id)]])).get(id) ?? [], ...readersOfEntries(meta, unknown)];
  return { path, id, produced, readBy, ...(byEntry ? { notProduced: unknown.map((u) => u.entry) } : {}) };
}

/** The readers of each file no job made, as the entry of the directory it is. */
function readersOfEntries(meta: Metadata, unknown: readonly Unknown[]): (Reader & { entry: string })[] {
  if (unknown.length === 0) return [];
  const ids = unknown.map((u) => u.id);
  const readers = withReadersInside(meta, ids, consumersOfEach(meta, ids));
  return unknown.flatMap((u) => (readers.get(u.id) ?? []).map((r) => ({ ...r, entry: u.entry })));
}

/**
 * The readers of each content, with the jobs that read a directory holding
 * it whole (a reduce over a directory of host inputs): they read the file
 * too. At most five of each.
 */
function withReadersInside(meta: Metadata, ids: readonly SnapshotId[], direct: ReadonlyMap<SnapshotId, readonly Reader[]>): Map<SnapshotId, Reader[]> {
  const inside = readersInsideEach(meta, ids);
  return new Map(ids.map((id) => [id, [...(direct.get(id) ?? []), ...(inside.get(id) ?? [])].slice(0, 5)]));
}

/** An entry of the directory asked about (named from it) that no job produced, and its content. */
interface Unknown { readonly entry: string; readonly id: SnapshotId }

/** A producer, and the entry of the directory asked about whose bytes it made (when it did not make the directory whole). */
export interface Found { readonly p: Producer; readonly entry?: string }

/** The producers of each entry (named `below` + its name), and the entries with none: a subdirectory with none, by its own entries. */
export function producersByEntry(meta: Metadata, entries: readonly TreeEntry[], below: string, entriesOf: EntriesOf): { found: Found[]; unknown: Unknown[] } {
  const found: Found[] = [];
  const unknown: Unknown[] = [];
  const each = recordedProducersOfEach(meta, entries.map((e) => e.id));
  const stored = entries.map((e) => each.get(e.id) ?? []);
  // Bytes no output or recorded tree holds: their readers say who made them (`producersOfRead`), all asked at once.
  const lost = entries.filter((_, i) => stored[i]!.length === 0).map((e) => e.id);
  const readers = lost.length === 0 ? new Map<SnapshotId, Reader[]>() : consumersOfEach(meta, lost, Infinity);
  const made = producersOfRead(meta, [...readers.values()].flat());
  for (const [i, e] of entries.entries()) {
    const entry = `${below}${e.name}`;
    const makers = stored[i]!.length > 0 ? stored[i]! : byRunAndPath((readers.get(e.id) ?? []).flatMap((r) => made.get(`${r.run}\0${r.path}`) ?? []));
    const inner = makers.length === 0 && e.id.startsWith('tree:') ? entriesOf(entry) : undefined;
    if (inner !== undefined && inner.length > 0) {
      const deeper = producersByEntry(meta, inner, `${entry}/`, entriesOf);
      appendAll(found, deeper.found);
      appendAll(unknown, deeper.unknown);
    } else if (makers.length === 0) unknown.push({ entry, id: e.id });
    else {
      // Items of a map that made equal bytes: each entry by the job that wrote it under its name, when one did.
      const own = makers.filter((p) => p.path.endsWith(`/${e.name}`));
      appendAll(found, (own.length > 0 ? own : makers).map((p) => ({ p, entry })));
    }
  }
  return { found, unknown };
}

export function renderWhy(answers: readonly WhyAnswer[], show: { file: (p: string) => string; describe: (id: string) => string; depth?: number; store: string }): string {
  const out: string[] = [];
  for (const a of answers) {
    out.push(`${shownName(a.path)}  ${printable(a.id)}`);
    const readBy = (r: WhyAnswer['readBy'][number], indent: string): string =>
      `${indent}read by ${r.job} (as ${shownName(r.path)}) in run ${r.run}${r.pipeline === null ? '' : ` of ${show.file(r.pipeline)}`}`;
    const notProduced = a.notProduced ?? [];
    if (a.produced.length === 0 && notProduced.length === 0) {
      out.push(`  not produced by Shark: no job in the store ${show.store} wrote these bytes`);
      for (const r of a.readBy) out.push(readBy(r, '  '));
      out.push('');
      continue;
    }
    // A directory no job wrote whole: read whole as an input, then entry by entry.
    const ofEntry = new Map<string | undefined, WhyAnswer['readBy'][number][]>();
    for (const r of a.readBy) listAt(ofEntry, r.entry).push(r);
    for (const r of ofEntry.get(undefined) ?? []) out.push(readBy(r, '  '));
    for (const { m, paths, lineage } of byPlace(a.produced, (l) => renderLineage(l, show.describe, show.depth))) {
      const as = paths.length === 1 ? `as ${shownName(m.path)}` : `at ${paths.length} places (${someOf(paths.map(shownName), 3)})`;
      out.push(`  ${m.entry !== undefined ? `${shownName(m.entry)}: ` : ''}made by ${m.job} ${as}, run ${m.run}${m.pipeline === null ? '' : ` of ${show.file(m.pipeline)}`}, ${m.started}`);
      // Said as a fact: whether the result read every value (a fan-in) only its document says (`lineage` does).
      if (m.subset !== undefined) out.push(`    run ${m.run} ran a subset of the sweep (${subsetArgs(m.subset)})`);
      out.push(`    block ${m.block} at ${m.location}`);
      out.push(`    $ ${m.command.split('\n').join('\n      ')}`);
      out.push(`    environment ${m.environment}`);
      if (lineage !== undefined) {
        out.push('    lineage:');
        // One line at a time: the ancestry of a total over a map can be more lines than a call takes arguments.
        for (const l of lineage.trimEnd().split('\n')) out.push(`      ${l}`);
      }
    }
    for (const u of notProduced) {
      out.push(`  ${shownName(u)}: not produced by Shark: no job in the store ${show.store} wrote these bytes`);
      for (const r of ofEntry.get(u) ?? []) out.push(readBy(r, '    '));
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * The makings that differ only in the path the bytes were at, one each with
 * every such path: a job that wrote the same bytes at many places (empty
 * files in a directory of thousands) is told once, not once per place.
 */
function byPlace(produced: readonly Making[], render: (l: LineageNode) => string): { m: Making; paths: string[]; lineage?: string }[] {
  const groups = new Map<string, { m: Making; paths: string[]; lineage?: string }>();
  for (const m of produced) {
    const lineage = m.lineage === null ? undefined : render(m.lineage);
    const same = JSON.stringify([m.entry ?? null, m.job, m.run, m.pipeline, m.key, lineage ?? null]);
    const group = groups.get(same);
    if (group !== undefined) group.paths.push(m.path);
    else groups.set(same, { m, paths: [m.path], ...(lineage !== undefined ? { lineage } : {}) });
  }
  return [...groups.values()];
}
