import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { reapDeadOwners } from '../exec/docker/reap.js';
import { fromResultRow, idsOf } from '../lineage/record.js';
import { Leases } from '../store/leases.js';
import type { Metadata, RunRow } from '../store/metadata.js';
import { openStore } from '../store/open-store.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { displayName, EXIT_FAILED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { configOption, configuredStore } from './apply-config.js';

interface GcFlags {
  store?: string;
  config?: string;
  delete?: boolean;
}

/**
 * `shark gc PIPELINE...`: keeps what the latest complete run of each
 * pipeline used and produced (and anything newer, such as an interrupted
 * run), and frees the rest of its store. A dry run unless --delete, which
 * holds the store's `gc` lease and refuses while any run is in progress.
 * Pipelines are grouped by store (each defaults to `.shark/` beside it).
 */
export function gcCommand(io: Io): Command {
  return new Command('gc')
    .description('free stored data not reachable from the latest complete run of the given pipelines (dry run unless --delete)')
    .argument('<pipeline...>', 'pipeline markdown files whose latest runs are kept')
    .option('--store <store>', 'the store: a directory, or zfs:POOL/DATASET (default: .shark/ beside each pipeline, or $SHARK_STORE)')
    .option('--delete', 'remove the data (without it, only report what would be freed)', false)
    .addOption(configOption())
    .action(async (files: string[], flags: GcFlags) => {
      let status = 0;
      const given = flags.store ?? (process.env['SHARK_STORE'] || undefined);
      // Each pipeline's own config file may name its store (`--config` names one file for all).
      const specFor = (file: string): string | undefined => given ?? configuredStore(file, flags.config, io.stderr);
      for (const [where, group] of groupByStore(files, specFor)) {
        status = Math.max(status, await collectGroup(io, where, group, flags.delete === true));
      }
      if (status !== 0) throw new ExitError(status);
    });
}

interface Group {
  readonly spec: string | undefined;
  readonly dir: string;
  readonly pipelines: string[];
}

function groupByStore(files: readonly string[], specFor: (file: string) => string | undefined): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const file of files) {
    const spec = specFor(file);
    const abs = resolve(file);
    const key = spec === undefined ? join(dirname(abs), '.shark') : spec.startsWith('zfs:') ? spec : resolve(spec);
    const group = groups.get(key) ?? { spec, dir: dirname(abs), pipelines: [] };
    group.pipelines.push(abs);
    groups.set(key, group);
  }
  return groups;
}

async function collectGroup(io: Io, where: string, group: Group, del: boolean): Promise<number> {
  if (!where.startsWith('zfs:') && !existsSync(join(where, 'shark.sqlite'))) {
    io.stderr(`shark: error: no store at ${displayName(where)}: ${group.pipelines.map(displayName).join(', ')} never ran there\n`);
    return EXIT_INVALID;
  }
  const opened = openStore(group.spec, group.dir);
  if (!opened.ok) {
    io.stderr(`shark: error: ${opened.message}\n`);
    return EXIT_INVALID;
  }
  const { store, meta } = opened.value;
  const leases = new Leases(meta);
  try {
    if (del) {
      const holder = leases.tryAcquire('gc');
      if (holder !== undefined) {
        io.stderr(`shark: error: another gc (pid ${holder.pid} on ${holder.host}) is collecting ${store.location}\n`);
        return EXIT_FAILED;
      }
      // Runs that start from now on wait for the lease; one already going makes gc step back.
      const live = meta.liveRuns();
      if (live.length > 0) {
        const list = live.map((r) => `run ${r.id} of ${displayName(r.pipeline)} (pid ${r.pid})`).join(', ');
        io.stderr(`shark: error: ${list} in progress on ${store.location}: nothing deleted; run gc again when it ends\n`);
        return EXIT_FAILED;
      }
    }
    const keep = new Set<SnapshotId>();
    const kept: string[] = [];
    for (const pipeline of group.pipelines) {
      const said = keepRuns(meta, pipeline, keep);
      if (said === undefined) {
        io.stderr(`shark: error: no run of ${displayName(pipeline)} is recorded in ${store.location}; nothing collected there\n`);
        return EXIT_INVALID;
      }
      kept.push(`${displayName(pipeline)} ${said}`);
    }
    const freed = await store.collect(keep, !del);
    // Job containers of runs killed before their watchdog could end them.
    const reaped = del ? await reapDeadOwners() : 0;
    if (reaped > 0) io.stdout(`removed ${reaped} job container${reaped === 1 ? '' : 's'} left by killed runs\n`);
    // Leases of killed runs: harmless (the next holder takes them over), but nothing else ever deletes them.
    const dropped = del ? leases.dropDead() : 0;
    if (dropped > 0) io.stdout(`removed ${dropped} lease${dropped === 1 ? '' : 's'} left by killed runs\n`);
    const mb = (freed.bytes / 1e6).toFixed(1);
    io.stdout(`${store.location} (${store.kind}): keeping ${kept.join('; ')}\n`);
    io.stdout(del ? `freed ${freed.count} objects, ${mb} MB\n` : `would free ${freed.count} objects, ${mb} MB (dry run: pass --delete to free them)\n`);
    return 0;
  } finally {
    leases.releaseAll();
    store.close();
    meta.close();
  }
}

/**
 * Adds what the pipeline's latest complete run (and every newer, unfinished
 * one) needs to `keep`, and says which runs those are. A run that was
 * interrupted may hold almost nothing: keeping only it would free the last
 * good results without warning.
 */
function keepRuns(meta: Metadata, pipeline: string, keep: Set<SnapshotId>): string | undefined {
  const runs = meta.runs(pipeline);
  if (runs.length === 0) return undefined;
  const complete = runs.findIndex((r) => r.status === 'ok' || r.status === 'failed');
  const kept = complete < 0 ? runs : runs.slice(0, complete + 1);
  const parts = kept.map((r) => describeRun(r, reachable(meta, r.id, keep), r === runs[complete]));
  return parts.reverse().join(', ');
}

function describeRun(run: RunRow, results: number, latestComplete: boolean): string {
  const what = latestComplete ? 'latest complete run' : run.status === 'running' ? 'still running' : `${run.status}, newer`;
  return `run ${run.id} (${what}, ${results} result${results === 1 ? '' : 's'})`;
}

/** Adds the outputs and inputs of every result of run `runId` to `keep`; returns how many results. */
function reachable(meta: Metadata, runId: number, keep: Set<SnapshotId>): number {
  let results = 0;
  const jobs = meta.runJobs(runId);
  const rows = meta.resultsMany([...new Set(jobs.map((j) => j.key))]);
  for (const job of jobs) {
    const row = rows.get(job.key);
    if (row === undefined) continue;
    results++;
    for (const id of idsOf(fromResultRow(row))) keep.add(id);
  }
  return results;
}
