import { Command, Option } from 'commander';
import { lineageQuery, type LineageNode } from '../lineage/lineage.js';
import { insideLine, renderLineage } from '../lineage/lineage-text.js';
import { runSubset, subsetArgs } from '../lineage/runs.js';
import { newerRunFailedUpstream } from '../lineage/failed-upstream.js';
import { renderedLineage } from '../lineage/rendered-lineage.js';
import { lineageMermaid } from '../lineage/mermaid.js';
import { naturalNumber } from './numbers.js';
import { normaliseDataPath } from '../pipeline/data-path.js';
import { notDataPathMessage } from './published-path.js';
import { showImpact } from './impact-command.js';
import { EXIT_FAILED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { closeSession, openReading, type SessionFlags } from './session-setup.js';
import { envPairs } from './option-pairs.js';
import { fansInOver, shownConfiguration, writesPath, type Configuration } from '../lineage/configuration.js';
import { restrictedAxes } from '../plan/selection.js';
import type { RunSession } from '../exec/executor.js';
import { outputFormat, READING, withSessionOptions } from './common-options.js';

export type LineageFormat = 'text' | 'json' | 'mermaid';
export const LINEAGE_FORMATS: readonly LineageFormat[] = ['text', 'json', 'mermaid'];

export function lineageCommand(io: Io): Command {
  return withSessionOptions(
    new Command('lineage')
      .description('show everything that produced a /data path: steps, commands, inputs, down to imports')
      .argument('<file>', 'pipeline markdown file')
      .argument('[path]', 'a /data/... path')
      .option('--impact <what...>', 'instead, what may run again if these changed (/data paths, env:NAME, blocks, local files): as `shark impact FILE WHAT…`')
      .option('--run <n>', 'a run of this pipeline (default: the latest; see `shark runs`)', naturalNumber('--run'))
      .option('--depth <n>', 'follow producers at most N levels below the job that wrote PATH', naturalNumber('--depth'))
      .addOption(new Option('-f, --format <format>', 'output format').choices(LINEAGE_FORMATS as LineageFormat[]).default('text'))
      .option('--json', 'same as --format json'),
    { ...READING, env: 'the latest run that made PATH with this value, as plan -e and run -e take it; for an axis NAME=v1,v2 (repeatable)' },
  ).action((file: string, path: string | undefined, flags: SessionFlags & { run?: number; depth?: number; impact?: string[] }, cmd: Command) => {
    const format = outputFormat<LineageFormat>(cmd, io.stderr);
    // `shark lineage FILE --impact /data/x`, as issue 13 words it: the other direction, downstream.
    if (flags.impact !== undefined) {
      // What impact does not take is refused, not dropped in silence (it printed text, exit 0).
      const unused = [flags.run !== undefined ? '--run' : '', flags.depth !== undefined ? '--depth' : '', format === 'mermaid' ? '-f mermaid' : '',
        flags.store !== undefined ? '--store' : '', (flags.env ?? []).length > 0 ? '-e' : ''].filter((o) => o !== '');
      if (unused.length > 0) {
        io.stderr(`shark: error: --impact shows the steps downstream of WHAT in the document, as \`shark impact\` does: it takes no ${unused.join(', ')} (only --json and --config)\n`);
        throw new ExitError(EXIT_INVALID);
      }
      return showImpact(io, file, [...(path === undefined ? [] : [path]), ...flags.impact], { json: format === 'json', ...(flags.sharkConfig !== undefined ? { sharkConfig: flags.sharkConfig } : {}) });
    }
    if (path === undefined) {
      io.stderr("shark: error: missing required argument 'path' (or --impact WHAT…)\n");
      throw new ExitError(EXIT_INVALID);
    }
    const normal = normaliseDataPath(path);
    if (!normal.ok) {
      io.stderr(`shark: error: ${notDataPathMessage(file, path, normal.message)}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    const latest = flags.run === undefined ? 'the latest run' : `run ${flags.run}`;
    const reading = openReading(file, flags, io.stderr, { instead: `the lineage is ${latest}'s record of ${normal.path.text}, whatever values that run ran with` });
    // Without the document no run is picked by its values (a step fanning in over an axis); with -e, openReading refused instead.
    const session = reading.session ?? reading.records;
    try {
      const options = {
        ...(flags.run !== undefined ? { run: flags.run } : {}),
        ...(flags.depth !== undefined ? { depth: flags.depth } : {}),
        ...(reading.session !== undefined ? { pipeline: reading.session.pipeline } : {}),
        configuration: reading.session === undefined ? NO_CONFIGURATION
          : configurationOf(reading.session, flags, io.stderr, normal.path.text),
      };
      const { configuration } = options;
      if (configuration.axes.size > 0 && reading.session !== undefined && !writesPath(reading.session.pipeline, normal.path.text)) {
        io.stderr(`shark: no step of this pipeline writes ${normal.path.text} with ${shownConfiguration(configuration, 'axes')}\n`);
        throw new ExitError(EXIT_FAILED);
      }
      const describe = (id: string): string => {
        const name = session.store.describe(id);
        return name === undefined ? id : `${name} (${id})`;
      };
      // A fan-in a subset of the sweep made (`run -e YEAR=2020`, a total across years): over those values alone, said first.
      const fansIn = reading.session === undefined ? new Set<string>() : fansInOver(reading.session.pipeline, normal.path.text);
      const subsetNote = (node: LineageNode): string => {
        const subset = node.kind === 'group' || fansIn.size === 0 ? undefined : runSubset(session.meta, node.run);
        if (subset === undefined || !Object.keys(subset).some((axis) => fansIn.has(axis))) return '';
        return `note: run ${node.run} ran a subset of the sweep (${subsetArgs(subset)}): this result reads those values alone\n`;
      };
      // An older run's result shown while a newer run skipped the step for a failure upstream: said, not passed over.
      const newerNote = (node: LineageNode): string => {
        const why = flags.run !== undefined || reading.session === undefined || node.kind === 'group' ? undefined
          : newerRunFailedUpstream(session.meta, reading.session.pipeline, session.pipelinePath, node.run, normal.path.text);
        return why === undefined ? '' : `note: ${why}\n`;
      };
      const render = (node: LineageNode): string =>
        format === 'json' ? JSON.stringify(node, null, 2) + '\n' : format === 'mermaid' ? lineageMermaid(node, flags.depth) : newerNote(node) + subsetNote(node) + insideLine(node, normal.path.text, (id) => session.store.entries(id)) + renderLineage(node, describe, flags.depth);
      const query = lineageQuery(session.meta, session.pipelinePath, normal.path.text, options);
      // A CAS store names no snapshot (`describe` is always undefined): its text is the records' alone.
      // Documents are named from the current directory (`shownFromHere`), so a kept rendering is one directory's.
      const variant = JSON.stringify([normal.path.text, format, flags.depth ?? null, process.cwd()]);
      const shown = 'error' in query ? query
        : renderedLineage(session.meta, query, variant, render, format !== 'text' || session.store.kind === 'cas');
      if (typeof shown !== 'string' && !Buffer.isBuffer(shown)) {
        const unknownRun = shown.reason === 'unknown-run';
        // Values the config file gave pick the run as -e's do: said, since nothing on the command line asked for them.
        const fromConfig = cmd.getOptionValueSource('env') === 'config' && configuration.variables.size > 0
          ? ` (the values are the config file's env:; -e NAME=VALUE asks for others)` : '';
        io.stderr(`shark: ${unknownRun ? 'error: ' : ''}${shown.error}${unknownRun ? '' : fromConfig}\n`);
        throw new ExitError(unknownRun ? EXIT_INVALID : EXIT_FAILED);
      }
      if (typeof shown === 'string') io.stdout(shown);
      else if (io.stdoutBytes !== undefined) io.stdoutBytes(shown);
      else io.stdout(shown.toString('utf8'));
    } finally {
      closeSession(session);
    }
  });
}

/** What a lineage picks its run by when the document does not check: nothing but the run's number. */
const NO_CONFIGURATION: Configuration = { variables: new Map(), given: new Set(), axes: new Map(), fansIn: new Set() };

/**
 * The `-e` values (the command line's and the config file's) as `lineage`
 * picks runs by them, the configuration `plan -e` plans: every variable
 * its jobs have (the document's, `-e` over them), and the axes restricted
 * to some of their values, as `run` records them. None without `-e`.
 */
function configurationOf(session: RunSession, flags: SessionFlags, stderr: (s: string) => void, path: string): Configuration {
  const axes = session.pipeline.document.frontmatter?.axes;
  const given = [...envPairs(flags.env, stderr).keys()];
  const variables = given.length === 0 ? new Map<string, string>() : new Map(session.variables);
  const restricted = new Map(Object.entries(restrictedAxes(session.pipeline)));
  const { pipeline } = session;
  // The instances the subset keeps (not those a kept step needs): a directory several write shows theirs.
  const blocks = restricted.size === 0 ? undefined : new Set(pipeline.blocks.filter((b) => pipeline.needed?.has(b.id) !== true).map((b) => b.id));
  // `-e AXIS=<every value>` restricts nothing, yet asks for a fan-in's result of every value, not a subset run's since:
  // the fan-in's axes count whenever values are given, and only then (without -e, the latest run, whatever its values).
  const fansIn = given.length === 0 ? new Set<string>() : fansInOver(pipeline, path);
  return { variables, given: new Set(given.filter((name) => axes?.has(name) !== true)), axes: restricted, fansIn, ...(blocks === undefined ? {} : { blocks }) };
}
