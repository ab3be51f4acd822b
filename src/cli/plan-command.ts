import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { handScript } from '../plan/script.js';
import { importLockKey, lockPathFor, readLock } from '../lockfile.js';
import { PLANNING, withSessionOptions, refuseTogether } from './common-options.js';
import { EXIT_INVALID, ExitError, loadOrReport } from './load-or-report.js';
import { givenFrontmatter, givenPlaces } from './apply-config.js';
import { threadsOf } from '../exec/resources.js';
import { positiveCount } from './numbers.js';
import type { Io } from './main.js';
import { writePlanJson, writePlanText } from './render-plan.js';
import { stepVariables, type SessionFlags } from './session-setup.js';
import { envPairs, inputPairs } from './option-pairs.js';
import { selectOrReport, withTargets, type TargetFlags } from './targets.js';
import { withPlan } from './planned.js';
import { keptSteps } from './script-kept.js';
import { slurmFlags, withExecutorOptions, type ExecutorFlags } from './executor-flags.js';
import { adoptableKeys, adoptedJobs, plannedSubmissions, renderSubmissions } from './slurm-plan.js';
import { memoryOption, parseResourceFlags, poolOption, runLimits, type ResourceFlags } from './resource-flags.js';

interface PlanFlags extends SessionFlags, TargetFlags, ExecutorFlags, ResourceFlags {
  jobs?: string;
  json?: boolean;
  script?: boolean;
  verbose?: boolean;
}

export function planCommand(io: Io): Command {
  return withTargets(withExecutorOptions(withSessionOptions(
    new Command('plan')
      .description('dry run: list every job, whether it is cached, and why it would run (executes nothing)')
      .argument('<file>', 'pipeline markdown file')
      .option('--json', 'print the plan as JSON')
      .option('--script', 'print a POSIX sh script that performs the pipeline by hand')
      .option('-v, --verbose', 'list every job of map steps')
      .addOption(new Option('-j, --jobs <n>', 'with --script: SHARK_THREADS as run -j N gives it; with --executor slurm: array tasks at once').default(String(availableParallelism()), 'number of cores'))
      .addOption(memoryOption())
      .addOption(poolOption()),
    PLANNING,
  ))).action(async (file: string, targets: string[], flags: PlanFlags, cmd: Command) => {
    if (flags.script === true && flags.json === true) refuseTogether('--json', '--script', io.stderr);
    const slurm = slurmFlags(flags, io.stderr, cmd);
    const jobs = positiveCount('-j', flags.jobs, 1, io.stderr);
    const resources = parseResourceFlags(flags, io.stderr);
    if (flags.script) {
      io.stdout(await scriptOf(file, targets, flags, resources, io.stderr));
      return;
    }
    await withPlan(file, targets, flags, { jobs, resources, slurm: slurm !== undefined }, io.stderr, async (plan, session) => {
      // `--executor slurm`: what would be submitted, one array per map step, and what a dead run left that run adopts instead.
      const keys = slurm === undefined ? new Set<string>() : await adoptableKeys(slurm, session.meta, session.store.metaDir, io.stderr);
      const subs = slurm === undefined ? undefined : plannedSubmissions(plan, session.pipeline, slurm, jobs, keys);
      const adopted = adoptedJobs(plan, session.pipeline, keys);
      if (flags.json) writePlanJson(plan, io.stdout, subs === undefined ? {} : { slurm: subs, slurmAdopted: adopted });
      else {
        writePlanText(plan, session.pipeline.document.file, flags.verbose ?? false, io.stdout);
        if (subs !== undefined) io.stdout(renderSubmissions(subs, adopted));
      }
    });
  });
}

/**
 * `--script`: the pipeline as `run` with the same options would perform it
 * (its variables and `-e` values, its steps without targets or with them,
 * SHARK_THREADS from `-j`, the inputs `-i` binds), read from the document;
 * the store is read only to say which `{precious}` steps it keeps (script-kept.ts).
 */
async function scriptOf(file: string, targets: readonly string[], flags: PlanFlags, resources: ReturnType<typeof parseResourceFlags>, stderr: (s: string) => void): Promise<string> {
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    stderr(`shark: error: -j expects a positive whole number, not \`${flags.jobs}\`\n`);
    throw new ExitError(EXIT_INVALID);
  }
  const extra = envPairs(flags.env, stderr);
  const pipeline = loadOrReport(file, stderr, 'read', extra, givenFrontmatter(flags), givenPlaces(flags));
  const selection = selectOrReport(pipeline, targets, flags, stderr);
  runLimits(pipeline, jobs, resources, false, givenPlaces(flags), stderr);
  const bindings = new Map([...inputPairs(flags.input, stderr)].map(([name, path]) => [name, resolve(path)]));
  const kept = await keptSteps(file, targets, flags, { jobs, resources, slurm: false }, pipeline, selection);
  // The name a server gave a download into DEST/, pinned by a run: what the steps reading it name (`DEST/x.txt`).
  const lock = readLock(lockPathFor(resolve(file)));
  const pinnedName = (raw: string, dest: string): string | undefined => {
    const name = lock.ok ? lock.lock.imports[importLockKey(raw, dest)]?.['name'] : undefined;
    return typeof name === 'string' ? name : undefined;
  };
  return handScript(pipeline, { variables: stepVariables(pipeline, extra), selection, threads: (step) => threadsOf(step, jobs), bindings, pipelineDir: dirname(resolve(file)), kept, pinnedName });
}
