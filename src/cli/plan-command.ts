import { Command, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { handScript } from '../plan/script.js';
import { planPipeline } from '../plan/planner.js';
import { seedState } from '../plan/session.js';
import { withSessionOptions } from './common-options.js';
import { loadOrReport } from './load-or-report.js';
import type { Io } from './main.js';
import { writePlanJson, writePlanText } from './render-plan.js';
import { closeSession, openSession, reportingInvalidInput, type SessionFlags } from './session-setup.js';
import { selectOrReport, withTargets, type TargetFlags } from './targets.js';
import { plannedSubmissions, renderSubmissions, slurmFlags, withExecutorOptions, type ExecutorFlags } from './executor-flags.js';

interface PlanFlags extends SessionFlags, TargetFlags, ExecutorFlags {
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
      .addOption(new Option('-j, --jobs <n>', 'with --executor slurm: array tasks at once').default(String(availableParallelism()), 'number of cores')),
  ))).action(async (file: string, targets: string[], flags: PlanFlags) => {
    if (flags.script) {
      io.stdout(handScript(loadOrReport(file, io.stderr)));
      return;
    }
    const slurm = slurmFlags(flags, io.stderr);
    const { session, hostInputs } = openSession(file, flags, io.stderr);
    try {
      const selection = selectOrReport(session.pipeline, targets, flags, io.stderr);
      const seeded = await reportingInvalidInput(session, io.stderr, () => seedState(session, hostInputs));
      const plan = await planPipeline(session, seeded, selection);
      // `--executor slurm`: what would be submitted, one array per map step.
      const subs = slurm === undefined ? undefined : plannedSubmissions(plan, session.pipeline, slurm, Math.max(1, Number(flags.jobs) || 1));
      if (flags.json) writePlanJson(plan, io.stdout, subs === undefined ? {} : { slurm: subs });
      else {
        writePlanText(plan, session.pipeline.document.file, flags.verbose ?? false, io.stdout);
        if (subs !== undefined) io.stdout(renderSubmissions(subs));
      }
    } finally {
      closeSession(session);
    }
  });
}
