import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { KeyRecord } from '../plan/key.js';
import type { Metadata } from '../store/metadata.js';
import { openStore } from '../store/open-store.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { displayName, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';

interface GcFlags {
  store?: string;
  delete?: boolean;
}

/**
 * `shark gc PIPELINE...`: keeps what the latest run of each pipeline used
 * and produced, and frees the rest of its store. A dry run unless --delete.
 * Pipelines are grouped by store (each defaults to `.shark/` beside it).
 */
export function gcCommand(io: Io): Command {
  return new Command('gc')
    .description('free stored data not reachable from the latest run of the given pipelines (dry run unless --delete)')
    .argument('<pipeline...>', 'pipeline markdown files whose latest runs are kept')
    .option('--store <store>', 'the store: a directory, or zfs:POOL/DATASET (default: .shark/ beside each pipeline, or $SHARK_STORE)')
    .option('--delete', 'remove the data (without it, only report what would be freed)', false)
    .action(async (files: string[], flags: GcFlags) => {
      const groups = new Map<string, { spec: string | undefined; dir: string; pipelines: string[] }>();
      for (const file of files) {
        const abs = resolve(file);
        const spec = flags.store ?? process.env['SHARK_STORE'];
        const key = spec === undefined ? join(dirname(abs), '.shark') : spec.startsWith('zfs:') ? spec : resolve(spec);
        const group = groups.get(key) ?? { spec, dir: dirname(abs), pipelines: [] };
        group.pipelines.push(abs);
        groups.set(key, group);
      }
      let failed = false;
      for (const [where, group] of groups) {
        if (!where.startsWith('zfs:') && !existsSync(join(where, 'shark.sqlite'))) {
          io.stderr(`shark: error: no store at ${displayName(where)}: ${group.pipelines.map(displayName).join(', ')} never ran there\n`);
          failed = true;
          continue;
        }
        const opened = openStore(group.spec, group.dir);
        if (!opened.ok) {
          io.stderr(`shark: error: ${opened.message}\n`);
          failed = true;
          continue;
        }
        const { store, meta } = opened.value;
        try {
          const keep = new Set<SnapshotId>();
          const kept: string[] = [];
          for (const pipeline of group.pipelines) {
            const run = meta.latestRun(pipeline);
            if (run === undefined) {
              io.stderr(`shark: error: no run of ${displayName(pipeline)} is recorded in ${store.location}; nothing collected there\n`);
              throw new ExitError(EXIT_INVALID);
            }
            const n = reachable(meta, run.id, keep);
            const unfinished = run.status === 'running' ? ', not finished' : '';
            kept.push(`${displayName(pipeline)} run ${run.id} (${n} result${n === 1 ? '' : 's'}${unfinished})`);
          }
          const freed = await store.collect(keep, !flags.delete);
          const mb = (freed.bytes / 1e6).toFixed(1);
          io.stdout(`${store.location} (${store.kind}): keeping ${kept.join(', ')}\n`);
          io.stdout(flags.delete
            ? `freed ${freed.count} objects, ${mb} MB\n`
            : `would free ${freed.count} objects, ${mb} MB (dry run: pass --delete to free them)\n`);
        } catch (e) {
          if (!(e instanceof ExitError)) throw e;
          failed = true;
        } finally {
          store.close();
          meta.close();
        }
      }
      if (failed) throw new ExitError(EXIT_INVALID);
    });
}

/** Adds the outputs and inputs of every result of run `runId` to `keep`; returns how many results. */
function reachable(meta: Metadata, runId: number, keep: Set<SnapshotId>): number {
  let results = 0;
  for (const job of meta.runJobs(runId)) {
    const result = meta.result(job.key);
    if (result === undefined) continue;
    results++;
    for (const id of Object.values(JSON.parse(result.outputs) as Record<string, SnapshotId>)) keep.add(id);
    // Inputs too: an ingested input collected now would be copied in again next run.
    const record = JSON.parse(result.record) as Partial<KeyRecord>;
    for (const [, id] of record.inputs ?? []) keep.add(id);
  }
  return results;
}
