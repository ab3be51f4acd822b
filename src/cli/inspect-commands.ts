import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { lineageOf, renderLineage } from '../lineage/lineage.js';
import { lineageMermaid } from '../lineage/mermaid.js';
import { latestRunWithJobs, noRunsMessage } from '../lineage/runs.js';
import { naturalNumber } from './numbers.js';
import { inBlock } from '../pipeline/block-ids.js';
import { normaliseDataPath } from '../pipeline/data-path.js';
import { EXIT_FAILED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { closeSession, envPairs, openSession, type SessionFlags } from './session-setup.js';
import { shownConfiguration, writesPath, type Configuration } from '../lineage/configuration.js';
import { restrictedAxes } from '../plan/selection.js';
import type { RunSession } from '../exec/executor.js';
import { outputFormat, withSessionOptions } from './common-options.js';

export function logsCommand(io: Io): Command {
  return withSessionOptions(
    new Command('logs')
      .description('show the stored logs of the latest run, for every block or one block/step')
      .argument('<file>', 'pipeline markdown file')
      .argument('[block]', 'block id, step id or job id'),
  ).action((file: string, block: string | undefined, flags: SessionFlags) => {
    const { session } = openSession(file, flags, io.stderr, false, 'read', true);
    try {
      const run = latestRunWithJobs(session.meta, session.meta.runs(session.pipelinePath));
      if (run === undefined) {
        io.stderr(`shark: ${noRunsMessage(session.meta, session.pipelinePath, file)}\n`);
        throw new ExitError(EXIT_FAILED);
      }
      // A job named exactly is looked up alone: a run of a million jobs was read whole for one.
      const one = block === undefined ? undefined : session.meta.runJob(run.id, block);
      const jobs = one !== undefined ? [one] : session.meta.runJobs(run.id).filter((j) => block === undefined || inBlock(j.block, block) || j.step === block || j.job === block);
      if (jobs.length === 0 && block === undefined) {
        io.stderr(`shark: run ${run.id} ran no job\n`);
        throw new ExitError(EXIT_FAILED);
      }
      if (jobs.length === 0) {
        const known = [...new Set(session.meta.runJobs(run.id).map((j) => j.block))].join(', ');
        const kind = session.pipeline.blocks.some((b) => inBlock(b.id, block ?? '')) ? 'block' : session.pipeline.stepsById.has(block ?? '') ? 'step' : undefined;
        // A publish copies files out of the store: it is no job, and keeps no log, though it ran.
        const publish = session.pipeline.blocks.some((b) => inBlock(b.id, block ?? '') && b.kind === 'publish') || session.pipeline.stepsById.get(block ?? '')?.kind === 'publish';
        io.stderr(publish
          ? `shark: \`${block}\` is a shark-publish block: publishing keeps no log\n`
          : kind !== undefined
          ? `shark: ${kind} \`${block}\` has no job in run ${run.id}: its jobs did not run (${whyNotRun(run.id, run.status)})\n`
          : `shark: no job of run ${run.id} matches \`${block}\` (blocks: ${known})\n`);
        // A query that found nothing, as docs/cli.md says (2 is for invalid input).
        throw new ExitError(EXIT_FAILED);
      }
      for (const j of jobs) {
        io.stdout(`==> ${j.job} (${j.status}, line ${j.line})${j.log ? ` ${j.log}` : ''}\n`);
        if (j.log === null) continue;
        try {
          io.stdout(readFileSync(j.log, 'utf8'));
        } catch (e) {
          // A job that printed nothing has no log file.
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') io.stdout(`(cannot read the log: ${(e as Error).message})\n`);
        }
      }
    } finally {
      closeSession(session);
    }
  });
}

/** Why a block of the document has no job in a run that ran (a skipped job leaves no row in the run's record). */
function whyNotRun(runId: number, status: string): string {
  if (status === 'failed') return `run ${runId} failed, and they were skipped after the failure`;
  if (status === 'interrupted') return `run ${runId} was interrupted before they ran`;
  if (status === 'running') return `run ${runId} has not reached them yet`;
  return `run ${runId} did not need them`;
}

export type LineageFormat = 'text' | 'json' | 'mermaid';
export const LINEAGE_FORMATS: readonly LineageFormat[] = ['text', 'json', 'mermaid'];

export function lineageCommand(io: Io): Command {
  return withSessionOptions(
    new Command('lineage')
      .description('show everything that produced a /data path: steps, commands, inputs, down to imports')
      .argument('<file>', 'pipeline markdown file')
      .argument('<path>', 'a /data/... path')
      .option('--run <n>', 'a run of this pipeline (default: the latest; see `shark runs`)', naturalNumber('--run'))
      .option('--depth <n>', 'follow producers at most N levels below the job that wrote PATH', naturalNumber('--depth'))
      .addOption(new Option('-f, --format <format>', 'output format').choices(LINEAGE_FORMATS as LineageFormat[]).default('text'))
      .option('--json', 'same as --format json'),
  ).action((file: string, path: string, flags: SessionFlags & { run?: number; depth?: number }, cmd: Command) => {
    const format = outputFormat<LineageFormat>(cmd, io.stderr);
    const normal = normaliseDataPath(path);
    if (!normal.ok) {
      io.stderr(`shark: error: ${normal.message}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    const { session } = openSession(file, flags, io.stderr, false, 'read', true);
    try {
      const options = {
        ...(flags.run !== undefined ? { run: flags.run } : {}),
        ...(flags.depth !== undefined ? { depth: flags.depth } : {}),
        configuration: configurationOf(session, flags, io.stderr),
      };
      const { configuration } = options;
      if (configuration.axes.size > 0 && !writesPath(session.pipeline, normal.path.text)) {
        io.stderr(`shark: no step of this pipeline writes ${normal.path.text} with ${shownConfiguration(configuration, 'axes')}\n`);
        throw new ExitError(EXIT_FAILED);
      }
      const node = lineageOf(session.meta, session.pipelinePath, normal.path.text, options);
      if ('error' in node) {
        io.stderr(`shark: ${node.error}\n`);
        throw new ExitError(node.reason === 'unknown-run' ? EXIT_INVALID : EXIT_FAILED);
      }
      const describe = (id: string): string => {
        const name = session.store.describe(id);
        return name === undefined ? id : `${name} (${id})`;
      };
      io.stdout(format === 'json' ? JSON.stringify(node, null, 2) + '\n' : format === 'mermaid' ? lineageMermaid(node, flags.depth) : renderLineage(node, describe, flags.depth));
    } finally {
      closeSession(session);
    }
  });
}

/**
 * The `-e` values (the command line's and the config file's) as `lineage`
 * picks runs by them, the configuration `plan -e` plans: every variable
 * its jobs have (the document's, `-e` over them), and the axes restricted
 * to some of their values, as `run` records them. None without `-e`.
 */
function configurationOf(session: RunSession, flags: SessionFlags, stderr: (s: string) => void): Configuration {
  const axes = session.pipeline.document.frontmatter?.axes;
  const given = [...envPairs(flags.env, stderr).keys()];
  const variables = given.length === 0 ? new Map<string, string>() : new Map(session.variables);
  return { variables, given: new Set(given.filter((name) => axes?.has(name) !== true)), axes: new Map(Object.entries(restrictedAxes(session.pipeline))) };
}
