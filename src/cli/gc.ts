import { Command, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { keepCurrentText } from '../lineage/gc-current.js';
import { keepForPipeline, type KeptDocument } from '../lineage/gc-keep.js';
import { fanInAxes } from '../pipeline/fan-in.js';
import { stepIdentity } from '../plan/jobs.js';
import { selectSteps } from '../plan/selection.js';
import { diskFull } from '../store/full-disk.js';
import { Leases, type Holder } from '../store/leases.js';
import { makeRoom } from '../store/make-room.js';
import type { Metadata } from '../store/metadata.js';
import { openStore, storeMade } from '../store/open-store.js';
import type { Collected, SnapshotId, SnapshotStore } from '../store/snapshot-store.js';
import { displayName, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_INVALID, ExitError, loadOrReport, openFailureCode, refuseReadOnlyStore } from './load-or-report.js';
import { realPath } from '../real-path.js';
import { storeSpec } from './find-store.js';
import { stepVariables } from './session-setup.js';
import { leftovers, megabytes, slurmOf } from './gc-leftovers.js';
import { otherDocuments, storeOptions } from './gc-others.js';
import type { Io } from './main.js';
import { configFor, configOption, frontmatterOf, storeOf } from './apply-config.js';
import type { SharkConfig } from './config-file.js';
import { counted } from '../counted.js';
import { shownName } from '../printable.js';
import { closedOutput, GC_FULL_ADVICE } from './process-guards.js';

interface GcFlags {
  store?: string;
  config?: string;
  delete?: boolean;
}

/**
 * `shark gc PIPELINE...`: keeps what each pipeline's document may reuse (the
 * latest finished run, anything newer, and for the blocks that run did not
 * finish, the results of the latest run that did: `lineage/gc-keep.ts`), and
 * frees the rest of its store. A dry run unless --delete, which holds the
 * store's `gc` lease and refuses while any run is in progress. Pipelines are
 * grouped by store (each defaults to `.shark/` beside it), and every store is
 * checked before any is collected: one gc cannot collect frees nothing anywhere.
 */
export function gcCommand(io: Io): Command {
  return new Command('gc')
    .description('free stored data the given pipelines would not reuse: all but the latest results of each of their blocks (dry run unless --delete)')
    .argument('<pipeline...>', 'pipeline markdown files whose latest results are kept')
    .option('--store <store>', 'the store: a directory, or zfs:POOL/DATASET (default: $SHARK_STORE, then store: in each pipeline\'s config file, then .shark/ beside each pipeline)')
    .option('--delete', 'remove the data (without it, only report what would be freed)', false)
    .addOption(new Option('-n, --dry-run', 'only report what would be freed (the default)').conflicts('delete'))
    .addOption(configOption())
    .action(async (files: string[], flags: GcFlags) => {
      let status = 0;
      const given = storeSpec(flags.store);
      const del = flags.delete === true;
      // Every document is read before any store is touched: one that cannot be read stops gc before anything is freed.
      // A document given twice (`p.md ./p.md`) is kept for once, and named once.
      const unique = files.filter((file, i) => files.findIndex((f) => resolve(f) === resolve(file)) === i);
      const pipelines = unique.map((file) => readDocument(file, flags.config, io.stderr));
      // Likewise every store is opened (leased, for --delete) and told what to keep before any is collected.
      const ready: Ready[] = [];
      const stop = stopOnSignals(io);
      try {
        // Each pipeline's own config file may name its store (`--config` names one file for all).
        for (const [where, group] of groupByStore(pipelines, (p) => given ?? storeOf(p.config))) {
          const prepared = await prepareGroup(io, where, group, del, storeOptions(flags));
          if (typeof prepared === 'number') status = Math.max(status, prepared);
          else ready.push(prepared);
          stop.ifSignalled(undefined);
        }
        if (status !== 0) throw new ExitError(status);
        const freed = { count: 0, bytes: 0 };
        for (const r of ready) {
          const collected = await collectGroup(io, r, del, stop.signal);
          freed.count += collected.count;
          freed.bytes += collected.bytes;
          stop.ifSignalled(del ? freed : undefined);
        }
        // A signal that came while the last removals held the process is heard here, before its listeners go.
        await new Promise((resolve) => setImmediate(resolve));
        stop.ifSignalled(del ? freed : undefined);
      } finally {
        stop.off();
        for (const r of ready) release(r);
      }
    });
}

/**
 * Ctrl-C or SIGTERM (a service manager's stop) stops gc between two removals,
 * as it stops `run`: `ifSignalled` then says in one line what was freed, and that
 * the store is consistent (what is left is recorded as freed, reachable from
 * nothing kept, and the next gc frees it), and exits 130, its lease released:
 * killed by the signal, it would say nothing and leave the lease for the next
 * gc to find stale. A second signal ends it at once.
 */
function stopOnSignals(io: Io): { signal: AbortSignal; ifSignalled: (freed: { count: number; bytes: number } | undefined) => void; off: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => (controller.signal.aborted ? process.exit(EXIT_INTERRUPTED) : controller.abort());
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    ifSignalled: (freed) => {
      if (!controller.signal.aborted) return;
      // A reader that closed stdout stops gc through SIGTERM too (process-guards.ts): quietly, nobody pressed Ctrl-C.
      if (!closedOutput()) {
        io.stderr(freed === undefined ? 'shark: interrupted: nothing was freed; the store is as it was\n'
          : `shark: interrupted: gc stopped after freeing ${counted(freed.count, 'object')}, ${megabytes(freed.bytes)}; the store is consistent, and gc --delete frees what is left\n`);
      }
      throw new ExitError(EXIT_INTERRUPTED);
    },
    off: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** A pipeline gc keeps results for: its path, config file, and its document as it is now (steps, variables). */
interface KeptPipeline {
  readonly path: string;
  readonly config: SharkConfig | undefined;
  readonly document: KeptDocument;
}

/**
 * The steps of a pipeline's document, every axis value and `{manual}` block
 * included, and the variables a plain run gives them (with its config
 * file's frontmatter and `env:`, as `plan` reads them). Only a
 * document that cannot be loaded is reported (exit 2): its warnings are
 * `plan`'s to show.
 */
function readDocument(file: string, configFlag: string | undefined, stderr: (s: string) => void): KeptPipeline {
  const config = configFor(file, configFlag, stderr);
  let said = '';
  try {
    const pipeline = loadOrReport(file, (s) => void (said += s), 'read', undefined, config === undefined ? undefined : frontmatterOf(config));
    const plain = selectSteps(pipeline, []);
    const left = plain.ok ? plain.selection.manual : new Map<string, string>();
    const fansIn = fanInAxes(pipeline);
    const steps = pipeline.steps.filter((s) => s.kind !== 'publish')
      .map((s) => ({ id: s.id, blockId: s.blockId, identity: stepIdentity(s), manual: left.has(s.id), fansIn: fansIn.get(s.id) ?? new Set<string>() }));
    const env = config?.options.get('env');
    const variables = stepVariables(pipeline, new Map(env?.shape === 'pairs' ? env.pairs.map((p) => [p.name, p.value]) : []));
    // As the key records hold them (plan/jobs.ts sharedRecord): what `plan` of the document now would look results up by.
    for (const [n, s] of pipeline.steps.filter((t) => t.kind !== 'publish').entries()) {
      const text = s.kind === 'run' ? { command: s.command, prelude: s.exports, cwd: s.cwd ?? null, variables }
        : s.kind === 'import' ? { command: s.clause.raw, prelude: [], cwd: null, variables: [] } : undefined;
      if (text !== undefined) Object.assign(steps[n]!, { text });
    }
    return { path: resolve(file), config, document: { steps, variables } };
  } catch (e) {
    stderr(said);
    throw e;
  }
}

interface Group {
  readonly spec: string | undefined;
  readonly dir: string;
  readonly pipelines: KeptPipeline[];
}

function groupByStore(pipelines: readonly KeptPipeline[], specFor: (p: KeptPipeline) => string | undefined): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const pipeline of pipelines) {
    const spec = specFor(pipeline);
    const abs = pipeline.path;
    // By the store's real path: a store linked into a project is the store it links to.
    const key = spec === undefined ? realPath(join(dirname(abs), '.shark')) : spec.startsWith('zfs:') ? spec : realPath(spec);
    const group = groups.get(key) ?? { spec, dir: dirname(abs), pipelines: [] };
    group.pipelines.push(pipeline);
    groups.set(key, group);
  }
  return groups;
}

/** A store gc may collect: open, leased for --delete, and what its pipelines keep found. */
interface Ready {
  readonly store: SnapshotStore;
  readonly meta: Metadata;
  readonly leases: Leases;
  readonly slurm: { readonly dir: string; readonly found: Awaited<ReturnType<typeof slurmOf>> };
  readonly keep: Set<SnapshotId>;
  /** Per pipeline, what it keeps, as said. */
  readonly kept: readonly string[];
  readonly others: string | undefined;
}

/**
 * Opens the group's store and finds what its pipelines keep, freeing
 * nothing; with --delete, takes its `gc` lease and steps back for a run in
 * progress. Why it cannot be collected is said on stderr, and is the exit status.
 */
async function prepareGroup(io: Io, where: string, group: Group, del: boolean, options: readonly string[]): Promise<Ready | number> {
  if (!storeMade(group.spec, group.dir)) {
    io.stderr(`shark: error: no store at ${displayName(where)}: ${group.pipelines.map((p) => displayName(p.path)).join(', ')} never ran there\n`);
    return EXIT_INVALID;
  }
  let opened = openStore(group.spec, group.dir);
  // A disk too full to open the store: what killed runs left may be what fills it.
  if (!opened.ok && opened.full === true && del && makeRoom(where, (await slurmOf(io, where))?.busy)) opened = openStore(group.spec, group.dir);
  if (!opened.ok) {
    // Still too full after tmp/ was cleared (--delete): the way out is outside the store.
    io.stderr(`shark: error: ${opened.message}${del && opened.full === true ? `; ${GC_FULL_ADVICE}` : ''}\n`);
    return openFailureCode(opened);
  }
  const { store, meta } = opened.value;
  if (del && meta.db.readonly) {
    release({ leases: undefined, store, meta });
    refuseReadOnlyStore(meta, store.location, 'gc --delete', io.stderr);
  }
  const leases = new Leases(meta);
  const refuse = (message: string, code: number): number => {
    io.stderr(`shark: error: ${message}\n`);
    release({ leases, store, meta });
    return code;
  };
  try {
    // Asked before anything is removed; a job submitted after this belongs to a live run, and gc steps back for it.
    const slurm = { dir: join(store.metaDir, 'slurm'), found: await slurmOf(io, store.metaDir) };
    if (del) {
      const holder = takeLease(leases, meta, store, slurm.found?.busy);
      if (holder !== undefined) return refuse(`another gc (pid ${holder.pid} on ${holder.host}) is collecting ${shownName(store.location)}`, EXIT_FAILED);
      // Runs that start from now on wait for the lease; one already going makes gc step back.
      const live = liveRuns(meta);
      if (live !== undefined) return refuse(`${live} in progress on ${shownName(store.location)}: nothing deleted; run gc again when it ends`, EXIT_FAILED);
    }
    const keep = new Set<SnapshotId>();
    const kept: string[] = [];
    for (const pipeline of group.pipelines) {
      const said = keepForPipeline(meta, pipeline.path, pipeline.document, keep);
      if (said === undefined) return refuse(`no run of ${displayName(pipeline.path)} is recorded in ${shownName(store.location)}; nothing collected`, EXIT_INVALID);
      kept.push(`${displayName(pipeline.path)} ${said}${keepCurrentText(meta, pipeline.document.steps, keep)}`);
    }
    return { store, meta, leases, slurm, keep, kept, others: otherDocuments(meta, group.pipelines.map((p) => p.path), options) };
  } catch (e) {
    release({ leases, store, meta });
    throw e;
  }
}

function release({ leases, store, meta }: Pick<Ready, 'store' | 'meta'> & { readonly leases: Leases | undefined }): void {
  leases?.releaseAll();
  store.close();
  meta.close();
}

async function collectGroup(io: Io, { store, meta, leases, slurm, keep, kept, others }: Ready, del: boolean, signal: AbortSignal): Promise<Collected> {
  const freed = await store.collect(keep, !del, slurm.found?.busy, signal);
  // Stopped: what it freed is said in one line, for every store, by `stopOnSignals`.
  if (signal.aborted) return freed;
  await leftovers(io, del, leases, freed, slurm);
  const mb = megabytes(freed.bytes);
  io.stdout(`${shownName(store.location)} (${store.kind}): keeping ${kept.join('; ')}\n`);
  // A run in progress is still storing what it made, unreachable until it ends: counted, but --delete steps back.
  const live = del ? undefined : liveRuns(meta);
  const dry = live === undefined ? 'pass --delete to free them' : `${live} ${live.includes(', run ') ? 'are' : 'is'} in progress, so --delete would refuse now; what it stores is counted here`;
  io.stdout(del ? `freed ${counted(freed.count, 'object')}, ${mb}\n` : `would free ${counted(freed.count, 'object')}, ${mb} (dry run: ${dry})\n`);
  if (others !== undefined) io.stderr(`shark: warning: ${others}\n`);
  return freed;
}

/**
 * Takes gc's lease. On a disk too full for that write, nothing can start a
 * run either: when none is in progress, what killed runs left (a crashed
 * job's workspace, as likely as not what filled the disk) is removed first,
 * and the lease taken again. A disk still full is one line and exit 1.
 */
function takeLease(leases: Leases, meta: Metadata, store: SnapshotStore, spare: ReadonlySet<string> | undefined): Holder | undefined {
  try {
    return leases.tryAcquire('gc');
  } catch (e) {
    if (!diskFull(e) || store.removeLeftovers === undefined || meta.liveRuns().length > 0) throw e;
    store.removeLeftovers(spare);
    return leases.tryAcquire('gc');
  }
}

/** The runs in progress on the store (`run 3 of p.md (pid 12)`, …), or undefined when none is. */
function liveRuns(meta: Metadata): string | undefined {
  const live = meta.liveRuns();
  return live.length === 0 ? undefined : live.map((r) => `run ${r.id} of ${displayName(r.pipeline)} (pid ${r.pid})`).join(', ');
}
