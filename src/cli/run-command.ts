import { dirname, resolve } from 'node:path';
import { shownName } from '../printable.js';
import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { runPipeline } from '../exec/engine.js';
import { executedDocument } from '../lineage/executed-document.js';
import { loadPrivateKey } from '../lineage/attest/keys.js';
import { jobSigner } from '../lineage/attest/sign-run.js';
import { PLANNING, withSessionOptions } from './common-options.js';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { checkOutputFile, unreachableProblem, writeOutputFile } from './output-file.js';
import { contextsTaking } from '../build-context.js';
import { hearStopSignals } from './run-signals.js';
import { givenFrontmatter, givenPlaces } from './apply-config.js';
import { positiveCount } from './numbers.js';
import { runLimits, memoryOption, parseResourceFlags, poolOption, type ResourceFlags } from './resource-flags.js';
import { jsonLogger, prettyLogger } from './run-logger.js';
import { requireSlurm, slurmFlags, withExecutorOptions, type ExecutorFlags } from './executor-flags.js';
import { refuseUnreadable } from '../plan/unreadable-host.js';
import { refuseUnpinnable, refuseUnwritablePublish } from '../plan/unwritable-host.js';
import { REPEATED } from '../pipeline/axes.js';
import type { Session } from '../plan/session.js';
import { envPairs } from './option-pairs.js';
import { closeSession, collectInvalid, openSession, refuseUnreadableFirst, reportingInvalidInput, type SessionFlags } from './session-setup.js';
import { refuseNoJobsAhead, selectOrReport, withTargets, type TargetFlags } from './targets.js';
import { drawsEscapes } from '../printable.js';

interface RunFlags extends SessionFlags, TargetFlags, ResourceFlags, ExecutorFlags {
  jobs: string;
  keepGoing?: boolean;
  json?: boolean;
  output?: string;
  update?: boolean;
  sign?: string;
}

export function runCommand(io: Io): Command {
  return withTargets(withExecutorOptions(withSessionOptions(
    new Command('run')
      .description('run what is not yet computed, in parallel; cached jobs are reused')
      .argument('<file>', 'pipeline markdown file')
      .addOption(new Option('-j, --jobs <n>', 'jobs to run at once').default(String(availableParallelism()), 'number of cores'))
      .addOption(memoryOption())
      .addOption(poolOption())
      .option('-k, --keep-going', 'keep running independent jobs after a failure')
      .option('--json', 'print one JSON event per line')
      .option('-o, --output <file>', 'write the executed document: the markdown with each block\'s result id and output')
      .option('--update', 'rebuild environments from their current base images and update the lock file')
      .option('--sign <key>', 'sign each job it runs (DSSE, in-toto) with this ed25519 private key (default: $SHARK_SIGNING_KEY)'),
    PLANNING,
  ))).action(async (file: string, targets: string[], flags: RunFlags, cmd: Command) => {
    const jobs = positiveCount('-j', flags.jobs, 1, io.stderr);
    const resources = parseResourceFlags(flags, io.stderr);
    const slurm = slurmFlags(flags, io.stderr, cmd);
    const keyPath = flags.sign ?? process.env['SHARK_SIGNING_KEY'];
    const signingKey = keyPath === undefined || keyPath === '' ? undefined : loadPrivateKey(keyPath);
    if (signingKey !== undefined && !signingKey.ok) {
      io.stderr(`shark: error: ${signingKey.message}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    const { session, hostInputs, checked: { selection, limits } } = openSession(file, flags, io.stderr, true, 'run', false, (pipeline, found) => {
      const checked = {
        selection: selectOrReport(pipeline, targets, flags, io.stderr),
        limits: runLimits(pipeline, jobs, resources, slurm !== undefined, givenPlaces(flags), io.stderr, found),
      };
      // A local import that cannot be read, before the store is made: a run that cannot start leaves no `.shark/`.
      refuseUnreadableFirst(pipeline, file, flags, found);
      // Nor does one that could not publish (a read-only publish directory, a link there leading nowhere).
      collectInvalid(found, () => refuseUnwritablePublish({ pipeline, pipelineDir: dirname(resolve(file)) }, checked.selection));
      // So is a mistyped -o (the store's own files are known once it is opened, below).
      if (flags.output !== undefined && flags.output !== '-' && !inStoreToBe(flags.output, file, flags.store)) {
        const problem = unreachableProblem(flags.output);
        if (problem !== undefined) {
          io.stderr(`shark: error: ${problem}\n`);
          throw new ExitError(EXIT_INVALID);
        }
      }
      return checked;
    });
    if (slurm !== undefined) await requireSlurm(slurm, io.stderr).catch((e: unknown) => (closeSession(session), Promise.reject(e)));
    // Said before anything runs, not as every job of a map failing on `sbatch refused the job` (Shark's own refusal).
    if (slurm !== undefined && session.store.metaDir.includes('\\')) {
      closeSession(session);
      io.stderr(`shark: error: --executor slurm: the store's path ${shownName(session.store.metaDir)} has a backslash, with which Slurm names no file per task: put the store in a directory whose path has none (--store)\n`);
      throw new ExitError(EXIT_INVALID);
    }
    const controller = new AbortController();
    // A closed stdout stops the run through SIGTERM too (process-guards.ts): that stop is quiet, nobody pressed Ctrl-C.
    const unhear = hearStopSignals(io.stderr, () => controller.abort());
    /** How the run ended, once its summary is said: a signal after that ends the process so, not 130 (run-signals.ts). */
    let settled: number | undefined;
    try {
      // Before the run: a mistyped -o costs nothing.
      if (flags.output !== undefined) {
        // Not a file named `-`, as export's `-o -` is not; nor standard output, which the run's progress is on.
        if (flags.output === '-') {
          io.stderr('shark: error: -o -: the run\'s progress is on standard output; name a file for the executed document\n');
          throw new ExitError(EXIT_INVALID);
        }
        checkOutputFile(flags.output, session, io.stderr);
        warnIfCopied(flags.output, session, io.stderr);
      }
      const shown = flags.json ? jsonLogger(io.stdout) : prettyLogger(io.stdout, drawsEscapes(process.stdout));
      // The `{precious}` jobs kept although what makes their key changed: the executed document says so of each.
      const kept = new Map<string, string>();
      const logger: typeof shown = (e) => {
        if (e.type === 'job-cached' && e.kept === true) kept.set(e.job, e.reason ?? '');
        shown(e);
      };
      // An input or local import that cannot be read is refused as a missing one is: before a run is recorded;
      // so is a place the run must write in and may not (a publish directory, the lock file).
      // The publish directories were looked at before the store was made (above).
      await reportingInvalidInput(session, io.stderr, async () => (refuseUnreadable(session), refuseUnpinnable(session, selection)));
      await refuseNoJobsAhead(session, hostInputs, selection, flags, io.stderr);
      const summary = await reportingInvalidInput(session, io.stderr, () => runPipeline(session, hostInputs, {
        memory: limits.memory, pools: limits.pools,
        jobs, selection: selection, keepGoing: flags.keepGoing ?? false, signal: controller.signal,
        ...(slurm !== undefined ? { slurm } : {}),
        ...(signingKey?.ok === true ? { attest: jobSigner(session.meta, session.store, signingKey.value, [...session.pipeline.inputs.values()], (m) => io.stderr(`shark: warning: ${m}\n`)) } : {}),
      }, logger));
      if (flags.output !== undefined) writeOutputFile(flags.output, executedDocument(session, summary.run, givenValues(flags), kept), session, io.stderr);
      // A signal that came while a step held the process (a large publish copies without yielding) is heard here,
      // before its listeners go: it was lost, and a stopped run exited 0.
      await new Promise((resolve) => setImmediate(resolve));
      settled = summary.status === 'interrupted' || controller.signal.aborted ? EXIT_INTERRUPTED : summary.status === 'failed' ? EXIT_FAILED : 0;
      if (settled === EXIT_INTERRUPTED) throw new ExitError(EXIT_INTERRUPTED);
      if (settled === EXIT_FAILED) throw new ExitError(EXIT_FAILED);
    } finally {
      unhear(settled);
      closeSession(session);
    }
  });
}


/** `run -o FILE` into a directory an environment copies rebuilds it on the next run: said before this one. */
function warnIfCopied(path: string, session: Session, stderr: (s: string) => void): void {
  const [taken] = contextsTaking(session.pipeline, session.pipelineDir, path);
  if (taken === undefined) return;
  stderr(`shark: warning: ${path} is in the build context of environment ${taken.env} (${taken.source}): writing it changes the environment, so the next run rebuilds it and re-runs its steps; add ${taken.rel} to .dockerignore, or write it elsewhere\n`);
}

/**
 * The values given outside the document (`-e`, shark.yaml's `env:` and
 * `frontmatter:`), `NAME=VALUE` by name, as the executed document notes them:
 * the frontmatter it keeps says others. An axis's values are joined as `-e`
 * takes them (`T=a,b`).
 */
function givenValues(flags: SessionFlags): string[] {
  const values = new Map<string, string>();
  for (const [name, value] of givenFrontmatter(flags) ?? []) values.set(name, typeof value === 'string' ? value : value.join(','));
  // Checked when the session opened: nothing is said twice.
  for (const [name, value] of envPairs(flags.env, () => undefined)) values.set(name, value.split(REPEATED).join(','));
  return [...values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => `${name}=${value}`);
}

/** Whether `-o PATH` is in the store a run would make (`.shark/x.md`, before `.shark/` is there): said as the store's, once it is open. */
function inStoreToBe(path: string, file: string, store: string | undefined): boolean {
  const dirs = [resolve(dirname(resolve(file)), '.shark'), ...(store !== undefined && !store.startsWith('zfs:') ? [resolve(store)] : [])];
  const to = resolve(path);
  return dirs.some((d) => to === d || to.startsWith(d + '/'));
}
