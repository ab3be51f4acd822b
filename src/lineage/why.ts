import { contentId } from '../store/content-id.js';
import { hashFileSync } from '../store/hash.js';
import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { consumersOf, producersOf } from './find-content.js';
import { lineageInRun, renderLineage, type LineageNode } from './lineage.js';

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
}

export interface WhyAnswer {
  /** The path as given. */
  readonly path: string;
  readonly id: SnapshotId;
  /** Every job that made these bytes, oldest first: empty when Shark never produced them. */
  readonly produced: readonly Making[];
  /** When Shark did not make them: jobs that read them (a host input), so the answer is not a bare "no". */
  readonly readBy: readonly { readonly job: string; readonly path: string; readonly pipeline: string | null; readonly run: number }[];
}

export type HashOutcome =
  | { ok: true; id: SnapshotId; entries?: readonly TreeEntry[] }
  | { ok: false; reason: 'missing' | 'unreadable'; message: string };

/** The content id the store would give a file or directory on disk (without storing it or touching the stat cache). */
export function hashOnDisk(path: string): HashOutcome {
  try {
    const { id, entries } = contentId(path, (p) => hashFileSync(p));
    return { ok: true, id, ...(entries !== undefined ? { entries } : {}) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { ok: false, reason: 'missing', message: `${path}: no such file or directory` }
      : { ok: false, reason: 'unreadable', message: `${path}: cannot read: ${(e as Error).message}` };
  }
}

/**
 * Who made content `id`: each producing job with where, when, how, and its
 * lineage (to `depth` levels). A directory no single job wrote whole (a
 * map's output, a published copy of it) is answered by the makers of its
 * entries.
 */
export function whyContent(meta: Metadata, path: string, id: SnapshotId, depth = Infinity, entries: readonly TreeEntry[] = []): WhyAnswer {
  let found = producersOf(meta, id);
  if (found.length === 0) found = entries.flatMap((e) => producersOf(meta, e.id));
  const produced = found.map((p): Making => {
    const { record: r } = p;
    return {
      job: p.job, block: r.meta.block, step: r.meta.step, location: `${r.meta.file}:${r.meta.line}:${r.meta.col}`,
      run: r.runId, pipeline: p.pipeline, started: new Date(r.started).toISOString(), command: r.meta.command,
      environment: r.record.env, key: r.key, path: p.path,
      lineage: lineageInRun(meta, r.runId, p.path, depth) ?? null,
    };
  });
  return { path, id, produced, readBy: produced.length > 0 ? [] : consumersOf(meta, id) };
}

export function renderWhy(answers: readonly WhyAnswer[], show: { file: (p: string) => string; describe: (id: string) => string; depth?: number; store: string }): string {
  const out: string[] = [];
  for (const a of answers) {
    out.push(`${a.path}  ${a.id}`);
    if (a.produced.length === 0) {
      out.push(`  not produced by Shark: no job in the store ${show.store} wrote these bytes`);
      for (const r of a.readBy) out.push(`  read by ${r.job} (as ${r.path}) in run ${r.run}${r.pipeline === null ? '' : ` of ${show.file(r.pipeline)}`}`);
      out.push('');
      continue;
    }
    for (const m of a.produced) {
      out.push(`  made by ${m.job} as ${m.path}, run ${m.run}${m.pipeline === null ? '' : ` of ${show.file(m.pipeline)}`}, ${m.started}`);
      out.push(`    block ${m.block} at ${m.location}`);
      out.push(`    $ ${m.command.split('\n').join('\n      ')}`);
      out.push(`    environment ${m.environment}`);
      if (m.lineage !== null) {
        out.push('    lineage:');
        // One line at a time: the ancestry of a total over a map can be more lines than a call takes arguments.
        for (const l of renderLineage(m.lineage, show.describe, show.depth).trimEnd().split('\n')) out.push(`      ${l}`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}
